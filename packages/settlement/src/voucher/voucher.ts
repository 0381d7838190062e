import { sign, verify } from 'node:crypto'
import type { Voucher } from '@cocoon-mesh/protocol'
import { InvalidVoucherError, VoucherSignatureError, VoucherWrongChannelError } from '../errors.js'
import { publicKeyObject, type SigningKey } from './keys.js'
import { channelKey, parseChannelAddress, voucherHash } from './voucher-hash.js'

export interface SignVoucherParameters {
  key: SigningKey
  /** The channel contract address (any TON form). */
  channel: string
  /** Cumulative nanoTON paid through this channel, never decreasing. */
  amount: bigint
  jobId: string
}

/** Signs a voucher: ed25519 over the hash of the contract's voucher cell. */
export function signVoucher({ key, channel, amount, jobId }: SignVoucherParameters): Voucher {
  const address = parseChannelAddress(channel)
  const signature = sign(null, voucherHash(address, amount), key.privateKey)
  return { channel: channelKey(address), amount, jobId, signature: Uint8Array.from(signature) }
}

export interface VerifyVoucherParameters {
  voucher: Voucher
  /** The client's ed25519 public key stored in the channel. */
  clientKey: Uint8Array
  /** When set, the voucher must be for this channel. */
  channel?: string
}

/**
 * Checks a voucher exactly as the contract will: the signature must verify
 * over the hash of (tag, channel address, amount). Throws a typed error;
 * returns the voucher with its channel in canonical raw form.
 */
export function verifyVoucher({ voucher, clientKey, channel }: VerifyVoucherParameters): Voucher {
  if (voucher.signature.length !== 64)
    throw new InvalidVoucherError('voucher signature must be 64 bytes', {
      details: `got ${voucher.signature.length} bytes`,
    })
  if (voucher.amount < 0n) throw new InvalidVoucherError('voucher amount is negative')
  const address = parseChannelAddress(voucher.channel)
  const key = channelKey(address)
  if (channel !== undefined && channelKey(parseChannelAddress(channel)) !== key)
    throw new VoucherWrongChannelError('voucher is for another channel', {
      details: `expected ${channel}, got ${voucher.channel}`,
    })
  const ok = verify(null, voucherHash(address, voucher.amount), publicKeyObject(clientKey), voucher.signature)
  if (!ok)
    throw new VoucherSignatureError('voucher signature does not verify', {
      details: `the signature over (channel ${key}, amount ${voucher.amount}) does not match the channel's client key`,
    })
  return { ...voucher, channel: key }
}
