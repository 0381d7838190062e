import { formatTon } from '@cocoon-mesh/settlement'
import { openSettlementContext } from '@cocoon-mesh/settlement/node'
import type { Command } from 'commander'
import { earningsJson, providerEarnings } from '../provider-earnings.js'
import type { RegisterCommand } from './index.js'

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
          const e = await providerEarnings(ctx, opts.offline === true)
          const unclaimed = e.earned - e.claimed
          if (opts.json === true) {
            process.stdout.write(`${JSON.stringify(earningsJson(e))}\n`)
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
