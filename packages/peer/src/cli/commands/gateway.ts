import type { Command } from 'commander'
import { startGateway } from '../../gateway/server.js'
import { createLightPeer } from '../../sdk/light-peer.js'
import type { RegisterCommand } from './index.js'

interface GatewayOptions {
  port: string
  host: string
  bootstrap?: string[]
  maxPrice?: string
  model?: string[]
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
    .action(async (opts: GatewayOptions) => {
      const client = await createLightPeer({
        ...(opts.bootstrap !== undefined ? { bootstrap: opts.bootstrap } : {}),
      })
      const book = client.peer.orderBook
      for (const model of opts.model ?? []) book.watch(model)
      const gateway = await startGateway({
        generate: (params) => client.generate(params),
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
