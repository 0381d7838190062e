import { join } from 'node:path'
import type { CreateRuntimeErrorType } from '@cocoon-mesh/gpu-runtime'
import type { PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { LevelDatastore } from 'datastore-level'
import { collectDefaultMetrics, Registry } from 'prom-client'
import type { NodeConfig } from '../home/config.js'
import { withUninterruptedReads } from '../home/datastore.js'
import { BootstrapUnreachableError, ListenError, MalformedConfigError } from '../home/errors.js'
import { DATASTORE_DIR } from '../home/index.js'
import { type NodeState, removeNodeState, writeNodeState } from '../home/state.js'
import { createProviderJobs, runtimeConfigFromHome } from '../jobs/serve.js'
import type { OfferTemplate } from '../market/offer-factory.js'
import {
  jobMetrics,
  type MetricsListenError,
  type MetricsServer,
  settlementMetrics,
  startMetricsServer,
} from '../metrics/index.js'
import { createPeer } from '../peer/create-peer.js'
import type { CocoonPeer } from '../peer/types.js'
import { summarizeOffer } from './node-options.js'
import {
  type ProviderSettlement,
  type ProviderSettlementOptions,
  type StartProviderSettlementErrorType,
  startProviderSettlement,
} from './provider-settlement.js'

export interface RunNodeOptions {
  home: string
  privateKey: PrivateKey
  config: NodeConfig
  provide: boolean
  /** Where log lines go (default stdout). */
  log?: (line: string) => void
  /**
   * The toncenter v2 endpoint to be paid through payment channels
   * (`--chain-endpoint`, default `$COCOON_TON_ENDPOINT`); without one the node serves for free.
   */
  chainEndpoint?: string
  /**
   * Serve Prometheus metrics (process, libp2p, order book, jobs) on
   * `http://127.0.0.1:<port>/metrics`; 0 picks a free port. Off when absent.
   */
  metricsPort?: number
  /** Credit window, voucher timeout, claim policy and claim interval. */
  settlement?: Pick<
    ProviderSettlementOptions,
    'creditWindow' | 'voucherTimeoutMs' | 'claimPolicy' | 'claimIntervalMs'
  >
}

export interface RunningNode {
  peer: CocoonPeer
  /** Stops cleanly: cancels offers, stops libp2p, closes the datastore, removes the state file. */
  shutdown(): Promise<void>
  /** The provider's wallet, payments and claim pass (when providing). */
  settlement?: ProviderSettlement
}

/** What the config says this node serves, with the GPU found by gpu-runtime's detectHardware. */
export async function offerTemplateFromConfig(config: NodeConfig): Promise<OfferTemplate> {
  const p = config.provide
  let gpu = { model: 'cpu', vramMb: 0, backend: 'cpu' }
  try {
    const { detectHardware } = await import('@cocoon-mesh/gpu-runtime')
    const hw = await detectHardware({ timeoutMs: 3000 })
    const first = hw.gpus[0]
    gpu =
      first === undefined
        ? { model: hw.cpu.model, vramMb: 0, backend: 'cpu' }
        : { model: first.name, vramMb: first.vramMb, backend: 'cuda' }
  } catch {
    // hardware detection is best effort
  }
  return {
    models: p.models,
    jobKinds: p.jobKinds,
    prices: p.prices,
    gpu,
    maxConcurrency: Math.max(1, p.maxConcurrency),
    region: p.region,
    payoutAddress: p.payoutAddress,
  }
}

/** The provider settlement options the config's "settlement" section sets. */
export function settlementFromConfig(config: NodeConfig): NonNullable<RunNodeOptions['settlement']> {
  const s = config.settlement
  return {
    ...(s.creditWindow > 0n ? { creditWindow: s.creditWindow } : {}),
    voucherTimeoutMs: s.voucherTimeoutMs,
    claimPolicy: { threshold: s.claimThreshold, interval: s.claimAfterMs, minClaim: s.claimMinimum },
    claimIntervalMs: s.claimCheckMs,
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/**
 * What {@link runNode} throws: `--provide` without models, the provider's
 * wallet or store, a bad runtime config, the node not listening, the metrics
 * port taken, no bootstrap peer reachable, or LevelDB failing to open the
 * datastore. Everything it started is stopped again before it throws.
 */
export type RunNodeErrorType =
  | MalformedConfigError
  | StartProviderSettlementErrorType
  | CreateRuntimeErrorType
  | ListenError
  | MetricsListenError
  | BootstrapUnreachableError
  | Error

/**
 * Starts a full peer from a home folder and keeps the state file for `cocoon status` up to date.
 * @throws {RunNodeErrorType}
 */
export async function runNode(options: RunNodeOptions): Promise<RunningNode> {
  const { home, config } = options
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`))
  if (options.provide && config.provide.models.length === 0) {
    throw new MalformedConfigError('--provide given but no models to provide', {
      details: `Set "provide.models" in ${join(home, 'config.jsonc')} or COCOON_PROVIDE_MODELS=model-a,model-b.`,
    })
  }
  const template = options.provide ? await offerTemplateFromConfig(config) : undefined
  const registry = options.metricsPort === undefined ? undefined : new Registry()
  if (registry !== undefined) collectDefaultMetrics({ register: registry })
  const recordJob = registry === undefined ? undefined : jobMetrics(registry)
  // the wallet is the offers' payout address and settlement key; with a
  // chain endpoint jobs are paid through channels (and claimed on a timer), otherwise free
  const endpoint = options.chainEndpoint ?? process.env.COCOON_TON_ENDPOINT
  const apiKey = process.env.COCOON_TON_API_KEY
  const settlement =
    template === undefined
      ? undefined
      : await startProviderSettlement({
          home,
          prices: template.prices,
          log,
          ...(registry === undefined ? {} : { metrics: settlementMetrics(registry) }),
          ...settlementFromConfig(config), // the config's "settlement" section
          ...options.settlement,
          ...(endpoint === undefined || endpoint === '' ? {} : { endpoint }),
          ...(apiKey === undefined ? {} : { apiKey }),
        })
  if (template !== undefined && settlement !== undefined) {
    if (settlement.payments !== undefined || (template.payoutAddress ?? '') === '')
      template.payoutAddress = settlement.wallet.address.toString()
    template.settlementKey = new Uint8Array(settlement.wallet.signingKey.publicKey)
    log(
      settlement.payments === undefined
        ? `payments off (free jobs): no chain endpoint; payout ${template.payoutAddress}`
        : `payments on via ${endpoint}; payout ${template.payoutAddress} settlement-key ${Buffer.from(template.settlementKey).toString('hex')}`,
    )
  }
  // serve /cocoon/job/1.0.0 with the gpu-runtime (models from <home>/models/<name>.gguf)
  const jobs =
    template === undefined
      ? undefined
      : await createProviderJobs({
          runtime: runtimeConfigFromHome(home, config.provide),
          prices: template.prices,
          ...(settlement?.payments === undefined ? {} : { payments: settlement.payments }),
          onEvent: (e) => {
            recordJob?.(e)
            // one line per job event (not per token), like peers and offers
            if (e.type === 'accepted') log(`job-accepted ${e.jobId} client=${e.client} model=${e.model}`)
            else if (e.type === 'rejected')
              log(`job-rejected ${e.jobId} reason=${e.reason} ${oneLine(e.message)}`)
            else if (e.type === 'finished')
              log(`job-finished ${e.jobId} cost=${e.cost} tokens=${e.completionTokens} gflop=${e.gflop}`)
            else if (e.type === 'failed') log(`job-failed ${e.jobId} code=${e.code} ${oneLine(e.message)}`)
          },
        }).catch(async (error: unknown) => {
          await settlement?.close()
          throw error
        })
  if (template !== undefined && jobs?.capacity !== undefined) {
    template.tokensPerSecond = jobs.capacity.tokensPerSecond
    template.gflops = jobs.capacity.gflops
  }
  const datastore = new LevelDatastore(join(home, DATASTORE_DIR))
  await datastore.open()
  let peer: CocoonPeer
  try {
    peer = await createPeer({
      privateKey: options.privateKey,
      // libp2p's peer store must not lose remembered peers to a read aborted at shutdown
      datastore: withUninterruptedReads(datastore),
      listen: config.listen,
      bootstrap: config.bootstrap,
      models: config.models,
      ...(template === undefined ? {} : { provide: template, offerTtlMs: config.provide.offerTtlMs }),
      ...(jobs === undefined ? {} : { services: jobs.services }),
      ...(registry === undefined ? {} : { metricsRegistry: registry }),
    })
  } catch (error) {
    await jobs?.close()
    await settlement?.close()
    await datastore.close()
    const message = error instanceof Error ? error.message : String(error)
    if (
      /EADDRINUSE|address already in use/i.test(message) ||
      /EADDRINUSE/.test(String((error as { cause?: unknown }).cause))
    ) {
      throw new ListenError('A listen address is already in use', {
        details: `${message}. Another process (maybe another cocoon node) holds the port: stop it, or choose another with --listen /ip4/0.0.0.0/tcp/<port> (port 0 picks a free one).`,
        cause: error,
      })
    }
    throw new ListenError('The node could not start listening', {
      details: `${message}. Check --listen / "listen" in the config.`,
      cause: error,
    })
  }

  const startedAt = Date.now()
  let stateTimer: ReturnType<typeof setTimeout> | undefined
  let stopping = false
  const writeState = async (): Promise<void> => {
    if (stopping) return
    const own = peer.libp2p.services.offerPublisher?.current
    const state: NodeState = {
      pid: process.pid,
      peerId: peer.libp2p.peerId.toString(),
      startedAt,
      updatedAt: Date.now(),
      addresses: peer.libp2p.getMultiaddrs().map(String),
      connectedPeers: [...new Set(peer.libp2p.getConnections().map((c) => c.remotePeer.toString()))],
      providing: template !== undefined,
      models: peer.orderBook.watching(),
      ...(own === undefined ? {} : { ownOffer: summarizeOffer(own) }),
      offers: peer.orderBook.offers().map(summarizeOffer),
    }
    await writeNodeState(home, state).catch(() => {})
  }
  const scheduleState = (): void => {
    if (stateTimer !== undefined || stopping) return
    stateTimer = setTimeout(() => {
      stateTimer = undefined
      void writeState()
    }, 200)
  }
  const ticker = setInterval(() => void writeState(), 2000)

  let metrics: MetricsServer | undefined
  if (registry !== undefined) {
    try {
      metrics = await startMetricsServer({ registry, port: options.metricsPort ?? 0 })
    } catch (error) {
      clearInterval(ticker)
      await peer.stop()
      await jobs?.close()
      await settlement?.close()
      await datastore.close()
      throw error
    }
  }

  log(`peer-id ${peer.libp2p.peerId.toString()}`)
  if (metrics !== undefined) log(`metrics ${metrics.url}`)
  for (const addr of peer.libp2p.getMultiaddrs()) log(`listening ${addr.toString()}`)
  if (template !== undefined)
    log(`providing ${template.models.join(',')} gpu=${template.gpu?.model ?? 'cpu'}`)
  peer.libp2p.addEventListener('peer:connect', (e) => {
    log(`peer-joined ${e.detail.toString()}`)
    scheduleState()
  })
  peer.libp2p.addEventListener('peer:disconnect', (e) => {
    log(`peer-left ${e.detail.toString()}`)
    scheduleState()
  })
  peer.orderBook.addEventListener('change', (e) => {
    const { type, provider, entry, reason } = e.detail
    log(
      `offer-${type} ${provider} models=${entry.models.join(',')} seq=${entry.offer.sequence}${reason === undefined ? '' : ` reason=${reason}`}`,
    )
    scheduleState()
  })
  // what happened during start-up, before the listeners above (libp2p dials
  // peers remembered in the datastore while it starts)
  for (const id of new Set(peer.libp2p.getConnections().map((c) => c.remotePeer.toString())))
    log(`peer-joined ${id}`)
  for (const entry of peer.orderBook.entries())
    log(`offer-added ${entry.provider} models=${entry.models.join(',')} seq=${entry.offer.sequence}`)
  await writeState()

  const shutdown = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    clearInterval(ticker)
    if (stateTimer !== undefined) clearTimeout(stateTimer)
    await metrics?.close()
    await peer.stop() // the offer publisher publishes its cancel in beforeStop
    await jobs?.close()
    await settlement?.close()
    await datastore.close()
    await removeNodeState(home)
  }

  // Bootstrap: if every configured address is unreachable, say so and stop.
  if (config.bootstrap.length > 0) {
    const results = await Promise.allSettled(
      config.bootstrap.map((addr) =>
        peer.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) }),
      ),
    )
    if (results.every((r) => r.status === 'rejected')) {
      const reasons = results.map(
        (r, i) =>
          `${config.bootstrap[i]}: ${r.status === 'rejected' ? String((r.reason as Error)?.message ?? r.reason) : 'ok'}`,
      )
      await shutdown()
      throw new BootstrapUnreachableError('None of the bootstrap peers could be reached', {
        details: `${reasons.join('; ')}. Check the addresses (they need /p2p/<peer id>), that those nodes run and that no firewall blocks the ports; or start without --bootstrap to begin a new mesh.`,
      })
    }
  } else {
    // no bootstrap: reconnect to peers remembered in the datastore from an earlier run
    const known = await peer.libp2p.peerStore.all({ limit: 20 }).catch(() => [])
    for (const p of known) {
      if (p.addresses.length > 0)
        void peer.libp2p.dial(p.id, { signal: AbortSignal.timeout(10_000) }).catch(() => {})
    }
  }
  return { peer, shutdown, ...(settlement === undefined ? {} : { settlement }) }
}
