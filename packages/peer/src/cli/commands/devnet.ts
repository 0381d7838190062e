import { DEFAULT_DEVNET_PORT, InvalidSettlementInputError } from '@cocoon-mesh/settlement'
import { DEFAULT_DEVNET_BLOCK_INTERVAL, startDevnet } from '@cocoon-mesh/settlement/devnet'
import type { Command } from 'commander'
import type { RegisterCommand } from './index.js'

/** `cocoon devnet [--port N]`: a local TON chain (emulator) behind the toncenter HTTP API. */
export const registerDevnet: RegisterCommand = (program: Command) => {
  program
    .command('devnet')
    .description(
      'run a local TON devnet (emulator) serving the toncenter v2 HTTP API, for development and demos',
    )
    .option('--port <n>', 'TCP port', String(DEFAULT_DEVNET_PORT))
    .option('--host <ip>', 'address to listen on', '127.0.0.1')
    .option(
      '--block-interval <ms>',
      'ms between blocks: an accepted message runs in the next block, each hop of its chain one block later',
      String(DEFAULT_DEVNET_BLOCK_INTERVAL),
    )
    .option('--instant', 'run every message chain before sendBoc answers (fast tests; hides missing waits)')
    .action(async (opts: { port: string; host: string; blockInterval: string; instant?: boolean }) => {
      const blockInterval = Number(opts.blockInterval)
      if (!Number.isInteger(blockInterval) || blockInterval < 1 || blockInterval > 60_000)
        throw new InvalidSettlementInputError('invalid --block-interval', {
          details: `"${opts.blockInterval}": expected whole milliseconds, 1..60000`,
        })
      const devnet = await startDevnet({
        port: Number(opts.port),
        host: opts.host,
        blockInterval,
        instant: opts.instant === true,
      })
      process.stdout.write(
        `cocoon devnet listening: ${devnet.endpoint} (${opts.instant === true ? 'instant' : `blocks every ${blockInterval} ms`})\n`,
      )
      process.stdout.write(`  export COCOON_TON_ENDPOINT=${devnet.endpoint}\n`)
      process.stdout.write('  fund a wallet: cocoon wallet --faucet 100\n')
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await devnet.stop()
    })
}
