import type { JobRequest, Voucher } from '@cocoon-mesh/protocol'
import {
  ChannelUnusableError,
  InvalidSettlementInputError,
  PaymentAbortedError,
  VoucherOverBudgetError,
} from '../errors.js'
import type { ClientPaymentSession, ClientPayments } from '../payment-session.js'
import type { SignNextErrorType, VoucherStore } from '../store/voucher-store.js'
import type { SigningKey } from '../voucher/keys.js'
import { type SignVoucherErrorType, signVoucher } from '../voucher/voucher.js'
import { signChannelProof } from './channel-proof.js'

/** A channel the client funded toward one provider. */
export interface ClientChannel {
  address: string
  deposit: bigint
}

export interface ClientPaymentsInit {
  store: VoucherStore
  key: SigningKey
  /** The client's open channel to this provider (payout address), if any. */
  channelFor: (provider: Uint8Array, payoutAddress: string) => Promise<ClientChannel | undefined>
  /**
   * Sign once unpaid delivered work reaches this fraction of the credit window
   * (as a divisor: 2 = half the window). Default 2.
   */
  windowDivisor?: bigint
  /** The most this client pays for one job, nanoTON; unlimited when unset. */
  jobBudget?: bigint
}

/** What the client session's `openSession` throws: no channel to the provider, or the `channelFor` lookup's own error. */
export type ClientOpenSessionErrorType = ChannelUnusableError | Error

/**
 * What the client session's `delivered` and `finish` throw: over the job
 * budget or the deposit, a provider billing beyond delivered work plus its
 * window (`finish`), or the store's and the signer's errors.
 */
export type ClientPayErrorType =
  | VoucherOverBudgetError
  | PaymentAbortedError
  | SignVoucherErrorType
  | SignNextErrorType

/**
 * Client side of the payment policy: signs vouchers for delivered work only,
 * never beyond delivered work plus the provider's credit window, the channel
 * deposit, or the job budget; `authorize` signs a channel JobRequest with the
 * channel's client key (`key`). `openSession` throws
 * {@link ClientOpenSessionErrorType}; a session's `delivered` and `finish`
 * {@link ClientPayErrorType}.
 */
export function clientPayments(init: ClientPaymentsInit): ClientPayments {
  const divisor = init.windowDivisor ?? 2n
  const open = new OpenJobs()
  return {
    async channelFor(provider: Uint8Array, payoutAddress: string): Promise<string | undefined> {
      return (await init.channelFor(provider, payoutAddress))?.address
    },
    authorize(request: JobRequest): JobRequest {
      if (request.channel === '')
        throw new InvalidSettlementInputError('a JobRequest without a channel needs no channel proof', {
          details: 'authorize() signs requests that name a channel; leave an unpaid request unsigned',
        })
      return signChannelProof(request, init.key)
    },
    async openSession(
      provider: Uint8Array,
      payoutAddress: string,
      creditWindow: bigint,
      requestJobId?: string,
    ): Promise<ClientPaymentSession> {
      const channel = await init.channelFor(provider, payoutAddress)
      if (channel === undefined)
        throw new ChannelUnusableError('no payment channel to this provider', {
          details: `open one with \`cocoon channel open --provider <peer id> --deposit <TON>\` (payout ${payoutAddress})`,
        })
      const jobId = requestJobId ?? `job-${crypto.randomUUID()}`
      return new ClientSession(init, channel, jobId, creditWindow / divisor, creditWindow, open)
    },
  }
}

/** Most sessions counted per channel; a job that failed never finishes, so the oldest are dropped. */
const MAX_OPEN_JOBS_PER_CHANNEL = 256

/**
 * The client's open jobs per channel: the provider's credit window is the
 * channel's, shared by its jobs, so the signing threshold is reached by the
 * channel's unpaid work, not one job's (three jobs each a third of the window
 * behind would otherwise all wait for a voucher none of them signs).
 */
class OpenJobs {
  readonly #byChannel = new Map<string, Set<ClientSession>>()

  add(channel: string, session: ClientSession): void {
    let jobs = this.#byChannel.get(channel)
    if (jobs === undefined) {
      jobs = new Set()
      this.#byChannel.set(channel, jobs)
    }
    if (jobs.size >= MAX_OPEN_JOBS_PER_CHANNEL) {
      const oldest = jobs.values().next().value
      if (oldest !== undefined) jobs.delete(oldest)
    }
    jobs.add(session)
  }

  remove(channel: string, session: ClientSession): void {
    const jobs = this.#byChannel.get(channel)
    jobs?.delete(session)
    if (jobs?.size === 0) this.#byChannel.delete(channel)
  }

  /** Delivered work not yet covered by a voucher, over the channel's open jobs. */
  unpaid(channel: string): bigint {
    let sum = 0n
    for (const s of this.#byChannel.get(channel) ?? []) sum += s.unpaid
    return sum
  }
}

/**
 * One job's payments on the client: a voucher once unpaid delivered work on
 * the channel (this job's and its other open jobs') reaches the signing
 * threshold, and a final one for the billed cost.
 */
class ClientSession implements ClientPaymentSession {
  readonly channel: string
  private paid = 0n
  private deliveredCost = 0n

  constructor(
    private readonly init: ClientPaymentsInit,
    private readonly funded: ClientChannel,
    readonly jobId: string,
    /** Unpaid delivered work that triggers a voucher. */
    private readonly threshold: bigint,
    private readonly creditWindow: bigint,
    private readonly open: OpenJobs,
  ) {
    this.channel = funded.address
    open.add(this.channel, this)
  }

  /** This job's delivered work not yet covered by its vouchers. */
  get unpaid(): bigint {
    return this.deliveredCost - this.paid
  }

  async delivered(cumulativeCost: bigint): Promise<Voucher | undefined> {
    if (cumulativeCost > this.deliveredCost) this.deliveredCost = cumulativeCost
    if (this.deliveredCost === this.paid || this.open.unpaid(this.channel) < this.threshold) return undefined
    return this.pay(this.deliveredCost)
  }

  async finish(finalCost: bigint): Promise<Voucher | undefined> {
    if (finalCost > this.deliveredCost + this.creditWindow)
      throw new PaymentAbortedError('provider bills more than was delivered', {
        details: `billed ${finalCost} nanoTON, delivered ${this.deliveredCost} + window ${this.creditWindow}`,
      })
    const voucher = await this.pay(finalCost)
    this.open.remove(this.channel, this)
    await this.init.store.finishJob('client', this.jobId, this.channel, finalCost)
    return voucher
  }

  /** Signs the voucher bringing the job to `target`, within the job budget and the deposit. */
  private async pay(target: bigint): Promise<Voucher | undefined> {
    if (target <= this.paid) return undefined
    const { init, funded, jobId } = this
    if (init.jobBudget !== undefined && target > init.jobBudget)
      throw new VoucherOverBudgetError('job over budget', {
        details: `job would cost ${target} nanoTON, budget is ${init.jobBudget}`,
      })
    const voucher = await init.store.signNext(
      funded.address,
      jobId,
      target - this.paid,
      (amount) => signVoucher({ key: init.key, channel: funded.address, amount, jobId }),
      (total) => {
        if (total > funded.deposit)
          throw new VoucherOverBudgetError('channel deposit exhausted', {
            details: `signing ${total} nanoTON would exceed the deposit of ${funded.deposit}; top the channel up`,
          })
      },
    )
    this.paid = target
    return voucher
  }
}
