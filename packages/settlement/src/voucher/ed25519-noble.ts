import { ed25519 } from '@noble/curves/ed25519.js'
import type { Ed25519Backend } from './ed25519.js'

/**
 * Pure-JS ed25519 from `@noble/curves` (audited, no native code): the
 * backend in browsers, where neither node:crypto nor sodium-native exists,
 * and everywhere with `COCOON_ED25519=noble`. Verification follows RFC 8032
 * strictly (`zip215: false`: canonical encodings only), as OpenSSL and
 * libsodium do, so all backends accept the same signatures.
 */
export const nobleEd25519: Ed25519Backend = {
  name: '@noble/curves',
  sign(message, key) {
    return Uint8Array.from(ed25519.sign(message, key.secretKey.subarray(0, 32)))
  },
  verify(message, signature, publicKey) {
    return ed25519.verify(signature, message, publicKey, { zip215: false })
  },
}

/** The public key of a 32-byte seed, computed by `@noble/curves`. */
export function noblePublicKey(seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(seed)
}
