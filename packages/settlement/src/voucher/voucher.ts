import type { Voucher } from '@cocoon-mesh/protocol'
import {
  InvalidSettlementInputError,
  InvalidVoucherError,
  VoucherSignatureError,
  VoucherWrongChannelError,
} from '../errors.js'
import { type Ed25519Backend, ed25519Backend } from './ed25519.js'
import type { SigningKey } from './keys.js'
import { resolveChannel, voucherHash } from './voucher-hash.js'

export interface SignVoucherParameters {
  key: SigningKey
  /** The channel contract address (any TON form). */
  channel: string
  /** Cumulative nanoTON paid through this channel, never decreasing. */
  amount: bigint
  jobId: string
  /** Default: {@link ed25519Backend} (sodium-native when it loads, else node:crypto). */
  ed25519?: Ed25519Backend
}

/** What {@link signVoucher} throws: a bad channel address or an amount out of range. */
export type SignVoucherErrorType = InvalidSettlementInputError

/**
 * Signs a voucher: ed25519 over the hash of the contract's voucher cell.
 * @throws {SignVoucherErrorType}
 */
export function signVoucher({ key, channel, amount, jobId, ed25519 }: SignVoucherParameters): Voucher {
  const { address, key: raw } = resolveChannel(channel)
  const signature = (ed25519 ?? ed25519Backend()).sign(voucherHash(address, amount), key)
  return { channel: raw, amount, jobId, signature }
}

export interface VerifyVoucherParameters {
  voucher: Voucher
  /** The client's ed25519 public key stored in the channel. */
  clientKey: Uint8Array
  /** When set, the voucher must be for this channel. */
  channel?: string
  /** Default: {@link ed25519Backend} (sodium-native when it loads, else node:crypto). */
  ed25519?: Ed25519Backend
}

/** What {@link verifyVoucher} throws. */
export type VerifyVoucherErrorType =
  | InvalidVoucherError
  | InvalidSettlementInputError
  | VoucherWrongChannelError
  | VoucherSignatureError

/**
 * Checks a voucher exactly as the contract will: the signature must verify
 * over the hash of (tag, channel address, amount). Throws a typed error;
 * returns the voucher with its channel in canonical raw form.
 * @throws {VerifyVoucherErrorType}
 */
export function verifyVoucher({ voucher, clientKey, channel, ed25519 }: VerifyVoucherParameters): Voucher {
  if (voucher.signature.length !== 64)
    throw new InvalidVoucherError('voucher signature must be 64 bytes', {
      details: `got ${voucher.signature.length} bytes`,
    })
  if (clientKey.length !== 32)
    throw new InvalidSettlementInputError('ed25519 public key must be 32 bytes', {
      details: `got ${clientKey.length} bytes`,
    })
  if (voucher.amount < 0n) throw new InvalidVoucherError('voucher amount is negative')
  const { address, key } = resolveChannel(voucher.channel)
  if (channel !== undefined && resolveChannel(channel).key !== key)
    throw new VoucherWrongChannelError('voucher is for another channel', {
      details: `expected ${channel}, got ${voucher.channel}`,
    })
  const ok = (ed25519 ?? ed25519Backend()).verify(
    voucherHash(address, voucher.amount),
    voucher.signature,
    clientKey,
  )
  if (!ok)
    throw new VoucherSignatureError('voucher signature does not verify', {
      details: `the signature over (channel ${key}, amount ${voucher.amount}) does not match the channel's client key`,
    })
  return voucher.channel === key ? voucher : { ...voucher, channel: key }
}
