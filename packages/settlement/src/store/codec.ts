import { CocoonError } from '@cocoon-mesh/protocol'
import { InvalidSettlementInputError } from '../errors.js'
import type { ClientChannelRecord, JobPaymentRecord, ProviderChannelRecord } from './records.js'

/**
 * Store record encodings. The hot per-voucher records (provider channel,
 * client channel, job) are written in a compact binary form; everything
 * else (and every record written by older versions) is JSON with `$n`
 * bigints and `$b` base64 bytes. A JSON record starts with `{` (0x7b), a
 * binary one with {@link BINARY_MAGIC}, so {@link decodeRecord} reads both.
 *
 * Binary layout: magic, kind, then the fields in a fixed order: strings as
 * u16 length + UTF-8, bigints as a length byte (bit 7 = negative) + big-endian
 * magnitude, bytes as u16 length + bytes, numbers as float64 BE, optional
 * fields behind a flags byte.
 */
export const BINARY_MAGIC = 0x01

enum Kind {
  provider = 1,
  client = 2,
  job = 3,
}

const FLAG_LAST_CLAIM = 1
const FLAG_JOB_PAID = 2
const FLAG_FINAL_COST = 1
const FLAG_FINISHED = 2
const FLAG_CLIENT_ROLE = 4

/** JSON with bigints and bytes, for small store records. */
export function encodeRecord(value: unknown): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return { $n: v.toString() }
      if (v instanceof Uint8Array) return { $b: Buffer.from(v).toString('base64') }
      return v
    }),
  )
}

/** Decodes a record in either encoding (binary or the JSON of {@link encodeRecord}). */
export function decodeRecord<T>(bytes: Uint8Array): T {
  if (bytes[0] === BINARY_MAGIC) {
    try {
      return decodeBinary(bytes) as T
    } catch (error) {
      if (error instanceof CocoonError) throw error
      throw truncated(error) // a read past the end (RangeError)
    }
  }
  return JSON.parse(new TextDecoder().decode(bytes), (_key, v: unknown) => {
    if (v !== null && typeof v === 'object') {
      const o = v as { $n?: string; $b?: string }
      if (typeof o.$n === 'string') return BigInt(o.$n)
      if (typeof o.$b === 'string') return Uint8Array.from(Buffer.from(o.$b, 'base64'))
    }
    return v
  }) as T
}

export function encodeProviderChannel(r: ProviderChannelRecord): Uint8Array {
  const w = new Writer(64 + 3 * (r.channel.length + r.jobId.length) + r.signature.length)
  w.header(
    Kind.provider,
    (r.lastClaimAt === undefined ? 0 : FLAG_LAST_CLAIM) | (r.jobPaid === undefined ? 0 : FLAG_JOB_PAID),
  )
  w.string(r.channel)
  w.bigint(r.newest)
  w.bytes(r.signature)
  w.string(r.jobId)
  w.bigint(r.claimed)
  if (r.lastClaimAt !== undefined) w.number(r.lastClaimAt)
  if (r.jobPaid !== undefined) w.bigint(r.jobPaid)
  w.number(r.updatedAt)
  return w.done()
}

export function encodeClientChannel(r: ClientChannelRecord): Uint8Array {
  const w = new Writer(48 + 3 * (r.channel.length + r.jobId.length) + r.signature.length)
  w.header(Kind.client, r.jobPaid === undefined ? 0 : FLAG_JOB_PAID)
  w.string(r.channel)
  w.bigint(r.signed)
  w.bytes(r.signature)
  w.string(r.jobId)
  if (r.jobPaid !== undefined) w.bigint(r.jobPaid)
  w.number(r.updatedAt)
  return w.done()
}

export function encodeJob(r: JobPaymentRecord): Uint8Array {
  const w = new Writer(64 + 3 * (r.channel.length + r.jobId.length))
  w.header(
    Kind.job,
    (r.finalCost === undefined ? 0 : FLAG_FINAL_COST) |
      (r.finished ? FLAG_FINISHED : 0) |
      (r.role === 'client' ? FLAG_CLIENT_ROLE : 0),
  )
  w.string(r.jobId)
  w.string(r.channel)
  w.bigint(r.paid)
  if (r.finalCost !== undefined) w.bigint(r.finalCost)
  w.number(r.updatedAt)
  return w.done()
}

function decodeBinary(bytes: Uint8Array): ProviderChannelRecord | ClientChannelRecord | JobPaymentRecord {
  const r = new Reader(bytes)
  const kind = r.u8()
  const flags = r.u8()
  switch (kind) {
    case Kind.provider: {
      const channel = r.string()
      const newest = r.bigint()
      const signature = r.bytes()
      const jobId = r.string()
      const claimed = r.bigint()
      const lastClaimAt = (flags & FLAG_LAST_CLAIM) !== 0 ? r.number() : undefined
      const jobPaid = (flags & FLAG_JOB_PAID) !== 0 ? r.bigint() : undefined
      const updatedAt = r.number()
      const record: ProviderChannelRecord = { channel, newest, signature, jobId, claimed, updatedAt }
      if (lastClaimAt !== undefined) record.lastClaimAt = lastClaimAt
      if (jobPaid !== undefined) record.jobPaid = jobPaid
      return record
    }
    case Kind.client: {
      const channel = r.string()
      const signed = r.bigint()
      const signature = r.bytes()
      const jobId = r.string()
      const jobPaid = (flags & FLAG_JOB_PAID) !== 0 ? r.bigint() : undefined
      const record: ClientChannelRecord = { channel, signed, signature, jobId, updatedAt: r.number() }
      if (jobPaid !== undefined) record.jobPaid = jobPaid
      return record
    }
    case Kind.job: {
      const jobId = r.string()
      const channel = r.string()
      const paid = r.bigint()
      const finalCost = (flags & FLAG_FINAL_COST) !== 0 ? r.bigint() : undefined
      const record: JobPaymentRecord = {
        jobId,
        channel,
        role: (flags & FLAG_CLIENT_ROLE) !== 0 ? 'client' : 'provider',
        paid,
        finished: (flags & FLAG_FINISHED) !== 0,
        updatedAt: r.number(),
      }
      if (finalCost !== undefined) record.finalCost = finalCost
      return record
    }
    default:
      throw new InvalidSettlementInputError('unknown store record kind', {
        details: `binary record kind ${kind}; the store was written by a newer version`,
      })
  }
}

class Writer {
  private readonly buf: Buffer
  private pos = 0

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size)
  }

  header(kind: Kind, flags: number): void {
    this.buf[0] = BINARY_MAGIC
    this.buf[1] = kind
    this.buf[2] = flags
    this.pos = 3
  }

  string(s: string): void {
    const n = this.buf.write(s, this.pos + 2, 'utf8')
    this.buf.writeUInt16BE(n, this.pos)
    this.pos += 2 + n
  }

  bytes(b: Uint8Array): void {
    this.buf.writeUInt16BE(b.length, this.pos)
    this.buf.set(b, this.pos + 2)
    this.pos += 2 + b.length
  }

  number(n: number): void {
    this.pos = this.buf.writeDoubleBE(n, this.pos)
  }

  bigint(v: bigint): void {
    const negative = v < 0n
    const m = negative ? -v : v
    const start = this.pos
    let len = 0
    if (m <= 0xffffffffffffn) {
      // fits 48 bits: plain number arithmetic
      let n = Number(m)
      const tmp: number[] = []
      while (n > 0) {
        tmp.push(n % 256)
        n = Math.floor(n / 256)
      }
      len = tmp.length
      for (let i = 0; i < len; i++) this.buf[start + 1 + i] = tmp[len - 1 - i] ?? 0
    } else {
      const hex = m.toString(16)
      len = this.buf.write(hex.length % 2 === 0 ? hex : `0${hex}`, start + 1, 'hex')
    }
    if (len > 0x7f)
      throw new InvalidSettlementInputError('store value too large', { details: `a ${len}-byte integer` })
    this.buf[start] = len | (negative ? 0x80 : 0)
    this.pos = start + 1 + len
  }

  done(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos)
  }
}

class Reader {
  private readonly buf: Buffer
  private pos = 1 // after the magic

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  u8(): number {
    return this.buf.readUInt8(this.pos++)
  }

  string(): string {
    const n = this.buf.readUInt16BE(this.pos)
    const end = this.pos + 2 + n
    if (end > this.buf.length) throw truncated()
    const s = this.buf.toString('utf8', this.pos + 2, end)
    this.pos = end
    return s
  }

  bytes(): Uint8Array {
    const n = this.buf.readUInt16BE(this.pos)
    const end = this.pos + 2 + n
    if (end > this.buf.length) throw truncated()
    const out = Uint8Array.from(this.buf.subarray(this.pos + 2, end))
    this.pos = end
    return out
  }

  number(): number {
    const n = this.buf.readDoubleBE(this.pos)
    this.pos += 8
    return n
  }

  bigint(): bigint {
    const head = this.u8()
    const len = head & 0x7f
    const end = this.pos + len
    if (end > this.buf.length) throw truncated()
    let v: bigint
    if (len <= 6) {
      let n = 0
      for (let i = this.pos; i < end; i++) n = n * 256 + (this.buf[i] ?? 0)
      v = BigInt(n)
    } else v = BigInt(`0x${this.buf.toString('hex', this.pos, end)}`)
    this.pos = end
    return (head & 0x80) !== 0 ? -v : v
  }
}

function truncated(cause?: unknown): InvalidSettlementInputError {
  return new InvalidSettlementInputError('truncated store record', {
    details: 'a binary voucher-store record ends early: the store file is damaged',
    cause,
  })
}
