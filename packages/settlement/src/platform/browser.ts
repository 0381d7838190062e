/**
 * What settlement takes from its platform, in browsers (and any bundle built
 * with the `browser` condition): hashes from `@noble/hashes`, ed25519 from
 * `@noble/curves`, random bytes from WebCrypto's `getRandomValues`, and no
 * environment. Same exports as `node.ts`, byte-identical results (a unit test
 * compares the two in Node).
 */
import type { ComponentLogger } from '@libp2p/interface'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import type { SodiumEd25519 } from '../voucher/ed25519.js'
import { noblePublicKey } from '../voucher/ed25519-noble.js'
import type { SigningKey } from '../voucher/keys.js'

export { nobleEd25519 as platformEd25519 } from '../voucher/ed25519-noble.js'

/** getRandomValues fills at most 65536 bytes per call. */
const MAX_RANDOM_CHUNK = 65_536

/** No native addon in a browser. */
export function loadSodium(_logger?: ComponentLogger): SodiumEd25519 | undefined {
  return undefined
}

/** A signing key from a seed the caller checked to be 32 bytes. */
export function signingKeyOfSeed(seed: Uint8Array): SigningKey {
  const publicKey = noblePublicKey(seed)
  const secretKey = new Uint8Array(64)
  secretKey.set(seed, 0)
  secretKey.set(publicKey, 32)
  return { publicKey, secretKey }
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data)
}

/** `n` cryptographically secure random bytes. */
export function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n)
  for (let i = 0; i < n; i += MAX_RANDOM_CHUNK)
    globalThis.crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + MAX_RANDOM_CHUNK)))
  return bytes
}

/** A page has no process environment: every setting takes its default. */
export function processEnv(): Record<string, string | undefined> {
  return {}
}

/** Runs `fn` on a later task, so writes caused by the current one share one batch. */
export function afterThisTick(fn: () => void): void {
  setTimeout(fn, 0)
}
