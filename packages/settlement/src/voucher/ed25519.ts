import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { loadSodium, platformEd25519, processEnv } from '#platform'
import { nobleEd25519 } from './ed25519-noble.js'
import type { SigningKey } from './keys.js'

const COMPONENT = 'cocoon:settlement:ed25519'

/** Which library computes ed25519 signatures. */
export type Ed25519BackendName = 'sodium-native' | 'node:crypto' | '@noble/curves'

/**
 * One ed25519 implementation. All backends produce byte-identical
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

/**
 * `auto`: sodium-native when it loads, else the platform's own (node:crypto
 * in Node, @noble/curves in browsers); `node`: never sodium-native, the
 * platform's own; `sodium`: prefer sodium-native; `noble`: @noble/curves.
 */
export type Ed25519Preference = 'auto' | 'sodium' | 'node' | 'noble'

export interface SelectEd25519Options {
  /** Default: the `COCOON_ED25519` environment variable (`node`, `sodium`, `noble`, `auto`), else `auto`. */
  prefer?: Ed25519Preference
  /** Loads sodium-native (injectable for tests); default: `loadSodiumNative` in Node, none in browsers. */
  loadSodium?: () => SodiumEd25519 | undefined
  /** Environment to read `COCOON_ED25519` from; default `process.env` in Node, none in browsers. */
  env?: Record<string, string | undefined>
  /** Default `defaultLogger()` of @libp2p/logger. */
  logger?: ComponentLogger
}

/**
 * Chooses the ed25519 backend at run time: sodium-native when it loads
 * (an optional peer dependency), otherwise the platform's own: node:crypto
 * in Node, @noble/curves in browsers. `COCOON_ED25519=node` forces the
 * platform's own, `noble` forces @noble/curves. An unknown value counts as
 * `auto` (logged).
 */
export function selectEd25519Backend(options: SelectEd25519Options = {}): Ed25519Backend {
  const logger = options.logger ?? defaultLogger()
  const log = logger.forComponent(COMPONENT)
  const prefer = options.prefer ?? preferenceFromEnv(options.env ?? processEnv(), log)
  if (prefer === 'noble') return nobleEd25519
  if (prefer !== 'node') {
    const sodium = (options.loadSodium ?? (() => loadSodium(logger)))()
    if (sodium !== undefined) return sodiumEd25519(sodium)
    if (prefer === 'sodium')
      log('COCOON_ED25519=sodium but sodium-native does not load; using %s', platformEd25519.name)
  }
  return platformEd25519
}

function preferenceFromEnv(env: Record<string, string | undefined>, log: Logger): Ed25519Preference {
  const value = env.COCOON_ED25519?.trim().toLowerCase()
  if (value === undefined || value === '' || value === 'auto') return 'auto'
  if (value === 'node' || value === 'node:crypto' || value === 'openssl') return 'node'
  if (value === 'sodium' || value === 'sodium-native' || value === 'libsodium') return 'sodium'
  if (value === 'noble' || value === '@noble/curves') return 'noble'
  log('ignoring COCOON_ED25519=%s (expected node, sodium, noble or auto)', value)
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
