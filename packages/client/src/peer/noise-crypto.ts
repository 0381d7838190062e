import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'
import { asCrypto, defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'

const CHACHA = 'chacha20-poly1305'
const TAG = 16
/** Below this size the WebAssembly ChaCha20-Poly1305 beats a node:crypto cipher (noise's own threshold). */
const SMALL = 1200

/** What noise's cipher returns: a `Uint8Array` or a `Uint8ArrayList` of the uint8arraylist 2.x noise bundles. */
type Bytes = ReturnType<ICryptoInterface['chaCha20Poly1305Encrypt']>
// a 3.x list (this package's, libp2p's) has the members and brand symbol noise's 2.x checks at run
// time, but the two classes' types are nominal (private fields, a unique symbol), hence the cast
const list = (...bufs: Uint8Array[]): Bytes => new Uint8ArrayList(...bufs) as unknown as Bytes

/**
 * One `KeyObject` per noise cipher-state key. noise calls the cipher with the
 * same `k` array for every transport message, and `createCipheriv` with a
 * raw key re-imports it each time (measured: ~1.4x the bytes/s for 64 KiB
 * messages and ~4x the ciphers/s for small ones with a KeyObject).
 */
const keys = new WeakMap<Uint8Array, KeyObject>()

function keyObject(k: Uint8Array): KeyObject {
  let key = keys.get(k)
  if (key === undefined) {
    key = createSecretKey(k)
    keys.set(k, key)
  }
  return key
}

/**
 * The noise crypto for Node: noise's default (node:crypto ChaCha20-Poly1305
 * for large messages, WebAssembly for small ones, node:crypto X25519 and
 * SHA-256) with the cipher keys imported once per session and no copy to
 * join ciphertext and tag. The wire format is unchanged.
 */
export const nodeNoiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt(plaintext, nonce, ad, k) {
    if (plaintext.byteLength < SMALL) return asCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
    const cipher = createCipheriv(CHACHA, keyObject(k), nonce, { authTagLength: TAG })
    cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
    const output: Uint8Array[] = []
    if (plaintext instanceof Uint8Array) output.push(cipher.update(plaintext))
    else for (const buf of plaintext) output.push(cipher.update(buf))
    const final = cipher.final()
    if (final.byteLength > 0) output.push(final)
    output.push(cipher.getAuthTag())
    return list(...output)
  },
  chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst) {
    if (ciphertext.byteLength < SMALL) return asCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
    const length = ciphertext.byteLength - TAG
    const decipher = createDecipheriv(CHACHA, keyObject(k), nonce, { authTagLength: TAG })
    decipher.setAAD(ad, { plaintextLength: length })
    decipher.setAuthTag(ciphertext.subarray(length))
    if (ciphertext instanceof Uint8Array) {
      const output = decipher.update(ciphertext.subarray(0, length))
      const final = decipher.final()
      return final.byteLength > 0 ? list(output, final) : output
    }
    const output: Uint8Array[] = []
    for (const buf of ciphertext.sublist(0, length)) output.push(decipher.update(buf))
    const final = decipher.final()
    if (final.byteLength > 0) output.push(final)
    return list(...output)
  },
}

/** What `#noise-crypto` gives create-peer under Node (noise-crypto-browser.ts gives noise's own in browsers). */
export const noiseCrypto: ICryptoInterface | undefined = nodeNoiseCrypto
