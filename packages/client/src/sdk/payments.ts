// paying for jobs through the client's TON payment channels
import type { ChainClient, ClientChannel, VoucherStore } from '@cocoon-mesh/settlement'
import { InvalidSettlementInputError } from '@cocoon-mesh/settlement/payments'

type Settlement = typeof import('@cocoon-mesh/settlement')
type TonAddress = ReturnType<Settlement['parseTonAddress']>

/**
 * Settlement's chain code (the TON libraries), loaded by the first lookup: an
 * app that never pays through a channel never loads (or bundles) it.
 */
let chainCode: Promise<Settlement> | undefined
const settlement = (): Promise<Settlement> => {
  chainCode ??= import('@cocoon-mesh/settlement')
  return chainCode
}

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
  return async (_provider, payoutAddress) => {
    const { parseTonAddress, readChannel } = await settlement()
    const parseAddress = (value: string) => parseAddressWith(parseTonAddress, value)
    const only = init.channel === undefined ? undefined : parseAddress(init.channel)?.toRawString()
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

/** A TON address, or undefined when `value` is not one. */
function parseAddressWith(parse: Settlement['parseTonAddress'], value: string): TonAddress | undefined {
  try {
    return parse(value)
  } catch (error) {
    if (error instanceof InvalidSettlementInputError) return undefined
    throw error
  }
}
