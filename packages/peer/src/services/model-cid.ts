import { canonicalModelId } from '@cocoon-mesh/protocol'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

const MODEL_KEY_PREFIX = '/cocoon/model/1/'

/**
 * The DHT key of a model: a CIDv1 (raw, sha256) of `/cocoon/model/1/<canonical id>`.
 * Providers announce themselves as DHT providers of it; light peers look it up.
 */
export async function modelCid(model: string): Promise<CID> {
  const digest = await sha256.digest(
    new TextEncoder().encode(`${MODEL_KEY_PREFIX}${canonicalModelId(model)}`),
  )
  return CID.createV1(raw.code, digest)
}
