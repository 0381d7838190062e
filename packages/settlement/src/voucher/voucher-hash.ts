import { Address, beginCell, type Cell } from '@ton/core'
import { sha256 } from '#platform'
import { InvalidSettlementInputError } from '../errors.js'

/** The 32-bit tag that domain-separates voucher cells from anything else signed. */
export const VOUCHER_TAG = 0x76636872

const MAX_COINS = (1n << 120n) - 1n

/** The voucher cell exactly as the contract builds it: tag, channel address, cumulative amount. */
export function voucherCell(channel: Address, amount: bigint): Cell {
  return beginCell().storeUint(VOUCHER_TAG, 32).storeAddress(channel).storeCoins(amount).endCell()
}

/** What {@link voucherHash} throws. */
export type VoucherHashErrorType = InvalidSettlementInputError

/**
 * The 32 bytes the client signs and the contract checks: the representation
 * hash of {@link voucherCell}. Computed directly (an ordinary cell without
 * refs hashes as sha256(d1, d2, padded data)), which is several times faster
 * than building a Cell; tests check both agree.
 * @throws {VoucherHashErrorType} for an amount outside 0..2^120-1.
 */
export function voucherHash(channel: Address, amount: bigint): Uint8Array {
  if (amount < 0n || amount > MAX_COINS)
    throw new InvalidSettlementInputError('voucher amount out of range', {
      details: `amount must be 0..2^120-1 nanoTON, got ${amount}`,
    })
  const small = amount <= BigInt(Number.MAX_SAFE_INTEGER)
  let len = 0
  if (small) for (let a = Number(amount); a > 0; a = Math.floor(a / 256)) len++
  else for (let a = amount; a > 0n; a >>= 8n) len++
  const bits = PREFIX_BITS + 4 + 8 * len
  const bytes = Math.ceil(bits / 8)
  const buf = new Uint8Array(2 + bytes)
  buf[0] = 0 // d1: no refs, ordinary, level 0
  buf[1] = Math.floor(bits / 8) + bytes // d2
  buf.set(voucherPrefix(channel), 2)
  const w = new BitWriter(buf, 16 + PREFIX_BITS)
  w.write(len, 4)
  if (small) {
    let v = Number(amount)
    const out = new Uint8Array(len)
    for (let i = len - 1; i >= 0; i--) {
      out[i] = v % 256
      v = Math.floor(v / 256)
    }
    w.writeBytes(out)
  } else w.writeBytes(bigintBytes(amount, len))
  if (bits % 8 !== 0) w.write(1, 1) // completion tag
  return sha256(buf)
}

/** Bits of the voucher cell before the amount: tag, addr_std$10, no anycast, workchain, hash. */
const PREFIX_BITS = 32 + 267

const prefixes = new WeakMap<Address, Uint8Array>()

/** The first {@link PREFIX_BITS} bits of the cell data for `channel` (cached per Address object). */
function voucherPrefix(channel: Address): Uint8Array {
  let prefix = prefixes.get(channel)
  if (prefix === undefined) {
    prefix = new Uint8Array(Math.ceil(PREFIX_BITS / 8))
    const w = new BitWriter(prefix, 0)
    w.write(VOUCHER_TAG, 32)
    w.write(2, 2) // addr_std$10
    w.write(0, 1) // anycast: nothing
    w.write(channel.workChain & 0xff, 8)
    w.writeBytes(channel.hash)
    prefixes.set(channel, prefix)
  }
  return prefix
}

class BitWriter {
  constructor(
    private readonly buf: Uint8Array,
    private pos: number,
  ) {}

  /** Writes the low `bits` bits of a non-negative number (bits <= 32). */
  write(value: number, bits: number): void {
    let left = bits
    while (left > 8) {
      left -= 8
      this.writeSmall(Math.floor(value / 2 ** left) & 0xff, 8)
    }
    this.writeSmall(value & ((1 << left) - 1), left)
  }

  writeBytes(bytes: Uint8Array): void {
    for (const byte of bytes) this.writeSmall(byte, 8)
  }

  /** Up to 8 bits, straddling at most two bytes. */
  private writeSmall(value: number, bits: number): void {
    const index = this.pos >> 3
    const window = value << (16 - (this.pos & 7) - bits)
    this.buf[index] = (this.buf[index] ?? 0) | (window >> 8)
    if ((window & 0xff) !== 0) this.buf[index + 1] = (this.buf[index + 1] ?? 0) | (window & 0xff)
    this.pos += bits
  }
}

function bigintBytes(value: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len)
  let v = value
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

/** What {@link parseChannelAddress} and {@link resolveChannel} throw. */
export type ParseChannelAddressErrorType = InvalidSettlementInputError

/**
 * Parses a channel address in any TON form, with a typed error.
 * @throws {ParseChannelAddressErrorType}
 */
export function parseChannelAddress(channel: string): Address {
  return resolveChannel(channel).address
}

/** A parsed channel address and its canonical store key. */
export interface ResolvedChannel {
  readonly address: Address
  /** Raw `wc:hex` form ({@link channelKey}). */
  readonly key: string
}

const resolved = new Map<string, ResolvedChannel>()

/**
 * Parses a channel address (any TON form) and its raw key, cached by the
 * input string: a channel carries thousands of vouchers, each naming it.
 * @throws {ParseChannelAddressErrorType}
 */
export function resolveChannel(channel: string): ResolvedChannel {
  let entry = resolved.get(channel)
  if (entry === undefined) {
    const address = parseAddress(channel)
    entry = { address, key: channelKey(address) }
    if (resolved.size >= 4096) resolved.clear()
    resolved.set(channel, entry)
  }
  return entry
}

function parseAddress(channel: string): Address {
  try {
    return Address.parse(channel)
  } catch (cause) {
    throw new InvalidSettlementInputError('invalid channel address', {
      details: `"${channel.slice(0, 80)}" is not a TON address (raw 0:hex or friendly form)`,
      cause,
    })
  }
}

/** The canonical string of a channel used as a store key: raw `wc:hex`. */
export function channelKey(channel: Address): string {
  return channel.toRawString()
}
