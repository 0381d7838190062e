import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { InvalidSettlementInputError } from '../errors.js'

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/**
 * An ed25519 signing key in the two forms the backends take: a node:crypto
 * KeyObject and libsodium's 64-byte secret key (seed || public key).
 */
export interface SigningKey {
  readonly privateKey: KeyObject
  readonly publicKey: Uint8Array
  /** seed(32) || publicKey(32), as libsodium (and tweetnacl) hold it. */
  readonly secretKey: Uint8Array
}

/** What {@link signingKeyFromSeed} and {@link publicKeyObject} throw: a key of the wrong length. */
export type Ed25519KeyErrorType = InvalidSettlementInputError

/**
 * Wraps a 32-byte ed25519 seed (TON's `secretKey.subarray(0, 32)`) as a
 * signing key for either backend. Signatures are identical to tweetnacl's.
 * @throws {Ed25519KeyErrorType}
 */
export function signingKeyFromSeed(seed: Uint8Array): SigningKey {
  if (seed.length !== 32)
    throw new InvalidSettlementInputError('ed25519 seed must be 32 bytes', {
      details: `got ${seed.length} bytes`,
    })
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = Uint8Array.from(spki.subarray(SPKI_ED25519_PREFIX.length))
  const secretKey = new Uint8Array(64)
  secretKey.set(seed, 0)
  secretKey.set(publicKey, 32)
  return { privateKey, publicKey, secretKey }
}

const publicKeyCache = new Map<string, KeyObject>()

/**
 * A cached node:crypto public key for a raw 32-byte ed25519 key.
 * @throws {Ed25519KeyErrorType}
 */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32)
    throw new InvalidSettlementInputError('ed25519 public key must be 32 bytes', {
      details: `got ${publicKey.length} bytes`,
    })
  const id = Buffer.from(publicKey).toString('hex')
  let key = publicKeyCache.get(id)
  if (key === undefined) {
    key = createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    })
    if (publicKeyCache.size > 4096) publicKeyCache.clear()
    publicKeyCache.set(id, key)
  }
  return key
}
