import type { Voucher } from '@cocoon-mesh/protocol'
import { ChannelUnusableError, PaymentAbortedError, VoucherOverBudgetError } from '../errors.js'
import type { ClientPaymentSession, ClientPayments } from '../payment-session.js'
import type { SignNextErrorType, VoucherStore } from '../store/voucher-store.js'
import type { SigningKey } from '../voucher/keys.js'
import { type SignVoucherErrorType, signVoucher } from '../voucher/voucher.js'

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
 * deposit, or the job budget. `openSession` throws
 * {@link ClientOpenSessionErrorType}; a session's `delivered` and `finish`
 * {@link ClientPayErrorType}.
 */
export function clientPayments(init: ClientPaymentsInit): ClientPayments {
  const divisor = init.windowDivisor ?? 2n
  return {
    async channelFor(provider: Uint8Array, payoutAddress: string): Promise<string | undefined> {
      return (await init.channelFor(provider, payoutAddress))?.address
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
      let paid = 0n
      let delivered = 0n
      const pay = async (target: bigint): Promise<Voucher | undefined> => {
        if (target <= paid) return undefined
        if (init.jobBudget !== undefined && target > init.jobBudget)
          throw new VoucherOverBudgetError('job over budget', {
            details: `job would cost ${target} nanoTON, budget is ${init.jobBudget}`,
          })
        const voucher = await init.store.signNext(
          channel.address,
          session.jobId,
          target - paid,
          (amount) => signVoucher({ key: init.key, channel: channel.address, amount, jobId: session.jobId }),
          (total) => {
            if (total > channel.deposit)
              throw new VoucherOverBudgetError('channel deposit exhausted', {
                details: `signing ${total} nanoTON would exceed the deposit of ${channel.deposit}; top the channel up`,
              })
          },
        )
        paid = target
        return voucher
      }
      const session = {
        channel: channel.address,
        jobId,
        async delivered(cumulativeCost: bigint): Promise<Voucher | undefined> {
          if (cumulativeCost > delivered) delivered = cumulativeCost
          if (delivered - paid < creditWindow / divisor || delivered === paid) return undefined
          return pay(delivered)
        },
        async finish(finalCost: bigint): Promise<Voucher | undefined> {
          if (finalCost > delivered + creditWindow)
            throw new PaymentAbortedError('provider bills more than was delivered', {
              details: `billed ${finalCost} nanoTON, delivered ${delivered} + window ${creditWindow}`,
            })
          const voucher = await pay(finalCost)
          await init.store.finishJob('client', session.jobId, channel.address, finalCost)
          return voucher
        },
      }
      return session
    },
  }
}
