import { formatTon } from '@cocoon-mesh/settlement'
import { openSettlementContext, type SettlementContext } from '@cocoon-mesh/settlement/node'
import type { Command } from 'commander'
import { type ChainRead, readChannelForDisplay, unknownOnChain } from '../chain-view.js'
import { recordProviderChannels } from '../provider-channels.js'
import type { RegisterCommand } from './index.js'

/** What `cocoon earnings --json` prints: nanoTON amounts as decimal strings. */
interface Earnings {
  earned: bigint
  claimed: bigint
  jobs: number
  channels: {
    channel: string
    vouchers: string
    claimed: string
    claimable: string
    closed: boolean
    chain?: string
  }[]
  /** Channels whose claims come from the local record, and a failed chain scan, for humans. */
  unread: string[]
}

/** `cocoon earnings [--json]`: what this provider earned, claimed and can still claim. */
export const registerEarnings: RegisterCommand = (program: Command) => {
  program
    .command('earnings')
    .description('earnings as a provider: vouchers held, claimed on chain, still claimable')
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option(
      '--endpoint <url>',
      'toncenter v2 jsonRPC endpoint (default $COCOON_TON_ENDPOINT, the endpoint of $COCOON_TON_NETWORK, or the local devnet)',
    )
    .option('--api-key <key>', 'toncenter API key (default $COCOON_TON_API_KEY or $TONCENTER_API_KEY)')
    .option('--offline', 'do not ask the chain; use the local record of claims')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        home?: string
        endpoint?: string
        apiKey?: string
        json?: boolean
        offline?: boolean
      }) => {
        const ctx = await openSettlementContext(opts)
        try {
          const e = await earnings(ctx, opts.offline === true)
          const unclaimed = e.earned - e.claimed
          if (opts.json === true) {
            process.stdout.write(
              `${JSON.stringify({ earned: e.earned.toString(), claimed: e.claimed.toString(), unclaimed: unclaimed.toString(), jobs: e.jobs, channels: e.channels })}\n`,
            )
          } else {
            process.stdout.write(
              `earned     ${formatTon(e.earned)} (${e.jobs} jobs, ${e.channels.length} channels)\nclaimed    ${formatTon(e.claimed)}\nunclaimed  ${formatTon(unclaimed)}\n`,
            )
            if (e.unread.length > 0)
              process.stdout.write(
                `claimed from the local record for ${e.unread.length} channels:\n${e.unread.map((u) => `  ${u}\n`).join('')}`,
              )
          }
        } finally {
          await ctx.close()
        }
      },
    )
}

/**
 * The provider's earnings over every channel it holds vouchers for and every
 * channel opened to it that a chain scan finds (opened from another machine,
 * or claimed from another store): what was claimed on chain counts as earned
 * even without a voucher in this store.
 */
async function earnings(ctx: SettlementContext, offline: boolean): Promise<Earnings> {
  const out: Earnings = { earned: 0n, claimed: 0n, jobs: 0, channels: [], unread: [] }
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

function maxBigint(a: bigint, b: bigint): bigint {
  if (a > b) return a
  return b
}
