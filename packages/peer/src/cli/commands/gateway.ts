import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import { createLightPeer, discoverOffers } from '@cocoon-mesh/client/internal'
import type { TrustTier } from '@cocoon-mesh/protocol'
import { resolveHome } from '@cocoon-mesh/settlement/node'
import { type Command, InvalidArgumentError } from 'commander'
import { startGateway } from '../../gateway/server.js'
import { loadConfigFile } from '../../home/config.js'
import { loadGatewayConfig } from '../../home/gateway-config.js'
import { createNodeMetrics } from '../../metrics/node-metrics.js'
import { clientTrust } from '../node-attestation.js'
import { parsePort, parseTrustTier } from '../node-options.js'
import type { RegisterCommand } from './index.js'

interface GatewayFlags {
  port: number
  host: string
  home?: string
  bootstrap?: string[]
  maxPrice?: bigint
  model?: string[]
  trustTier?: TrustTier
  corsOrigin?: string[]
  corsCredentials?: boolean
  maxRunning?: number
  maxWaiting?: number
  maxWaitMs?: number
}

/** commander parser for a count option: a non-negative integer, or commander's usage error. */
function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a count: give a whole number`)
  return Number(value)
}

/** commander parser for a price: whole nanoTON, or commander's usage error. */
function nanoton(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a price: give whole nanoTON`)
  return BigInt(value)
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** Most models the gateway starts watching because a request asked for them. */
const MAX_LEARNED_MODELS = 64

/** How long one discovery of an unknown model may take, ms. */
const DISCOVERY_TIMEOUT_MS = 10_000

/** `cocoon gateway`: an OpenAI-compatible HTTP server on 127.0.0.1 routing requests over the mesh. */
export const registerGateway: RegisterCommand = (program: Command) => {
  program
    .command('gateway')
    .description(
      'serve an OpenAI-compatible API (/v1/models, /v1/chat/completions, /v1/completions, /metrics) over the mesh',
    )
    .option('--port <n>', 'port to listen on', parsePort, 8080)
    .option('--host <ip>', 'address to listen on', '127.0.0.1')
    .option(
      '--home <dir>',
      'home folder whose config.jsonc "gateway" and "attestation" sections are read (default $COCOON_HOME or ~/.cocoon)',
    )
    .option('--bootstrap <multiaddr>', 'peer to join through (repeatable)', collect)
    .option('--model <model>', 'keep this model warm in the order book from the start (repeatable)', collect)
    .option('--max-price <nanoton>', 'default price cap per 1000 tokens, nanoTON', nanoton)
    .option('--cors-origin <origin>', 'allow web pages of this origin ("*" for any; repeatable)', collect)
    .option('--cors-credentials', 'allow credentialed cross-origin requests (off by default)')
    .option('--max-running <n>', 'jobs in flight at once (default 64)', count)
    .option('--max-waiting <n>', 'requests waiting for a provider before a 429 (default 256)', count)
    .option('--max-wait-ms <ms>', 'longest wait for a provider before a 503 (default 30000)', count)
    .option('--trust-tier <tier>', 'least trust tier of every request: open, or attested', parseTrustTier)
    .action(async (flags: GatewayFlags) => {
      const home = resolveHome(flags.home)
      const config = await loadGatewayConfig(home)
      const telemetry = createNodeMetrics()
      const client = await createLightPeer({
        trust: await clientTrust(home, (await loadConfigFile(home)).attestation),
        ...(flags.bootstrap !== undefined ? { bootstrap: flags.bootstrap } : {}),
        metrics: telemetry.metrics,
      })
      const book = client.peer.orderBook
      for (const model of flags.model ?? []) book.watch(model)
      const queue = { ...config.queue }
      if (flags.maxRunning !== undefined) queue.maxRunning = Math.max(1, flags.maxRunning)
      if (flags.maxWaiting !== undefined) queue.maxWaiting = flags.maxWaiting
      if (flags.maxWaitMs !== undefined) queue.maxWaitMs = flags.maxWaitMs
      const gateway = await startGateway({
        generate: (params) =>
          client.generate(
            flags.trustTier === undefined ? params : { ...params, minTrustTier: flags.trustTier },
          ),
        embed: (params) => client.embed(params),
        offers: () => book.offers(),
        watch: learnModels(client.peer),
        port: flags.port,
        host: flags.host,
        cors: {
          origins: flags.corsOrigin ?? config.cors.origins,
          credentials: flags.corsCredentials ?? config.cors.credentials,
        },
        queue,
        metrics: telemetry.metrics,
        registry: telemetry.registry,
        logger: client.peer.libp2p.logger,
        ...(flags.maxPrice !== undefined ? { maxPrice: flags.maxPrice } : {}),
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

/**
 * What the gateway calls for a model nobody offers: the book starts watching
 * it and asks the DHT for its providers once, so a model that exists is
 * offered to the next request. Bounded: a caller naming random models makes
 * the gateway join at most {@link MAX_LEARNED_MODELS} topics.
 */
function learnModels(peer: CocoonPeer): (model: string) => void {
  const log = peer.libp2p.logger.forComponent('cocoon:gateway')
  const learning = new Set<string>()
  return (model) => {
    if (learning.has(model) || learning.size >= MAX_LEARNED_MODELS) return
    learning.add(model)
    peer.orderBook.watch(model)
    discoverOffers(peer.libp2p, peer.orderBook, model, {
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
      logger: peer.libp2p.logger,
    }).then(
      (result) => log('discovered %d providers of %s', result.providers.length, model),
      (error: unknown) => log('discovering providers of %s failed - %e', model, error),
    )
  }
}
