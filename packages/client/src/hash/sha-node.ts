/**
 * The hashes the client computes (tensor digests, gossip message ids), on
 * Node's native crypto. `#sha` resolves here under Node and to
 * sha-browser.ts in browsers; both export the same functions.
 */
import { createHash } from 'node:crypto'

/** An incremental SHA-256. */
export interface Sha256Hasher {
  update(data: Uint8Array): void
  digest(): Uint8Array<ArrayBuffer>
}

export function sha256(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(data).digest())
}

export function createSha256(): Sha256Hasher {
  const hash = createHash('sha256')
  return {
    update: (data) => {
      hash.update(data)
    },
    digest: () => new Uint8Array(hash.digest()),
  }
}

/** SHA-1 in base64: gossipsub's fast message id, a cache key and no security boundary. */
export function sha1Base64(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('base64')
}
