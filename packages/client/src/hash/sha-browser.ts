/**
 * The hashes of sha-node.ts for browsers, in pure JS (@noble/hashes):
 * synchronous, as gossipsub's message-id functions and the tensor stream need.
 */
import { sha1 } from '@noble/hashes/legacy.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { base64pad } from 'multiformats/bases/base64'
import type { Sha256Hasher } from './sha-node.js'

export type { Sha256Hasher } from './sha-node.js'

export function sha256(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(nobleSha256(data))
}

export function createSha256(): Sha256Hasher {
  const hash = nobleSha256.create()
  return {
    update: (data) => {
      hash.update(data)
    },
    digest: () => new Uint8Array(hash.digest()),
  }
}

/** SHA-1 in base64 (padded, as node's `digest('base64')`). */
export function sha1Base64(data: Uint8Array): string {
  return base64pad.baseEncode(sha1(data))
}
