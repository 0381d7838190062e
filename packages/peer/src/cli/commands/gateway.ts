import type { TrustTier } from '@cocoon-mesh/protocol'
import { resolveHome } from '@cocoon-mesh/settlement'
import type { Command } from 'commander'
import { startGateway } from '../../gateway/server.js'
import { loadConfigFile } from '../../home/config.js'
import { createLightPeer } from '../../sdk/light-peer.js'
import { clientTrust } from '../node-attestation.js'
import { parseTrustTier } from '../node-options.js'
import type { RegisterCommand } from './index.js'

interface GatewayOptions {
  port: string
  host: string
  bootstrap?: string[]
  maxPrice?: string
  model?: string[]
  home?: string
  trustTier?: TrustTier
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** `cocoon gateway`: an OpenAI-compatible HTTP server on 127.0.0.1 routing requests over the mesh. */
export const registerGateway: RegisterCommand = (program: Command) => {
  program
    .command('gateway')
    .description(
      'serve an OpenAI-compatible API (/v1/models, /v1/chat/completions, /v1/completions) over the mesh',
    )
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <ip>', 'address to listen on', '127.0.0.1')
    .option('--bootstrap <multiaddr>', 'peer to join through (repeatable)', collect)
    .option('--model <model>', 'watch this model in the order book from the start (repeatable)', collect)
    .option('--max-price <nanoton>', 'default price cap per 1000 tokens, nanoTON')
    .option(
      '--home <dir>',
      'home folder whose attestation config verifies offers (default $COCOON_HOME or ~/.cocoon)',
    )
    .option('--trust-tier <tier>', 'least trust tier of every request: open, or attested', parseTrustTier)
    .action(async (opts: GatewayOptions) => {
      const home = resolveHome(opts.home)
      const client = await createLightPeer({
        trust: await clientTrust(home, (await loadConfigFile(home)).attestation),
        ...(opts.bootstrap !== undefined ? { bootstrap: opts.bootstrap } : {}),
      })
      const book = client.peer.orderBook
      for (const model of opts.model ?? []) book.watch(model)
      const gateway = await startGateway({
        generate: (params) =>
          client.generate(
            opts.trustTier === undefined ? params : { ...params, minTrustTier: opts.trustTier },
          ),
        models: () => [...new Set(book.offers().flatMap((o) => o.models))],
        port: Number(opts.port),
        host: opts.host,
        logger: client.peer.libp2p.logger,
        ...(opts.maxPrice !== undefined ? { maxPrice: BigInt(opts.maxPrice) } : {}),
      })
      process.stdout.write(`cocoon gateway listening on ${gateway.url}\n`)
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await gateway.close()
      await client.stop()
    })
}
