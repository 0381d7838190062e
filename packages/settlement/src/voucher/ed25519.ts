import { sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import { createRequire } from 'node:module'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { publicKeyObject, type SigningKey } from './keys.js'

const COMPONENT = 'cocoon:settlement:ed25519'

/** Which library computes ed25519 signatures. */
export type Ed25519BackendName = 'sodium-native' | 'node:crypto'

/**
 * One ed25519 implementation. Both backends produce byte-identical
 * signatures (ed25519 is deterministic) and accept each other's. Callers
 * check key and signature lengths first (with typed errors): a backend may
 * throw a bare error on a wrong length.
 */
export interface Ed25519Backend {
  readonly name: Ed25519BackendName
  /** The 64-byte signature of `message` by `key`. */
  sign(message: Uint8Array, key: SigningKey): Uint8Array<ArrayBuffer>
  /** Whether `signature` (64 bytes) is `publicKey`'s (32 bytes) over `message`. */
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean
}

/** The subset of `sodium-native` the sodium backend calls. */
export interface SodiumEd25519 {
  crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
}

/** OpenSSL through node:crypto: always available; verify is the slow half (≈ 100 µs here). */
export const nodeCryptoEd25519: Ed25519Backend = {
  name: 'node:crypto',
  sign(message, key) {
    const signature = nodeSign(null, message, key.privateKey)
    // a plain Uint8Array over the Buffer's own memory (copied if it is a slice of a shared pool)
    return signature.byteOffset === 0 && signature.byteLength === signature.buffer.byteLength
      ? new Uint8Array(signature.buffer, 0, signature.byteLength)
      : Uint8Array.from(signature)
  },
  verify(message, signature, publicKey) {
    return nodeVerify(null, message, publicKeyObject(publicKey), signature)
  },
}

/** libsodium through `sodium-native` (about twice node:crypto's rate on both halves, measured by the bench). */
export function sodiumEd25519(sodium: SodiumEd25519): Ed25519Backend {
  return {
    name: 'sodium-native',
    sign(message, key) {
      const signature = new Uint8Array(64)
      sodium.crypto_sign_detached(signature, message, key.secretKey)
      return signature
    },
    verify(message, signature, publicKey) {
      return sodium.crypto_sign_verify_detached(signature, message, publicKey)
    },
  }
}

/** Loads the optional `sodium-native` addon; undefined (logged) when it is not installed or does not load here. */
export function loadSodiumNative(logger: ComponentLogger = defaultLogger()): SodiumEd25519 | undefined {
  try {
    const sodium = createRequire(import.meta.url)('sodium-native') as Partial<SodiumEd25519>
    if (typeof sodium.crypto_sign_detached !== 'function') return undefined
    if (typeof sodium.crypto_sign_verify_detached !== 'function') return undefined
    return sodium as SodiumEd25519
  } catch (error) {
    logger.forComponent(COMPONENT)('sodium-native unavailable: %s', errorMessage(error))
    return undefined
  }
}

/** `auto`: sodium-native when it loads, else node:crypto; `node`: always node:crypto; `sodium`: prefer sodium-native. */
export type Ed25519Preference = 'auto' | 'sodium' | 'node'

export interface SelectEd25519Options {
  /** Default: the `COCOON_ED25519` environment variable (`node`, `sodium`, `auto`), else `auto`. */
  prefer?: Ed25519Preference
  /** Loads sodium-native (injectable for tests); default {@link loadSodiumNative}. */
  loadSodium?: () => SodiumEd25519 | undefined
  /** Environment to read `COCOON_ED25519` from; default `process.env`. */
  env?: Record<string, string | undefined>
  /** Default `defaultLogger()` of @libp2p/logger. */
  logger?: ComponentLogger
}

/**
 * Chooses the ed25519 backend at run time: sodium-native when it loads
 * (it is an optional dependency), otherwise node:crypto. `COCOON_ED25519=node`
 * forces node:crypto. An unknown value counts as `auto` (logged).
 */
export function selectEd25519Backend(options: SelectEd25519Options = {}): Ed25519Backend {
  const logger = options.logger ?? defaultLogger()
  const log = logger.forComponent(COMPONENT)
  const prefer = options.prefer ?? preferenceFromEnv(options.env ?? process.env, log)
  if (prefer !== 'node') {
    const sodium = (options.loadSodium ?? (() => loadSodiumNative(logger)))()
    if (sodium !== undefined) return sodiumEd25519(sodium)
    if (prefer === 'sodium') log('COCOON_ED25519=sodium but sodium-native does not load; using node:crypto')
  }
  return nodeCryptoEd25519
}

function preferenceFromEnv(env: Record<string, string | undefined>, log: Logger): Ed25519Preference {
  const value = env.COCOON_ED25519?.trim().toLowerCase()
  if (value === undefined || value === '' || value === 'auto') return 'auto'
  if (value === 'node' || value === 'node:crypto' || value === 'openssl') return 'node'
  if (value === 'sodium' || value === 'sodium-native' || value === 'libsodium') return 'sodium'
  log('ignoring COCOON_ED25519=%s (expected node, sodium or auto)', value)
  return 'auto'
}

let defaultBackend: Ed25519Backend | undefined

/**
 * The process-wide backend, selected once on first use by
 * {@link selectEd25519Backend}. Process-wide because the choice depends only
 * on the process (which addon loads, `COCOON_ED25519`) and every backend
 * signs the same bytes, so nodes sharing a process share it; its one log line
 * therefore goes to the default logger, not a node's.
 */
export function ed25519Backend(): Ed25519Backend {
  if (defaultBackend === undefined) {
    const logger = defaultLogger()
    defaultBackend = selectEd25519Backend({ logger })
    logger.forComponent(COMPONENT)('ed25519 backend: %s', defaultBackend.name)
  }
  return defaultBackend
}
