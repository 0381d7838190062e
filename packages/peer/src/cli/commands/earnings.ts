import { formatTon, openSettlementContext } from '@cocoon-mesh/settlement'
import type { Command } from 'commander'
import { type ChainRead, readChannelForDisplay, unknownOnChain } from '../chain-view.js'
import type { RegisterCommand } from './index.js'

/** `cocoon earnings [--json]`: what this provider earned, claimed and can still claim. */
export const registerEarnings: RegisterCommand = (program: Command) => {
  program
    .command('earnings')
    .description('earnings as a provider: vouchers held, claimed on chain, still claimable')
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option(
      '--endpoint <url>',
      'toncenter v2 jsonRPC endpoint (default $COCOON_TON_ENDPOINT or local devnet)',
    )
    .option('--api-key <key>', 'toncenter API key (default $COCOON_TON_API_KEY)')
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
          let earned = 0n
          let claimed = 0n
          const channels = []
          const unread: string[] = []
          for (const rec of await ctx.store.providerChannels()) {
            const read: ChainRead =
              opts.offline === true
                ? { view: undefined }
                : await readChannelForDisplay(ctx.chain, rec.channel)
            const view = read.view
            // without the chain, claims come from the local record
            const onChainClaimed = view?.state.claimed ?? rec.claimed
            const deposit = view?.state.deposit
            const claimable =
              (deposit !== undefined && rec.newest > deposit ? deposit : rec.newest) - onChainClaimed
            earned += rec.newest
            claimed += onChainClaimed
            channels.push({
              channel: rec.channel,
              vouchers: rec.newest.toString(),
              claimed: onChainClaimed.toString(),
              claimable: (claimable > 0n ? claimable : 0n).toString(),
              closed: view?.state.closed ?? false,
              ...(read.error === undefined ? {} : { chain: unknownOnChain(read.error) }),
            })
            if (read.error !== undefined) unread.push(`${rec.channel}: ${unknownOnChain(read.error)}`)
          }
          const jobs = (await ctx.store.jobs('provider')).length
          const unclaimed = earned - claimed
          if (opts.json === true) {
            process.stdout.write(
              `${JSON.stringify({ earned: earned.toString(), claimed: claimed.toString(), unclaimed: unclaimed.toString(), jobs, channels })}\n`,
            )
          } else {
            process.stdout.write(
              `earned     ${formatTon(earned)} (${jobs} jobs, ${channels.length} channels)\nclaimed    ${formatTon(claimed)}\nunclaimed  ${formatTon(unclaimed)}\n`,
            )
            if (unread.length > 0)
              process.stdout.write(
                `claimed from the local record for ${unread.length} channels:\n${unread.map((u) => `  ${u}\n`).join('')}`,
              )
          }
        } finally {
          await ctx.close()
        }
      },
    )
}
