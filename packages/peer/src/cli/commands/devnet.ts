import { DEFAULT_DEVNET_PORT, startDevnet } from '@cocoon-mesh/settlement'
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
    .action(async (opts: { port: string; host: string }) => {
      const devnet = await startDevnet({ port: Number(opts.port), host: opts.host })
      process.stdout.write(`cocoon devnet listening: ${devnet.endpoint}\n`)
      process.stdout.write(`  export COCOON_TON_ENDPOINT=${devnet.endpoint}\n`)
      process.stdout.write('  fund a wallet: cocoon wallet --faucet 100\n')
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await devnet.stop()
    })
}
