import type { JobRequest, Prices, Voucher } from '@cocoon-mesh/protocol'
import {
  ChannelUnusableError,
  CreditWindowExhaustedError,
  type InvalidSettlementInputError,
  PaymentAbortedError,
  VoucherOverBudgetError,
} from '../errors.js'
import type { ProviderPaymentSession, ProviderPayments } from '../payment-session.js'
import type { AcceptVoucherErrorType, VoucherStore } from '../store/voucher-store.js'
import { type VerifyVoucherErrorType, verifyVoucher } from '../voucher/voucher.js'
import { channelKey, parseChannelAddress } from '../voucher/voucher-hash.js'

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
  /** nanoTON of work served ahead of a covering voucher. */
  creditWindow: bigint
  /** How long reserve() waits for a voucher before giving up, ms. */
  voucherTimeout: number
  /** Injected timers (the simulator passes virtual ones). */
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
}

/**
 * What the provider session's `openSession` throws: the channel is unknown,
 * pays someone else, is closing or underfunded; a bad channel address; or
 * the `channelTerms` lookup's and the store's own errors.
 */
export type ProviderOpenSessionErrorType = ChannelUnusableError | InvalidSettlementInputError | Error

/** What the provider session's `reserve` throws: the job was aborted, or no covering voucher came in time. */
export type ProviderReserveErrorType = PaymentAbortedError | CreditWindowExhaustedError

/** What the provider session's `acceptVoucher` throws: a bad voucher, one above the deposit, or the store's errors. */
export type ProviderAcceptVoucherErrorType =
  | VerifyVoucherErrorType
  | VoucherOverBudgetError
  | AcceptVoucherErrorType

/**
 * Provider side of the payment policy: credit window, voucher checks, usage receipts.
 * `openSession` throws {@link ProviderOpenSessionErrorType}; a session's
 * `reserve` {@link ProviderReserveErrorType}, `acceptVoucher`
 * {@link ProviderAcceptVoucherErrorType}, `finish` the store's errors.
 */
export function providerPayments(init: ProviderPaymentsInit): ProviderPayments {
  const timers: Timers = {
    set: init.setTimeout ?? ((fn, ms) => setTimeout(fn, ms)),
    clear: init.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout)),
  }
  return {
    async openSession(
      request: JobRequest,
      _price: Prices,
      _client: Uint8Array,
    ): Promise<ProviderPaymentSession> {
      const channel = channelKey(parseChannelAddress(request.channel))
      const terms = await usableTerms(init, channel)
      const paid = (await init.store.job('provider', request.jobId))?.paid ?? 0n
      return new ProviderSession(init, timers, { jobId: request.jobId, channel, terms, paid })
    },
  }
}

interface Timers {
  set: (fn: () => void, ms: number) => unknown
  clear: (handle: unknown) => void
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

/** One job's payments on the provider: work waits in `reserve` until vouchers cover it within the window. */
class ProviderSession implements ProviderPaymentSession {
  readonly creditWindow: bigint
  private paid: bigint
  /** Reserve calls waiting for a voucher; each checks its own cost. */
  private readonly waiters = new Set<() => void>()

  constructor(
    private readonly init: ProviderPaymentsInit,
    private readonly timers: Timers,
    private readonly job: SessionJob,
  ) {
    this.creditWindow = init.creditWindow
    this.paid = job.paid
  }

  covered(): bigint {
    return this.paid
  }

  async reserve(cumulativeCost: bigint, signal?: AbortSignal): Promise<void> {
    if (cumulativeCost - this.paid <= this.creditWindow) return
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (cumulativeCost - this.paid <= this.creditWindow) done(undefined)
      }
      const onAbort = (): void =>
        done(new PaymentAbortedError('job aborted while waiting for a voucher', { cause: signal?.reason }))
      const timer = this.timers.set(
        () =>
          done(
            new CreditWindowExhaustedError('credit window exhausted', {
              details: `job ${this.job.jobId}: delivered work worth ${cumulativeCost} nanoTON, vouchers cover ${this.paid}, window ${this.creditWindow}; no voucher within ${this.init.voucherTimeout} ms`,
            }),
          ),
        this.init.voucherTimeout,
      )
      const done = (error: Error | undefined): void => {
        this.waiters.delete(check)
        this.timers.clear(timer)
        signal?.removeEventListener('abort', onAbort)
        if (error === undefined) resolve()
        else reject(error)
      }
      if (signal?.aborted === true) return onAbort()
      signal?.addEventListener('abort', onAbort)
      this.waiters.add(check)
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
    const { credited } = await this.init.store.acceptVoucher(verified)
    this.paid += credited
    for (const check of [...this.waiters]) check()
  }

  async finish(finalCost: bigint): Promise<void> {
    await this.init.store.finishJob('provider', this.job.jobId, this.job.channel, finalCost)
  }
}
