import { signingKeyOfSeed } from '#platform'
import { InvalidSettlementInputError } from '../errors.js'

/**
 * An ed25519 signing key as every backend takes it: raw bytes, the same on
 * every platform (a backend keeps its own form of the key, e.g. node:crypto's
 * KeyObject, cached beside it).
 */
export interface SigningKey {
  readonly publicKey: Uint8Array
  /** seed(32) || publicKey(32), as libsodium (and tweetnacl) hold it. */
  readonly secretKey: Uint8Array
}

/** What {@link signingKeyFromSeed} throws: a seed of the wrong length. */
export type Ed25519KeyErrorType = InvalidSettlementInputError

/**
 * Wraps a 32-byte ed25519 seed (TON's `secretKey.subarray(0, 32)`) as a
 * signing key for any backend. Signatures are identical to tweetnacl's.
 * @throws {Ed25519KeyErrorType}
 */
export function signingKeyFromSeed(seed: Uint8Array): SigningKey {
  if (seed.length !== 32)
    throw new InvalidSettlementInputError('ed25519 seed must be 32 bytes', {
      details: `got ${seed.length} bytes`,
    })
  return signingKeyOfSeed(seed)
}
