/**
 * What the protocol takes from its platform, in browsers (and any bundle
 * built with the `browser` condition): `@noble/hashes`. Same exports as
 * `node.ts`, byte-identical results (a unit test compares the two in Node).
 */
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js'

/** SHA-512 of the concatenation of `parts`. */
export function sha512(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const hash = nobleSha512.create()
  for (const part of parts) hash.update(part)
  return Uint8Array.from(hash.digest())
}
