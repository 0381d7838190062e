import { formatTon, parseTon } from '@cocoon-mesh/settlement'
import { devnetCall } from '@cocoon-mesh/settlement/devnet'
import { openSettlementContext } from '@cocoon-mesh/settlement/node'
import type { Command } from 'commander'
import type { RegisterCommand } from './index.js'

interface WalletOptions {
  home?: string
  endpoint?: string
  apiKey?: string
  json?: boolean
  faucet?: string
}

/** `cocoon wallet [--json]`: the node's TON address and balance. */
export const registerWallet: RegisterCommand = (program: Command) => {
  program
    .command('wallet')
    .description("show this node's TON wallet address and balance")
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option(
      '--endpoint <url>',
      'toncenter v2 jsonRPC endpoint (default $COCOON_TON_ENDPOINT, the endpoint of $COCOON_TON_NETWORK, or the local devnet)',
    )
    .option('--api-key <key>', 'toncenter API key (default $COCOON_TON_API_KEY or $TONCENTER_API_KEY)')
    .option('--faucet <ton>', 'devnet only: ask the devnet faucet for this many TON first')
    .option('--json', 'print JSON')
    .action(async (opts: WalletOptions) => {
      const ctx = await openSettlementContext(opts)
      try {
        if (opts.faucet !== undefined) {
          const amount = parseTon(opts.faucet, 'faucet amount')
          await devnetCall(ctx.endpoint, 'cocoonFaucet', {
            address: ctx.wallet.address.toString(),
            amount: amount.toString(),
          })
        }
        const balance = await ctx.chain.getBalance(ctx.wallet.address)
        const status = await ctx.chain.getStatus(ctx.wallet.address)
        const address = ctx.wallet.address.toString({ bounceable: false })
        const settlementKey = Buffer.from(ctx.wallet.signingKey.publicKey).toString('hex')
        if (opts.json === true) {
          process.stdout.write(
            `${JSON.stringify({ address, raw: ctx.wallet.address.toRawString(), settlementKey, balance: balance.toString(), status, endpoint: ctx.endpoint })}\n`,
          )
        } else {
          process.stdout.write(
            `address         ${address}\nsettlement key  ${settlementKey}\nbalance         ${formatTon(balance)}\nstatus          ${status}\n`,
          )
        }
      } finally {
        await ctx.close()
      }
    })
}
