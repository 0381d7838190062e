// paying for jobs through the client's TON payment channels
import type { ChainClient, ClientChannel, VoucherStore } from '@cocoon-mesh/settlement'
import { InvalidSettlementInputError } from '@cocoon-mesh/settlement/payments'
import { providerIdOf } from '../market/provider-id.js'

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
 * address is the offer's payout address, whose provider peer (when the
 * channel records it) is the offer's signer, and whose exit has not started;
 * the one with the most deposit left when there are several. Undefined when
 * none: the job then goes to providers that serve for free.
 *
 * A payout address is public, so an offer signed by another peer may copy
 * it: matching the recorded peer keeps vouchers on a provider's channel from
 * paying for a stranger's output.
 * @throws {InvalidSettlementInputError} when `init.channel` is not a TON address.
 */
export function channelLookup(
  init: ChannelLookupInit,
): (provider: Uint8Array, payoutAddress: string) => Promise<ClientChannel | undefined> {
  return async (provider, payoutAddress) => {
    const { parseTonAddress, readChannel } = await settlement()
    const parseAddress = (value: string) => parseAddressWith(parseTonAddress, value)
    const onlyAddress = init.channel === undefined ? undefined : onlyChannel(parseTonAddress, init.channel)
    const payout = parseAddress(payoutAddress)
    if (payout === undefined) return undefined
    const signer = providerIdOf({ provider: Uint8Array.from(provider) })
    let best: { channel: ClientChannel; left: bigint } | undefined
    for (const meta of await init.store.channelMetas('client')) {
      if (onlyAddress !== undefined && meta.address !== onlyAddress) continue
      if (!parseAddress(meta.provider)?.equals(payout)) continue
      if (meta.peerId !== undefined && meta.peerId !== '' && meta.peerId !== signer) continue
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

/** The raw form of the `--channel` address; a value that is not an address fails the lookup instead of lifting the filter. */
function onlyChannel(parse: Settlement['parseTonAddress'], value: string): string {
  try {
    return parse(value).toRawString()
  } catch (cause) {
    throw new InvalidSettlementInputError('the channel to pay through is not a TON address', {
      cause,
      details: `got ${JSON.stringify(value)}; give the channel's address as \`cocoon channel list\` prints it`,
    })
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
