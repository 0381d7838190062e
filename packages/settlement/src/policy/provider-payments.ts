import { type JobRequest, type Prices, systemTimers, type Timers, type Voucher } from '@cocoon-mesh/protocol'
import {
  type ChannelProofError,
  ChannelUnusableError,
  CreditWindowExhaustedError,
  type InvalidSettlementInputError,
  PaymentAbortedError,
  PaymentRequiredError,
  VoucherOutOfOrderError,
  VoucherOverBudgetError,
  VoucherReplayedError,
} from '../errors.js'
import { noPayments, type ProviderPaymentSession, type ProviderPayments } from '../payment-session.js'
import type { AcceptVoucherErrorType, VoucherStore } from '../store/voucher-store.js'
import { type VerifyVoucherErrorType, verifyVoucher } from '../voucher/voucher.js'
import { channelKey, parseChannelAddress } from '../voucher/voucher-hash.js'
import { type ChannelCredit, ChannelCredits, unrefTimers } from './channel-credit.js'
import { checkChannelProofBinding, checkChannelProofSignature, JobReplayCache } from './channel-proof.js'

/** What the provider needs to know about a channel before serving against it. */
export interface ChannelTerms {
  clientKey: Uint8Array
  /** Deposit on chain (the most any voucher can be worth). */
  deposit: bigint
  /** Whether the channel's provider address is this node's wallet. */
  payableToUs: boolean
  closed: boolean
  exitStarted: boolean
}

export interface ProviderPaymentsInit {
  store: VoucherStore
  /** Looks a channel up (on chain, usually cached); undefined when it does not exist. */
  channelTerms: (channel: string) => Promise<ChannelTerms | undefined>
  /**
   * nanoTON of work served ahead of covering vouchers, per channel: the
   * channel's open jobs share it.
   */
  creditWindow: bigint
  /** How long reserve() waits for a voucher before giving up, ms. */
  voucherTimeout: number
  /**
   * Serve jobs that name no channel, for free. Default false: a provider
   * with payments refuses them with PaymentRequiredError.
   */
  freeJobs?: boolean
  /** The provider's clock for the channel proof's `issuedAt`, Unix ms. Default `Date.now`. */
  now?: () => number
  /** Allowed clock difference for `issuedAt`, ms. Default `MAX_CLOCK_DRIFT_MS`. */
  maxDriftMs?: number
  /** Most (channel, job id) pairs remembered against replays. Default 100 000. */
  maxReplayEntries?: number
  /**
   * Timers for the voucher waits and the write-off of ended jobs' unpaid
   * work (the simulator and tests pass virtual ones). Default: the process's
   * timers, with the write-off timers unref'd so they never keep it alive.
   */
  timers?: Timers
}

/**
 * What the provider session's `openSession` throws: the request names no
 * channel and `freeJobs` is off (`PaymentRequiredError`); it does not
 * prove it holds the channel's client key (`ChannelProofError`, its `reason`
 * says which proof); the channel is unknown,
 * pays someone else, is closing or underfunded; a bad channel address; or
 * the `channelTerms` lookup's and the store's own errors.
 */
export type ProviderOpenSessionErrorType =
  | PaymentRequiredError
  | ChannelProofError
  | ChannelUnusableError
  | InvalidSettlementInputError
  | Error

/** What the provider session's `reserve` throws: the job was aborted, or no covering voucher came in time. */
export type ProviderReserveErrorType = PaymentAbortedError | CreditWindowExhaustedError

/** What the provider session's `acceptVoucher` throws: a bad voucher, one above the deposit, or the store's errors. */
export type ProviderAcceptVoucherErrorType =
  | VerifyVoucherErrorType
  | VoucherOverBudgetError
  | AcceptVoucherErrorType

/**
 * Provider side of the payment policy: the channel proof, the per-channel
 * credit window, voucher checks, usage receipts.
 *
 * A job naming a channel is served only when its JobRequest proves the
 * requester holds the channel's client key ({@link checkChannelProofBinding},
 * {@link checkChannelProofSignature}) and
 * its (channel, job id) pair is new ({@link JobReplayCache}). The credit
 * window belongs to the channel: every open job on it draws on the same
 * window, and work delivered but not yet covered by a voucher (including a
 * finished job's unpaid remainder, for `voucherTimeout` after the job ended)
 * holds it. A `reserve` that would take the
 * channel's unpaid work past the window waits for a voucher, up to
 * `voucherTimeout`, then fails with CreditWindowExhaustedError; so a new job
 * on a channel whose window is used up waits rather than being refused (a
 * final voucher from the previous job is usually on its way).
 *
 * The per-channel state lives in memory. After a restart a channel starts
 * with its whole window above its newest stored voucher: what was delivered
 * and not paid before the restart is at most one window plus a final prompt
 * cost, the risk the provider took by extending credit.
 *
 * `openSession` throws {@link ProviderOpenSessionErrorType}; a session's
 * `reserve` {@link ProviderReserveErrorType}, `acceptVoucher`
 * {@link ProviderAcceptVoucherErrorType}, `finish` the store's errors.
 */
export function providerPayments(init: ProviderPaymentsInit): ProviderPayments {
  const timers: SessionTimers = {
    wait: init.timers ?? systemTimers,
    writeOff: init.timers ?? unrefTimers,
  }
  const now = init.now ?? Date.now
  const replays = new JobReplayCache({
    now,
    ...(init.maxDriftMs === undefined ? {} : { maxDriftMs: init.maxDriftMs }),
    ...(init.maxReplayEntries === undefined ? {} : { maxEntries: init.maxReplayEntries }),
  })
  const credits = new ChannelCredits(init.creditWindow)
  return {
    async openSession(
      request: JobRequest,
      _price: Prices,
      _client: Uint8Array,
      self: Uint8Array,
    ): Promise<ProviderPaymentSession> {
      if (request.channel === '') return unpaidSession(init, request)
      const channel = channelKey(parseChannelAddress(request.channel))
      const proof = {
        request,
        channel,
        provider: self,
        now: now(),
        ...(init.maxDriftMs === undefined ? {} : { maxDriftMs: init.maxDriftMs }),
      }
      checkChannelProofBinding(proof) // before the chain lookup: an unproven request costs no query
      const terms = await usableTerms(init, channel)
      checkChannelProofSignature({ request, channel, channelClientKey: terms.clientKey })
      replays.claim(channel, request.jobId, request.issuedAt)
      const paid = (await init.store.job('provider', request.jobId))?.paid ?? 0n
      return new ProviderSession(init, timers, credits.open(channel), {
        jobId: request.jobId,
        channel,
        terms,
        paid,
      })
    },
  }
}

/** A job without a channel: free when the provider's config allows it, else refused. */
async function unpaidSession(
  init: ProviderPaymentsInit,
  request: JobRequest,
): Promise<ProviderPaymentSession> {
  if (init.freeJobs !== true)
    throw new PaymentRequiredError('this provider serves paid jobs only', {
      details: `job ${request.jobId} names no payment channel: open one to this provider (\`cocoon channel open --provider <peer id> --deposit <TON>\`) and send the job with it`,
    })
  return noPayments.openSession(request, zeroPrices, new Uint8Array(), new Uint8Array())
}

const zeroPrices: Prices = { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }

interface SessionTimers {
  /** Schedules a `reserve`'s give-up. */
  wait: Timers
  /** Schedules the write-off of an ended job's unpaid work. */
  writeOff: Timers
}

/**
 * The channel's terms when the provider can serve against it: it exists,
 * pays this node, is not closing, and has the credit window left beyond the
 * newest voucher.
 */
async function usableTerms(init: ProviderPaymentsInit, channel: string): Promise<ChannelTerms> {
  const terms = await init.channelTerms(channel)
  if (terms === undefined)
    throw new ChannelUnusableError('unknown payment channel', {
      details: `no channel contract at ${channel}`,
    })
  if (!terms.payableToUs)
    throw new ChannelUnusableError('channel pays another provider', { details: `channel ${channel}` })
  if (terms.closed || terms.exitStarted)
    throw new ChannelUnusableError('channel is closing', {
      details: `channel ${channel} is closed or its exit started; open a new one`,
    })
  const before = (await init.store.providerChannel(channel))?.newest ?? 0n
  if (terms.deposit - before < init.creditWindow)
    throw new ChannelUnusableError('channel underfunded', {
      details: `channel ${channel} has ${terms.deposit - before} nanoTON left, the credit window is ${init.creditWindow}; top it up`,
    })
  return terms
}

interface SessionJob {
  jobId: string
  channel: string
  terms: ChannelTerms
  /** What the job's stored vouchers already cover. */
  paid: bigint
}

/**
 * One job's payments on the provider: work waits in `reserve` until vouchers
 * cover the channel's unpaid work within its shared window.
 */
class ProviderSession implements ProviderPaymentSession {
  readonly creditWindow: bigint
  /** What this job's vouchers credited (its usage receipt). */
  private paid: bigint
  /** The job's cumulative cost granted by `reserve` (then billed by `finish`). */
  private granted = 0n
  private closed = false

  constructor(
    private readonly init: ProviderPaymentsInit,
    private readonly timers: SessionTimers,
    private readonly channelCredit: { credit: ChannelCredit; close: () => void },
    private readonly job: SessionJob,
  ) {
    this.creditWindow = init.creditWindow
    this.paid = job.paid
  }

  /** The channel's shared credit this job draws on. */
  private get credit(): ChannelCredit {
    return this.channelCredit.credit
  }

  covered(): bigint {
    return this.paid
  }

  creditLeft(delivered: bigint): bigint {
    return this.credit.window - this.credit.unpaid - (delivered - this.granted)
  }

  async reserve(cumulativeCost: bigint, signal?: AbortSignal): Promise<void> {
    if (!this.tryGrant(cumulativeCost)) await this.waitForCredit(cumulativeCost, signal)
  }

  /**
   * Grants the work up to `cumulativeCost` when it fits the channel's window,
   * billing it at once (synchronously, so two jobs woken by one voucher
   * cannot both take the same room).
   */
  private tryGrant(cumulativeCost: bigint): boolean {
    const more = cumulativeCost - this.granted
    if (!this.credit.fits(more)) return false
    this.credit.bill(more)
    if (more > 0n) this.granted = cumulativeCost
    return true
  }

  private waitForCredit(cumulativeCost: bigint, signal: AbortSignal | undefined): Promise<void> {
    const { credit } = this
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.tryGrant(cumulativeCost)) done(undefined)
      }
      const onAbort = (): void =>
        done(new PaymentAbortedError('job aborted while waiting for a voucher', { cause: signal?.reason }))
      const cancelTimer = this.timers.wait.schedule(
        () =>
          done(
            new CreditWindowExhaustedError('credit window exhausted', {
              details: `job ${this.job.jobId} on channel ${this.job.channel}: the channel's jobs have ${credit.unpaid} nanoTON of delivered work not covered by vouchers, this job wants ${cumulativeCost - this.granted} more, the channel's credit window is ${credit.window}; no voucher within ${this.init.voucherTimeout} ms`,
            }),
          ),
        this.init.voucherTimeout,
      )
      const done = (error: Error | undefined): void => {
        credit.waiters.delete(check)
        cancelTimer()
        signal?.removeEventListener('abort', onAbort)
        if (error === undefined) resolve()
        else reject(error)
      }
      if (signal?.aborted === true) return onAbort()
      signal?.addEventListener('abort', onAbort)
      credit.waiters.add(check)
    })
  }

  async acceptVoucher(voucher: Voucher): Promise<void> {
    const { channel, terms, jobId } = this.job
    // jobId is not part of the signed bytes: credit goes to this session's job whatever it says
    const verified = { ...verifyVoucher({ voucher, clientKey: terms.clientKey, channel }), jobId }
    if (verified.amount > terms.deposit)
      throw new VoucherOverBudgetError('voucher exceeds the channel deposit', {
        details: `voucher for ${verified.amount} nanoTON, deposit is ${terms.deposit}`,
      })
    const credited = await this.persist(verified)
    this.paid += credited
    this.credit.credit(credited)
  }

  /**
   * Persists a verified voucher; returns what it credited. Vouchers are
   * cumulative per channel, so with other jobs open on the channel (or after
   * this one ended) a lower one is superseded, not wrong: the concurrent
   * job's higher voucher, sent on another stream, arrived first and already
   * covers it. It credits nothing and does not stop the job. Alone on the
   * channel, a lower or repeated voucher is the client's error.
   */
  private async persist(voucher: Voucher): Promise<bigint> {
    try {
      return (await this.init.store.acceptVoucher(voucher)).credited
    } catch (error) {
      const superseded = error instanceof VoucherOutOfOrderError || error instanceof VoucherReplayedError
      if (superseded && (this.credit.sessions > 1 || this.closed)) return 0n
      throw error
    }
  }

  async finish(finalCost: bigint): Promise<void> {
    // the bill may include work never reserved (an LLM job's prompt): it is unpaid work on the channel too
    this.credit.bill(finalCost - this.granted)
    if (finalCost > this.granted) this.granted = finalCost
    this.close()
    await this.init.store.finishJob('provider', this.job.jobId, this.job.channel, finalCost)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.channelCredit.close()
    const owed = this.granted - this.paid
    if (owed <= 0n) return
    // the final voucher may still come (it travels after the result); past the voucher timeout the
    // job's unpaid work is the provider's loss, and no longer holds the channel's window
    this.timers.writeOff.schedule(() => this.credit.writeOff(owed), this.init.voucherTimeout)
  }
}
