/**
 * What settlement takes from its platform, in Node: node:crypto for hashes,
 * random bytes and ed25519 (sodium-native first when it loads), and the
 * process environment. `browser.ts` has the same exports for browsers; the
 * package's `#platform` import picks one by export condition.
 */
import { hash, randomBytes as nodeRandomBytes } from 'node:crypto'

export {
  loadSodiumNative as loadSodium,
  nodeCryptoEd25519 as platformEd25519,
  nodeSigningKey as signingKeyOfSeed,
} from '../voucher/ed25519-node.js'

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  const digest = hash('sha256', data, 'buffer')
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

/** `n` cryptographically secure random bytes. */
export function randomBytes(n: number): Uint8Array {
  const bytes = nodeRandomBytes(n)
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** The environment settings are read from (`COCOON_ED25519`, the chain endpoint). */
export function processEnv(): Record<string, string | undefined> {
  return process.env
}

/** Runs `fn` once the current tick's I/O callbacks ran, so writes they cause share one batch. */
export function afterThisTick(fn: () => void): void {
  setImmediate(fn)
}
