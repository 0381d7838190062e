// paying for jobs through the client's TON payment channels
import {
  type ChainClient,
  type ClientChannel,
  type ClientPayments,
  clientPayments,
  InvalidSettlementInputError,
  parseTonAddress,
  readChannel,
  type VoucherStore,
} from '@cocoon-mesh/settlement'
import {
  type OpenSettlementContextErrorType,
  openSettlementContext,
  type SettlementOptions,
} from '@cocoon-mesh/settlement/node'

/** Where the client's channels are found: its voucher store's channel list, checked on chain. */
export interface ChannelLookupInit {
  store: VoucherStore
  chain: ChainClient
  /** Pay through this channel only (e.g. `cocoon run --channel ADDRESS`), for the provider it pays. */
  channel?: string
}

/**
 * The `channelFor` lookup for `clientPayments()`: the client's open channel
 * (from `cocoon channel open`, kept in its settlement store) whose provider
 * address is the offer's payout address and whose exit has not started; the
 * one with the most deposit left when there are several. Undefined when none:
 * the job then goes to providers that serve for free.
 */
export function channelLookup(
  init: ChannelLookupInit,
): (provider: Uint8Array, payoutAddress: string) => Promise<ClientChannel | undefined> {
  const only = init.channel === undefined ? undefined : parseAddress(init.channel)?.toRawString()
  return async (_provider, payoutAddress) => {
    const payout = parseAddress(payoutAddress)
    if (payout === undefined) return undefined
    let best: { channel: ClientChannel; left: bigint } | undefined
    for (const meta of await init.store.channelMetas('client')) {
      if (only !== undefined && meta.address !== only) continue
      if (!parseAddress(meta.provider)?.equals(payout)) continue
      const view = await readChannel(init.chain, meta.address)
      if (view === undefined || view.state.closed || view.state.exitRequestedAt > 0) continue
      const signed = (await init.store.clientChannel(meta.address))?.signed ?? 0n
      const left = view.state.deposit - signed
      if (left <= 0n || (best !== undefined && best.left >= left)) continue
      best = { channel: { address: meta.address, deposit: view.state.deposit }, left }
    }
    return best?.channel
  }
}

export interface ChannelPaymentsOptions extends SettlementOptions {
  /** Pay through this channel only; default: any open channel to the offer's payout address. */
  channel?: string
  /** The most one job may cost, nanoTON. */
  jobBudget?: bigint
}

/** Client payments from a home folder (wallet, voucher store, chain endpoint), and how to release them. */
export interface ChannelPayments {
  payments: ClientPayments
  close(): Promise<void>
}

/** What {@link channelPayments} throws: no or a bad wallet, or the voucher store is locked or unreadable. */
export type ChannelPaymentsErrorType = OpenSettlementContextErrorType

/**
 * Opens the client's wallet, voucher store and chain client (`--home`,
 * `COCOON_TON_ENDPOINT`, default the local devnet) and returns payments for
 * `createLightPeer({ payments })`. The voucher store is single-process:
 * close it before another cocoon command uses the same home.
 * @throws {ChannelPaymentsErrorType}
 */
export async function channelPayments(options: ChannelPaymentsOptions = {}): Promise<ChannelPayments> {
  const ctx = await openSettlementContext(options)
  const payments = clientPayments({
    store: ctx.store,
    key: ctx.wallet.signingKey,
    channelFor: channelLookup({
      store: ctx.store,
      chain: ctx.chain,
      ...(options.channel === undefined ? {} : { channel: options.channel }),
    }),
    ...(options.jobBudget === undefined ? {} : { jobBudget: options.jobBudget }),
  })
  return { payments, close: () => ctx.close() }
}

/** A TON address, or undefined when `value` is not one. */
function parseAddress(value: string): ReturnType<typeof parseTonAddress> | undefined {
  try {
    return parseTonAddress(value)
  } catch (error) {
    if (error instanceof InvalidSettlementInputError) return undefined
    throw error
  }
}
