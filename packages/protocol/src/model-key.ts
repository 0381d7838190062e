import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { canonicalModelId } from './protocol-ids.js'

/** What a model's DHT key hashes: this prefix, then the canonical model id, as UTF-8. */
export const MODEL_KEY_PREFIX = '/cocoon/model/1/'

/** The UTF-8 bytes a model's DHT key is the sha256 of: `/cocoon/model/1/<canonical id>`. */
export function modelKeyBytes(model: string): Uint8Array {
  return new TextEncoder().encode(`${MODEL_KEY_PREFIX}${canonicalModelId(model)}`)
}

/**
 * The DHT key of a model: a CIDv1 with the raw codec (0x55) and a sha256
 * multihash (0x12, 32 bytes) of {@link modelKeyBytes}. Providers announce
 * themselves as DHT providers of it; light peers look it up.
 */
export async function modelCid(model: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(modelKeyBytes(model)))
}
