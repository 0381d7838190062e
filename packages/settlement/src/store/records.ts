/** What the voucher store keeps per channel, per channel's metadata and per job, on each side. */

/** The provider's view of one channel: its newest voucher and what it claimed on chain. */
export interface ProviderChannelRecord {
  channel: string
  /** Newest (highest) cumulative voucher amount accepted. */
  newest: bigint
  signature: Uint8Array
  jobId: string
  /** Claimed on chain so far (as last observed). */
  claimed: bigint
  /**
   * When a claim (or close) was last confirmed, ms; before the first claim, when
   * the first voucher arrived (absent in records of older versions).
   */
  lastClaimAt?: number
  /**
   * What `jobId` has paid so far including this voucher (its usage receipt's
   * `paid`, kept here so a voucher costs one record, not two; see
   * {@link VoucherStore.job}). Absent in records of older versions.
   */
  jobPaid?: bigint
  updatedAt: number
}

/** What either side remembers about a channel it is party to (for `cocoon channel list`). */
export interface ChannelMetaRecord {
  address: string
  role: 'provider' | 'client'
  channelId: bigint
  client: string
  provider: string
  clientKey: Uint8Array
  providerKey: Uint8Array
  exitDelay: number
  /** The counterpart's peer id, when known. */
  peerId?: string
  createdAt: number
}

/** The client's view of one channel: the highest amount it ever signed. */
export interface ClientChannelRecord {
  channel: string
  signed: bigint
  signature: Uint8Array
  jobId: string
  /** What `jobId` has paid so far including this voucher (as in {@link ProviderChannelRecord.jobPaid}). */
  jobPaid?: bigint
  updatedAt: number
}

/** Per-job usage receipt kept by both sides. */
export interface JobPaymentRecord {
  jobId: string
  channel: string
  role: 'provider' | 'client'
  /** nanoTON covered by vouchers for this job (the job's share of the channel total). */
  paid: bigint
  /** The final billed cost once the job finished. */
  finalCost?: bigint
  finished: boolean
  updatedAt: number
}

/** The job's record after a voucher added `delta` to it. */
export function nextJobRecord(
  job: JobPaymentRecord | undefined,
  jobId: string,
  channel: string,
  role: 'provider' | 'client',
  delta: bigint,
  now: number,
): JobPaymentRecord {
  const record: JobPaymentRecord = {
    jobId,
    channel,
    role,
    paid: (job?.paid ?? 0n) + delta,
    finished: job?.finished ?? false,
    updatedAt: now,
  }
  if (job?.finalCost !== undefined) record.finalCost = job.finalCost
  return record
}
