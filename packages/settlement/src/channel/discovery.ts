import { type Address, Cell, type Transaction } from '@ton/core'
import { type ChainClient, openOn } from '../chain/chain-client.js'
import { ChannelOp, PaymentChannel, paymentChannelCode } from '../contract/payment-channel.js'
import type { ChannelMetaRecord } from '../store/voucher-store.js'
import { type ChannelView, readChannel } from './channels.js'

/** How many of the payout wallet's newest transactions a scan reads by default. */
export const DEFAULT_DISCOVERY_SCAN = 200
/** How many distinct candidate channels a scan checks on chain at most (bounds what spam can cost us). */
export const MAX_DISCOVERY_CANDIDATES = 50
/** Transactions per `getTransactions` page (under toncenter's 100: TonClient asks one more when paging). */
const PAGE = 50

export interface DiscoverChannelsParameters {
  chain: ChainClient
  /** The provider's payout wallet, where notices and payouts arrive. */
  provider: Address
  /** The provider's settlement key: a channel that names another key cannot pay us. */
  providerKey: Uint8Array
  /** Newest transactions to read (default {@link DEFAULT_DISCOVERY_SCAN}). */
  scan?: number
}

/** A channel found on chain that pays the provider, with its state and parties. */
export interface DiscoveredChannel {
  view: ChannelView
  meta: Omit<ChannelMetaRecord, 'createdAt'>
}

/** What {@link discoverProviderChannels} throws: the endpoint failing while reading the history or a channel. */
export type DiscoverChannelsErrorType = Error

/**
 * Every channel opened to the provider that its payout wallet's history
 * names: the notice a client's wallet sends with the deploy (`openChannel`
 * does) and the payouts of claims. Anyone can send a notice, so each
 * candidate is checked on chain: it must run our channel code, name this
 * payout address and settlement key. Reads at most `scan` transactions and
 * checks at most {@link MAX_DISCOVERY_CANDIDATES} candidates, newest first.
 * @throws {DiscoverChannelsErrorType}
 */
export async function discoverProviderChannels(p: DiscoverChannelsParameters): Promise<DiscoveredChannel[]> {
  const candidates = await channelCandidates(p.chain, p.provider, p.scan ?? DEFAULT_DISCOVERY_SCAN)
  const found: DiscoveredChannel[] = []
  for (const address of candidates) {
    const channel = await verifiedChannel(p, address)
    if (channel !== undefined) found.push(channel)
  }
  return found
}

/** Distinct channel addresses the wallet's newest transactions name, newest first. */
async function channelCandidates(chain: ChainClient, wallet: Address, scan: number): Promise<Address[]> {
  const seen = new Map<string, Address>()
  let before: Transaction | undefined
  for (let read = 0; read < scan && seen.size < MAX_DISCOVERY_CANDIDATES; ) {
    const want = Math.min(PAGE, scan - read)
    const page = await chain.transactions(wallet, want, before)
    for (const tx of page) {
      const named = channelNamedBy(tx)
      if (named !== undefined && !seen.has(named.toRawString())) seen.set(named.toRawString(), named)
      if (seen.size >= MAX_DISCOVERY_CANDIDATES) break
    }
    // a short page is the start of the history
    if (page.length < want) break
    read += page.length
    before = page[page.length - 1]
  }
  return [...seen.values()]
}

/** The channel an inbound message names: a notice's channel field, or the sender of a payout. */
function channelNamedBy(tx: Transaction): Address | undefined {
  const message = tx.inMessage
  if (message?.info.type !== 'internal') return undefined
  try {
    const body = message.body.beginParse()
    if (body.remainingBits < 32) return undefined
    const op = body.loadUint(32)
    if (op === ChannelOp.payout) return message.info.src
    if (op !== ChannelOp.notice) return undefined
    body.loadUintBig(64)
    return body.loadAddress()
  } catch {
    // a body that does not parse as either names no channel
    return undefined
  }
}

/** The channel at `address` when it runs our code and pays this provider; undefined otherwise. */
async function verifiedChannel(
  p: DiscoverChannelsParameters,
  address: Address,
): Promise<DiscoveredChannel | undefined> {
  const { state } = await p.chain.provider(address).getState()
  if (state.type !== 'active' || state.code === null || state.code === undefined) return undefined
  if (!isChannelCode(state.code)) return undefined
  const parties = await openOn(p.chain, PaymentChannel.createFromAddress(address)).getParties()
  if (
    !parties.provider.equals(p.provider) ||
    !Buffer.from(parties.providerKey).equals(Buffer.from(p.providerKey))
  )
    return undefined
  const view = await readChannel(p.chain, address.toRawString())
  if (view === undefined) return undefined
  const meta: Omit<ChannelMetaRecord, 'createdAt'> = {
    address: view.address,
    role: 'provider',
    channelId: view.state.channelId,
    client: parties.client.toRawString(),
    provider: parties.provider.toRawString(),
    clientKey: parties.clientKey,
    providerKey: parties.providerKey,
    exitDelay: view.state.exitDelay,
  }
  return { view, meta }
}

/** Whether a code BOC is our channel code (compared by cell hash: BOC encodings may differ). */
function isChannelCode(boc: Buffer): boolean {
  try {
    return Cell.fromBoc(boc)[0]?.hash().equals(paymentChannelCode().hash()) === true
  } catch {
    // not a BOC: not our code
    return false
  }
}
