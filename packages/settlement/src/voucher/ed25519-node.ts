import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto'
import { createRequire } from 'node:module'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { ComponentLogger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { InvalidSettlementInputError } from '../errors.js'
import type { Ed25519Backend, SodiumEd25519 } from './ed25519.js'
import type { SigningKey } from './keys.js'

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** The node:crypto private key of each signing key, made once (with the key) so no signature pays for it. */
const privateKeys = new WeakMap<SigningKey, KeyObject>()

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

/** A signing key from a seed the caller checked to be 32 bytes, with its node:crypto private key cached. */
export function nodeSigningKey(seed: Uint8Array): SigningKey {
  const privateKey = privateKeyFromSeed(seed)
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = Uint8Array.from(spki.subarray(SPKI_ED25519_PREFIX.length))
  const secretKey = new Uint8Array(64)
  secretKey.set(seed, 0)
  secretKey.set(publicKey, 32)
  const key: SigningKey = { publicKey, secretKey }
  privateKeys.set(key, privateKey)
  return key
}

function privateKeyOf(key: SigningKey): KeyObject {
  let privateKey = privateKeys.get(key)
  if (privateKey === undefined) {
    privateKey = privateKeyFromSeed(key.secretKey.subarray(0, 32))
    privateKeys.set(key, privateKey)
  }
  return privateKey
}

const publicKeyCache = new Map<string, KeyObject>()

/**
 * A cached node:crypto public key for a raw 32-byte ed25519 key.
 * @throws {InvalidSettlementInputError} for a key that is not 32 bytes.
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

/** OpenSSL through node:crypto: always available in Node; verify is the slow half (≈ 100 µs here). */
export const nodeCryptoEd25519: Ed25519Backend = {
  name: 'node:crypto',
  sign(message, key) {
    const signature = nodeSign(null, message, privateKeyOf(key))
    // a plain Uint8Array over the Buffer's own memory (copied if it is a slice of a shared pool)
    return signature.byteOffset === 0 && signature.byteLength === signature.buffer.byteLength
      ? new Uint8Array(signature.buffer, 0, signature.byteLength)
      : Uint8Array.from(signature)
  },
  verify(message, signature, publicKey) {
    return nodeVerify(null, message, publicKeyObject(publicKey), signature)
  },
}

/**
 * Loads the optional `sodium-native` addon (an optional peer dependency);
 * undefined (logged) when it is not installed or does not load here.
 */
export function loadSodiumNative(logger: ComponentLogger = defaultLogger()): SodiumEd25519 | undefined {
  try {
    const sodium = createRequire(import.meta.url)('sodium-native') as Partial<SodiumEd25519>
    if (typeof sodium.crypto_sign_detached !== 'function') return undefined
    if (typeof sodium.crypto_sign_verify_detached !== 'function') return undefined
    return sodium as SodiumEd25519
  } catch (error) {
    logger.forComponent('cocoon:settlement:ed25519')('sodium-native unavailable: %s', errorMessage(error))
    return undefined
  }
}
