import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { InvalidSettlementInputError } from '../errors.js'

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** An ed25519 signing key held as node:crypto KeyObjects (the fast path). */
export interface SigningKey {
  readonly privateKey: KeyObject
  readonly publicKey: Uint8Array
}

/**
 * Wraps a 32-byte ed25519 seed (TON's `secretKey.subarray(0, 32)`) as a
 * node:crypto key. Signatures are identical to tweetnacl's.
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
  return { privateKey, publicKey: Uint8Array.from(spki.subarray(SPKI_ED25519_PREFIX.length)) }
}

const publicKeyCache = new Map<string, KeyObject>()

/** A cached node:crypto public key for a raw 32-byte ed25519 key. */
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
