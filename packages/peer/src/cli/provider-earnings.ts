/**
 * What a provider earned, claimed and can still claim, per channel: one
 * computation for `cocoon earnings` and the node's dashboard.
 */
import { type ChainRead, readChannelForDisplay, unknownOnChain } from './chain-view.js'
import { type ProviderLedger, recordProviderChannels } from './provider-channels.js'

/** One channel as `cocoon earnings --json` prints it: nanoTON amounts as decimal strings. */
export interface ChannelEarnings {
  channel: string
  vouchers: string
  claimed: string
  claimable: string
  closed: boolean
  /** Why the chain could not be read for this channel (the amounts are then the local record's). */
  chain?: string
}

export interface ProviderEarnings {
  earned: bigint
  claimed: bigint
  jobs: number
  channels: ChannelEarnings[]
  /** Channels whose claims come from the local record, and a failed chain scan, for humans. */
  unread: string[]
}

/**
 * The provider's earnings over every channel it holds vouchers for and every
 * channel opened to it that a chain scan finds (opened from another machine,
 * or claimed from another store): what was claimed on chain counts as earned
 * even without a voucher in this store. `offline` reads the local record only.
 */
export async function providerEarnings(ctx: ProviderLedger, offline: boolean): Promise<ProviderEarnings> {
  const out: ProviderEarnings = { earned: 0n, claimed: 0n, jobs: 0, channels: [], unread: [] }
  if (!offline) {
    const scan = await recordProviderChannels(ctx)
    if (scan.error !== undefined) out.unread.push(`scanning for channels opened to this node: ${scan.error}`)
  }
  const records = (await ctx.store.providerChannels()).map((r) => ({
    channel: r.channel,
    newest: r.newest,
    claimed: r.claimed,
  }))
  const held = new Set(records.map((r) => r.channel))
  for (const meta of await ctx.store.channelMetas('provider'))
    if (!held.has(meta.address)) records.push({ channel: meta.address, newest: 0n, claimed: 0n })
  for (const rec of records) {
    const read: ChainRead = offline
      ? { view: undefined }
      : await readChannelForDisplay(ctx.chain, rec.channel)
    const view = read.view
    // without the chain, claims come from the local record
    const onChainClaimed = view?.state.claimed ?? rec.claimed
    const deposit = view?.state.deposit
    const claimable = (deposit !== undefined && rec.newest > deposit ? deposit : rec.newest) - onChainClaimed
    // claimed on chain counts as earned even without a voucher in this store
    out.earned += maxBigint(rec.newest, onChainClaimed)
    out.claimed += onChainClaimed
    out.channels.push({
      channel: rec.channel,
      vouchers: rec.newest.toString(),
      claimed: onChainClaimed.toString(),
      claimable: (claimable > 0n ? claimable : 0n).toString(),
      closed: view?.state.closed ?? false,
      ...(read.error === undefined ? {} : { chain: unknownOnChain(read.error) }),
    })
    if (read.error !== undefined) out.unread.push(`${rec.channel}: ${unknownOnChain(read.error)}`)
  }
  out.jobs = (await ctx.store.jobs('provider')).length
  return out
}

/** The JSON form `cocoon earnings --json` prints (and the dashboard serves). */
export function earningsJson(e: ProviderEarnings): {
  earned: string
  claimed: string
  unclaimed: string
  jobs: number
  channels: ChannelEarnings[]
} {
  return {
    earned: e.earned.toString(),
    claimed: e.claimed.toString(),
    unclaimed: (e.earned - e.claimed).toString(),
    jobs: e.jobs,
    channels: e.channels,
  }
}

function maxBigint(a: bigint, b: bigint): bigint {
  if (a > b) return a
  return b
}
