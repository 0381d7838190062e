import type { Voucher } from '@cocoon-mesh/protocol'
import type { Datastore, Key } from 'interface-datastore'
import { InvalidSettlementInputError, VoucherOutOfOrderError, VoucherReplayedError } from '../errors.js'
import { ChannelLocks } from './channel-locks.js'
import { decodeRecord, encodeClientChannel, encodeJob, encodeProviderChannel, encodeRecord } from './codec.js'
import { type BatchCommit, type DurableEntry, DurableWriter, datastoreCommit } from './durable-writer.js'
import { clientKey, jobKey, metaKey, providerKey, RecordKeys } from './key-layout.js'
import {
  type ChannelMetaRecord,
  type ClientChannelRecord,
  type JobPaymentRecord,
  nextJobRecord,
  type ProviderChannelRecord,
} from './records.js'

export { type BatchCommit, type DurableEntry, datastoreCommit } from './durable-writer.js'
export type {
  ChannelMetaRecord,
  ClientChannelRecord,
  JobPaymentRecord,
  ProviderChannelRecord,
} from './records.js'

export interface VoucherStoreInit {
  /** Clock for record timestamps (ms). */
  now?: () => number
  /**
   * Writes one atomic batch and resolves once it is durable. Default
   * {@link datastoreCommit}: the datastore's own `batch().commit()`, as durable
   * as that datastore is (IndexedDB: a completed transaction; memory: none).
   * `openVoucherStore` of `@cocoon-mesh/settlement/node` passes LevelDB's
   * fsyncing `levelCommit`.
   */
  commit?: BatchCommit
  /** Runs on {@link VoucherStore.close} once pending writes settled, e.g. to close a datastore the opener opened. */
  onClose?: () => Promise<void>
}

/**
 * What a {@link VoucherStore} read or write throws: a damaged record
 * (`InvalidSettlementInputError`), or the datastore's own error (disk, lock, quota).
 */
export type VoucherStoreErrorType = InvalidSettlementInputError | Error

/** What {@link VoucherStore.acceptVoucher} throws. */
export type AcceptVoucherErrorType = VoucherReplayedError | VoucherOutOfOrderError | VoucherStoreErrorType

/**
 * What {@link VoucherStore.signNext} throws: a non-positive increment, the
 * store's errors, and whatever its `sign` and `limit` callbacks throw.
 */
export type SignNextErrorType = InvalidSettlementInputError | Error

/**
 * Crash-safe voucher book for both sides of a channel, on any
 * `interface-datastore` Datastore. Every mutation is committed (group commit,
 * one {@link BatchCommit} per batch) before its promise resolves, and
 * per-channel operations are serialized so amounts only ever grow: the
 * client signs a voucher only once its new total is committed, so a reopened
 * store never signs a lower or duplicate one. How durable a commit is belongs
 * to the datastore: fsync on LevelDB (`openVoucherStore`), a completed
 * transaction on IndexedDB (`datastore-idb`), nothing beyond the object's
 * life on a MemoryDatastore.
 *
 * A voucher writes one record per side in the steady state: the channel
 * record carries the running `jobPaid` of its job, and the job's own record
 * is (re)written, in the same atomic batch, only when the channel's job
 * changes (and by {@link VoucherStore.finishJob}). Reading a job merges the
 * two. A job pays through one channel.
 * @throws {VoucherStoreErrorType} from every method, besides the ones each names.
 */
export class VoucherStore {
  private readonly writer: DurableWriter
  /** The clock of its record timestamps (ms), {@link VoucherStoreInit.now}. */
  readonly now: () => number
  private readonly provider = new Map<string, ProviderChannelRecord | undefined>()
  private readonly client = new Map<string, ClientChannelRecord | undefined>()
  private readonly locks = new ChannelLocks()
  /** Unfinished jobs by role, then job id. */
  private readonly openJobs = {
    provider: new Map<string, JobPaymentRecord>(),
    client: new Map<string, JobPaymentRecord>(),
  }
  private readonly keys = new RecordKeys()

  private readonly onClose: (() => Promise<void>) | undefined

  constructor(
    private readonly datastore: Datastore,
    init: VoucherStoreInit = {},
  ) {
    this.writer = new DurableWriter(init.commit ?? datastoreCommit(datastore))
    this.now = init.now ?? Date.now
    this.onClose = init.onClose
  }

  /** Waits for pending writes, then runs {@link VoucherStoreInit.onClose}; the datastore is the caller's to close otherwise. */
  async close(): Promise<void> {
    await this.locks.settled()
    await this.onClose?.()
  }

  // ---- provider side ----

  async providerChannel(channel: string): Promise<ProviderChannelRecord | undefined> {
    if (!this.provider.has(channel)) this.provider.set(channel, await this.read(providerKey(channel)))
    return this.provider.get(channel)
  }

  /**
   * Records a verified voucher as the channel's newest. Resolves once it is on
   * disk, with how much it adds over the previous newest (credited to
   * `voucher.jobId`). Throws for an equal (replayed) or lower (out-of-order)
   * amount; the stored newest never decreases.
   * @throws {AcceptVoucherErrorType}
   */
  acceptVoucher(voucher: Voucher): Promise<{ credited: bigint; record: ProviderChannelRecord }> {
    return this.locks.run(voucher.channel, () => this.acceptLocked(voucher))
  }

  private async acceptLocked(voucher: Voucher): Promise<{ credited: bigint; record: ProviderChannelRecord }> {
    const channel = voucher.channel
    // cached after the first voucher of a channel / job: no await on the hot path
    const prev = this.provider.has(channel) ? this.provider.get(channel) : await this.providerChannel(channel)
    const newest = prev?.newest ?? 0n
    if (voucher.amount === newest && newest > 0n)
      throw new VoucherReplayedError('voucher replayed', {
        details: `channel ${channel} already holds a voucher for ${newest} nanoTON`,
      })
    if (voucher.amount <= newest)
      throw new VoucherOutOfOrderError('voucher lower than the newest one', {
        details: `channel ${channel}: got ${voucher.amount}, newest is ${newest} nanoTON`,
      })
    const credited = voucher.amount - newest
    const now = this.now()
    const jobId = voucher.jobId
    const job = this.openJobs.provider.get(jobId) ?? (await this.job('provider', jobId))
    const jobRecord = nextJobRecord(job, jobId, channel, 'provider', credited, now)
    const record: ProviderChannelRecord = {
      channel,
      newest: voucher.amount,
      signature: voucher.signature,
      jobId,
      claimed: prev?.claimed ?? 0n,
      jobPaid: jobRecord.paid,
      updatedAt: now,
    }
    // the claim timer counts from the last claim, or from the first voucher: counting from the
    // newest one let a client that keeps paying postpone every timed claim
    record.lastClaimAt = prev?.lastClaimAt ?? prev?.updatedAt ?? now
    const entry = { key: this.keys.of('provider', 'channel', channel), value: encodeProviderChannel(record) }
    if (prev?.jobId === jobId && prev.jobPaid !== undefined) await this.writer.write(entry)
    else await this.writer.write(entry, ...(await this.jobSwitchEntries('provider', prev, jobRecord)))
    this.provider.set(channel, record)
    this.remember(jobRecord)
    return { credited, record }
  }

  /** Records what the chain says was claimed; only ever raises it. */
  recordClaimed(channel: string, claimed: bigint): Promise<void> {
    return this.locks.run(channel, async () => {
      const prev = await this.providerChannel(channel)
      if (prev === undefined || claimed <= prev.claimed) return
      const record = { ...prev, claimed, lastClaimAt: this.now(), updatedAt: this.now() }
      await this.writer.write({
        key: this.keys.of('provider', 'channel', channel),
        value: encodeProviderChannel(record),
      })
      this.provider.set(channel, record)
    })
  }

  async providerChannels(): Promise<ProviderChannelRecord[]> {
    return this.list<ProviderChannelRecord>('/provider/channel')
  }

  // ---- client side ----

  async clientChannel(channel: string): Promise<ClientChannelRecord | undefined> {
    if (!this.client.has(channel)) this.client.set(channel, await this.read(clientKey(channel)))
    return this.client.get(channel)
  }

  /**
   * Raises the channel's signed total by `delta` for `jobId`, persists the new
   * high-water mark, and only then signs it with `sign`. After a restart the
   * client continues above the highest amount it ever signed.
   * @throws {SignNextErrorType}
   */
  async signNext(
    channel: string,
    jobId: string,
    delta: bigint,
    sign: (amount: bigint) => Voucher,
    limit?: (newTotal: bigint) => void,
  ): Promise<Voucher> {
    if (delta <= 0n)
      throw new InvalidSettlementInputError('voucher increment must be positive', { details: `got ${delta}` })
    return this.locks.run(channel, () => this.signLocked(channel, jobId, delta, sign, limit))
  }

  private async signLocked(
    channel: string,
    jobId: string,
    delta: bigint,
    sign: (amount: bigint) => Voucher,
    limit: ((newTotal: bigint) => void) | undefined,
  ): Promise<Voucher> {
    const prev = this.client.has(channel) ? this.client.get(channel) : await this.clientChannel(channel)
    const amount = (prev?.signed ?? 0n) + delta
    limit?.(amount)
    const voucher = sign(amount)
    const now = this.now()
    const job = this.openJobs.client.get(jobId) ?? (await this.job('client', jobId))
    const jobRecord = nextJobRecord(job, jobId, channel, 'client', delta, now)
    const record: ClientChannelRecord = {
      channel,
      signed: amount,
      signature: voucher.signature,
      jobId,
      jobPaid: jobRecord.paid,
      updatedAt: now,
    }
    const entry = { key: this.keys.of('client', 'channel', channel), value: encodeClientChannel(record) }
    if (prev?.jobId === jobId && prev.jobPaid !== undefined) await this.writer.write(entry)
    else await this.writer.write(entry, ...(await this.jobSwitchEntries('client', prev, jobRecord)))
    this.client.set(channel, record)
    this.remember(jobRecord)
    return voucher
  }

  async clientChannels(): Promise<ClientChannelRecord[]> {
    return this.list<ClientChannelRecord>('/client/channel')
  }

  // ---- channel metadata ----

  async putChannelMeta(meta: ChannelMetaRecord): Promise<void> {
    await this.writer.write({
      key: metaKey(meta.role, meta.address).toString(),
      value: encodeRecord(meta),
    })
  }

  async channelMeta(role: 'provider' | 'client', address: string): Promise<ChannelMetaRecord | undefined> {
    return this.read<ChannelMetaRecord>(metaKey(role, address))
  }

  async channelMetas(role?: 'provider' | 'client'): Promise<ChannelMetaRecord[]> {
    return this.list<ChannelMetaRecord>(role === undefined ? '/meta' : `/meta/${role}`)
  }

  // ---- jobs ----

  /**
   * A job's usage receipt: its record, with `paid` raised to its channel
   * record's `jobPaid` while that channel's newest voucher is for this job.
   */
  async job(role: 'provider' | 'client', jobId: string): Promise<JobPaymentRecord | undefined> {
    const cached = this.openJobs[role].get(jobId)
    if (cached !== undefined) return cached
    const record = await this.read<JobPaymentRecord>(jobKey(role, jobId))
    return record === undefined ? undefined : this.withChannelPaid(record)
  }

  private async withChannelPaid(record: JobPaymentRecord): Promise<JobPaymentRecord> {
    const channel =
      record.role === 'provider'
        ? await this.providerChannel(record.channel)
        : await this.clientChannel(record.channel)
    if (channel?.jobId !== record.jobId || channel.jobPaid === undefined || channel.jobPaid <= record.paid)
      return record
    return { ...record, paid: channel.jobPaid, updatedAt: Math.max(record.updatedAt, channel.updatedAt) }
  }

  /**
   * The job records to write with the first voucher of a job on a channel:
   * the new job's, and the previous job's (whose running total only its
   * channel record held until now).
   */
  private async jobSwitchEntries(
    role: 'provider' | 'client',
    prev: { jobId: string; jobPaid?: bigint } | undefined,
    jobRecord: JobPaymentRecord,
  ): Promise<DurableEntry[]> {
    const entries = [{ key: this.keys.of(role, 'job', jobRecord.jobId), value: encodeJob(jobRecord) }]
    if (prev !== undefined && prev.jobId !== jobRecord.jobId && prev.jobPaid !== undefined) {
      const before = this.openJobs[role].get(prev.jobId) ?? (await this.job(role, prev.jobId))
      if (before !== undefined)
        entries.push({ key: this.keys.of(role, 'job', before.jobId), value: encodeJob(before) })
    }
    return entries
  }

  /** Keeps unfinished job records in memory (saves a read per voucher); finished ones leave. */
  private remember(record: JobPaymentRecord): void {
    const open = this.openJobs[record.role]
    if (record.finished) open.delete(record.jobId)
    else {
      if (open.size >= 10_000) open.clear()
      open.set(record.jobId, record)
    }
  }

  /** Marks a job finished with its final billed cost (the usage receipt). */
  async finishJob(
    role: 'provider' | 'client',
    jobId: string,
    channel: string,
    finalCost: bigint,
  ): Promise<void> {
    await this.locks.run(channel, async () => {
      const job = await this.job(role, jobId)
      const record: JobPaymentRecord = {
        jobId,
        channel,
        role,
        paid: job?.paid ?? 0n,
        finalCost,
        finished: true,
        updatedAt: this.now(),
      }
      await this.writer.write({ key: this.keys.of(role, 'job', jobId), value: encodeJob(record) })
      this.remember(record)
    })
  }

  async jobs(role: 'provider' | 'client'): Promise<JobPaymentRecord[]> {
    const records = await this.list<JobPaymentRecord>(`/${role}/job`)
    return Promise.all(records.map((r) => this.openJobs[role].get(r.jobId) ?? this.withChannelPaid(r)))
  }

  // ---- internals ----

  private async read<T>(key: Key): Promise<T | undefined> {
    try {
      return decodeRecord<T>(await this.datastore.get(key))
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFoundError') return undefined
      throw error
    }
  }

  private async list<T>(prefix: string): Promise<T[]> {
    const out: T[] = []
    for await (const pair of this.datastore.query({ prefix })) out.push(decodeRecord<T>(pair.value))
    return out
  }
}
