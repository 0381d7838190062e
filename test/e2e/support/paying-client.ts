/**
 * A paying light client in its own process, for the crash e2e tests
 * (`paid-crash.test.ts`). It runs one LLM job with the SDK
 * (`createLightPeer`) paying through the channels in its home folder's
 * settlement store (`clientPayments` + `channelLookup`, as `cocoon run --pay`
 * does), and reports on stdout, one JSON object a line (`PayingClientEvent`),
 * each voucher it signed and each voucher the provider has provably persisted.
 *
 * "Acknowledged" needs no ack frame: the provider serves a chunk of cumulative
 * cost C only once the vouchers it persisted for the job cover C minus the
 * credit window. So when the client receives work worth more than
 * `v[i-1] - held + window` (v[0] = what the channel had signed before the job,
 * `held` = what the provider is known to hold at the start), the provider's
 * newest voucher is at least v[i].
 *
 * Run: `node test/e2e/support/paying-client.ts '<PayingClientArgs as JSON>'`
 * (Node 24 strips the types; the packages resolve to their built dist/).
 */
import { channelLookup, createLightPeer } from '@cocoon-mesh/client'
import {
  type ClientPaymentSession,
  type ClientPayments,
  clientPayments,
  type VoucherStore,
} from '@cocoon-mesh/settlement'
import { openSettlementContext } from '@cocoon-mesh/settlement/node'
import { waitForOffers } from './offers.ts'

export interface PayingClientArgs {
  /** Home folder with the wallet and the settlement store holding the channel (`cocoon channel open`). */
  home: string
  endpoint: string
  bootstrap: string[]
  model: string
  prompt: string
  maxTokens: number
  /**
   * `clientPayments`' windowDivisor: sign once unpaid work reaches the credit window divided
   * by this (default 2).
   */
  windowDivisor?: number
  /** Sign no more vouchers after this many (the job then stalls at the provider's credit window). */
  stopPayingAfter?: number
  /** nanoTON the provider is known to hold on the channel before the job (default "0"). */
  held?: string
}

export type PayingClientEvent =
  | { event: 'ready'; signedBefore: string }
  | { event: 'accepted'; channel: string; creditWindow: string; signedBefore: string }
  | { event: 'voucher'; amount: string; final: boolean }
  | { event: 'acked'; amount: string }
  | { event: 'stopped-paying'; signed: string }
  /** Work delivered after the client stopped paying (so its last voucher was written to the stream). */
  | { event: 'unpaid'; cost: string }
  | { event: 'done'; cost: string; completionTokens: number; signed: string }
  | { event: 'error'; name: string; code: string; message: string }

function emit(event: PayingClientEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}

/** Wraps the client payments to report signed and provably persisted vouchers, and to stop paying on request. */
function observed(inner: ClientPayments, store: VoucherStore, args: PayingClientArgs): ClientPayments {
  const held = BigInt(args.held ?? '0')
  return {
    ...(inner.channelFor === undefined
      ? {}
      : {
          channelFor: (provider, payout) =>
            inner.channelFor?.(provider, payout) ?? Promise.resolve(undefined),
        }),
    ...(inner.authorize === undefined
      ? {}
      : { authorize: (request) => inner.authorize?.(request) ?? request }),
    async openSession(provider, payoutAddress, creditWindow, jobId): Promise<ClientPaymentSession> {
      const session = await inner.openSession(provider, payoutAddress, creditWindow, jobId)
      const before = (await store.clientChannel(session.channel))?.signed ?? 0n
      emit({
        event: 'accepted',
        channel: session.channel,
        creditWindow: creditWindow.toString(),
        signedBefore: before.toString(),
      })
      const signed: bigint[] = []
      let acked = 0
      let paying = true
      const proveAcks = (cost: bigint): void => {
        while (acked < signed.length) {
          const previous = acked === 0 ? before : (signed[acked - 1] as bigint)
          if (cost <= previous - held + creditWindow) return
          emit({ event: 'acked', amount: (signed[acked] as bigint).toString() })
          acked++
        }
      }
      return {
        channel: session.channel,
        async delivered(cumulativeCost) {
          proveAcks(cumulativeCost)
          if (!paying) {
            emit({ event: 'unpaid', cost: cumulativeCost.toString() })
            return undefined
          }
          const voucher = await session.delivered(cumulativeCost)
          if (voucher === undefined) return undefined
          signed.push(voucher.amount)
          emit({ event: 'voucher', amount: voucher.amount.toString(), final: false })
          if (args.stopPayingAfter !== undefined && signed.length >= args.stopPayingAfter) {
            paying = false
            emit({ event: 'stopped-paying', signed: voucher.amount.toString() })
          }
          return voucher
        },
        async finish(finalCost) {
          const voucher = await session.finish(finalCost)
          if (voucher !== undefined)
            emit({ event: 'voucher', amount: voucher.amount.toString(), final: true })
          return voucher
        },
      }
    },
  }
}

const args = JSON.parse(process.argv[2] ?? '{}') as PayingClientArgs
const ctx = await openSettlementContext({ home: args.home, endpoint: args.endpoint })
/** The highest amount this client ever signed on any of its channels (its persisted high-water mark). */
async function signedNow(): Promise<bigint> {
  let max = 0n
  for (const c of await ctx.store.clientChannels()) if (c.signed > max) max = c.signed
  return max
}
let exitCode = 0
try {
  const payments = observed(
    clientPayments({
      store: ctx.store,
      key: ctx.wallet.signingKey,
      channelFor: channelLookup({ store: ctx.store, chain: ctx.chain }),
      ...(args.windowDivisor === undefined ? {} : { windowDivisor: BigInt(args.windowDivisor) }),
    }),
    ctx.store,
    args,
  )
  // a restarted provider on a loaded machine can take longer than the default 3 s to its
  // first token; these tests are about vouchers, not about abandoning slow providers
  const client = await createLightPeer({
    bootstrap: args.bootstrap,
    payments,
    stallLimits: { firstTokenMs: 20_000, idleMs: 20_000 },
  })
  try {
    // the provider's offer, from the order book the light peer joins through the bootstrap peer
    await waitForOffers(client, args.model, 1, 90_000)
    emit({ event: 'ready', signedBefore: (await signedNow()).toString() })
    const job = client.generate({ model: args.model, prompt: args.prompt, maxTokens: args.maxTokens })
    for await (const _chunk of job) {
      // the payments wrapper reports what matters
    }
    const usage = await job.usage
    emit({
      event: 'done',
      cost: usage.cost.toString(),
      completionTokens: usage.completionTokens,
      signed: (await signedNow()).toString(),
    })
  } finally {
    await client.stop()
  }
} catch (error) {
  const e = error as { name?: string; code?: string; message?: string }
  emit({ event: 'error', name: e.name ?? 'Error', code: e.code ?? '', message: e.message ?? String(error) })
  exitCode = 1
} finally {
  await ctx.close()
}
process.exit(exitCode)
