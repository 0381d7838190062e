/**
 * What the protocol takes from its platform, in Node: node:crypto's hashes.
 * `browser.ts` has the same exports for browsers; the package's `#platform`
 * import picks one by export condition.
 */
import { createHash } from 'node:crypto'

/** SHA-512 of the concatenation of `parts`. */
export function sha512(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const hash = createHash('sha512')
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}
