import { join } from 'node:path'
import type { CreateRuntimeErrorType } from '@cocoon-mesh/gpu-runtime'
import { errorLine } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger, Metrics, PrivateKey } from '@libp2p/interface'
import { peerLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { LevelDatastore } from 'datastore-level'
import type { NodeConfig } from '../home/config.js'
import { withUninterruptedReads } from '../home/datastore.js'
import { BootstrapUnreachableError, ListenError, MalformedConfigError } from '../home/errors.js'
import { DATASTORE_DIR } from '../home/index.js'
import { type NodeState, removeNodeState, writeNodeState } from '../home/state.js'
import type { JobServiceEvent } from '../jobs/provider.js'
import { createProviderJobs, type ProviderJobs, runtimeConfigFromHome } from '../jobs/serve.js'
import type { OfferTemplate } from '../market/offer-factory.js'
import {
  createNodeMetrics,
  type MetricsListenError,
  type NodeMetrics,
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
import { Teardown } from './teardown.js'

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
    'creditWindow' | 'voucherTimeoutMs' | 'claimPolicy' | 'claimIntervalMs' | 'freeJobs'
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
    freeJobs: s.freeJobs,
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
 * Everything started is registered on one {@link Teardown}: a failure part way
 * undoes what started, and `shutdown()` undoes all of it.
 * @throws {RunNodeErrorType}
 */
export async function runNode(options: RunNodeOptions): Promise<RunningNode> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`))
  if (options.provide && options.config.provide.models.length === 0) {
    throw new MalformedConfigError('--provide given but no models to provide', {
      details: `Set "provide.models" in ${join(options.home, 'config.jsonc')} or COCOON_PROVIDE_MODELS=model-a,model-b.`,
    })
  }
  const teardown = new Teardown()
  try {
    return await startNode(options, log, teardown)
  } catch (error) {
    await teardown.run().catch((cleanup: unknown) => log(`cleanup-failed ${oneLine(errorLine(cleanup))}`))
    throw error
  }
}

/** Starts settlement, jobs, datastore, peer, state file and metrics endpoint in order, each registered on `teardown`. */
async function startNode(
  options: RunNodeOptions,
  log: (line: string) => void,
  teardown: Teardown,
): Promise<RunningNode> {
  const { home, config } = options
  const template = options.provide ? await offerTemplateFromConfig(config) : undefined
  const telemetry = options.metricsPort === undefined ? undefined : createNodeMetrics()
  // one logger for the node, its runtime and its settlement, prefixed with the node's peer id
  const logger = peerLogger(peerIdFromPrivateKey(options.privateKey))
  // removed last, and only once this process wrote it
  const state = new NodeStateFile(home, template !== undefined)
  teardown.defer('state file', () => state.remove())
  const settlement =
    template === undefined
      ? undefined
      : await startSettlement(options, template, log, { metrics: telemetry?.metrics, logger })
  if (settlement !== undefined) teardown.defer('settlement', () => settlement.close())
  const jobs =
    template === undefined ? undefined : await startJobs(options, template, settlement, log, logger)
  if (jobs !== undefined) teardown.defer('job runtime', () => jobs.close())
  const datastore = new LevelDatastore(join(home, DATASTORE_DIR))
  await datastore.open()
  teardown.defer('datastore', () => datastore.close())
  const peer = await startPeer(options, { datastore, template, jobs, metrics: telemetry?.metrics, logger })
  teardown.defer('peer', () => peer.stop()) // the offer publisher publishes its cancel in beforeStop
  state.track(peer, log)
  teardown.defer('state updates', () => state.stop())
  const metrics =
    telemetry === undefined ? undefined : await serveMetrics(telemetry, options.metricsPort ?? 0, teardown)
  logStartup(peer, { template, metricsUrl: metrics }, log, () => state.schedule())
  await state.write()
  await joinMesh(peer, config.bootstrap)
  let shutdown: Promise<void> | undefined
  return {
    peer,
    shutdown: () => {
      shutdown ??= teardown.run()
      return shutdown
    },
    ...(settlement === undefined ? {} : { settlement }),
  }
}

/**
 * The provider's settlement (wallet, payments with a chain endpoint, the claim
 * timer). Puts its wallet in the offer as payout address and settlement key.
 */
async function startSettlement(
  options: RunNodeOptions,
  template: OfferTemplate,
  log: (line: string) => void,
  observe: { metrics: Metrics | undefined; logger: ComponentLogger },
): Promise<ProviderSettlement> {
  // the wallet is the offers' payout address and settlement key; with a
  // chain endpoint jobs are paid through channels (and claimed on a timer), otherwise free
  const endpoint = options.chainEndpoint ?? process.env.COCOON_TON_ENDPOINT
  const apiKey = process.env.COCOON_TON_API_KEY
  const settlement = await startProviderSettlement({
    home: options.home,
    prices: template.prices,
    log,
    logger: observe.logger,
    ...(observe.metrics === undefined ? {} : { metrics: observe.metrics }),
    ...settlementFromConfig(options.config), // the config's "settlement" section
    ...options.settlement,
    ...(endpoint === undefined || endpoint === '' ? {} : { endpoint }),
    ...(apiKey === undefined ? {} : { apiKey }),
  })
  if (settlement.payments !== undefined || (template.payoutAddress ?? '') === '')
    template.payoutAddress = settlement.wallet.address.toString()
  template.settlementKey = new Uint8Array(settlement.wallet.signingKey.publicKey)
  log(
    settlement.payments === undefined
      ? `payments off (free jobs): no chain endpoint; payout ${template.payoutAddress}`
      : `payments on via ${endpoint}; payout ${template.payoutAddress} settlement-key ${Buffer.from(template.settlementKey).toString('hex')}`,
  )
  return settlement
}

/**
 * The job service on the gpu-runtime (models from <home>/models/<name>.gguf),
 * one log line per job event; puts the measured capacity in the offer.
 */
async function startJobs(
  options: RunNodeOptions,
  template: OfferTemplate,
  settlement: ProviderSettlement | undefined,
  log: (line: string) => void,
  logger: ComponentLogger,
): Promise<ProviderJobs> {
  const jobs = await createProviderJobs({
    logger,
    runtime: runtimeConfigFromHome(options.home, options.config.provide),
    prices: template.prices,
    ...(settlement?.payments === undefined ? {} : { payments: settlement.payments }),
    onEvent: (event) => {
      const line = jobLine(event)
      if (line !== undefined) log(line)
    },
  })
  if (jobs.capacity !== undefined) {
    template.tokensPerSecond = jobs.capacity.tokensPerSecond
    template.gflops = jobs.capacity.gflops
  }
  return jobs
}

/** One line per job event (not per token), like peers and offers. */
function jobLine(e: JobServiceEvent): string | undefined {
  switch (e.type) {
    case 'accepted':
      return `job-accepted ${e.jobId} client=${e.client} model=${e.model}`
    case 'rejected':
      return `job-rejected ${e.jobId} reason=${e.reason} ${oneLine(e.message)}`
    case 'finished':
      return `job-finished ${e.jobId} cost=${e.cost} tokens=${e.completionTokens} gflop=${e.gflop}`
    case 'failed':
      return `job-failed ${e.jobId} code=${e.code} ${oneLine(e.message)}`
    case 'progress':
      return undefined
  }
}

/** Creates and starts the libp2p peer; a listen failure becomes a {@link ListenError} saying what to change. */
async function startPeer(
  options: RunNodeOptions,
  parts: {
    datastore: LevelDatastore
    template: OfferTemplate | undefined
    jobs: ProviderJobs | undefined
    metrics: Metrics | undefined
    logger: ComponentLogger
  },
): Promise<CocoonPeer> {
  const { config } = options
  try {
    return await createPeer({
      privateKey: options.privateKey,
      // libp2p's peer store must not lose remembered peers to a read aborted at shutdown
      datastore: withUninterruptedReads(parts.datastore),
      listen: config.listen,
      bootstrap: config.bootstrap,
      models: config.models,
      ...(parts.template === undefined
        ? {}
        : { provide: parts.template, offerTtlMs: config.provide.offerTtlMs }),
      ...(parts.jobs === undefined ? {} : { services: parts.jobs.services }),
      ...(parts.metrics === undefined ? {} : { metrics: parts.metrics }),
      logger: parts.logger,
    })
  } catch (error) {
    throw listenError(error)
  }
}

function listenError(error: unknown): ListenError {
  const message = errorLine(error)
  if (
    /EADDRINUSE|address already in use/i.test(message) ||
    /EADDRINUSE/.test(String((error as { cause?: unknown }).cause))
  ) {
    return new ListenError('A listen address is already in use', {
      details: `${message}. Another process (maybe another cocoon node) holds the port: stop it, or choose another with --listen /ip4/0.0.0.0/tcp/<port> (port 0 picks a free one).`,
      cause: error,
    })
  }
  return new ListenError('The node could not start listening', {
    details: `${message}. Check --listen / "listen" in the config.`,
    cause: error,
  })
}

/** Serves the node's registry on /metrics; returns its URL. */
async function serveMetrics(telemetry: NodeMetrics, port: number, teardown: Teardown): Promise<string> {
  const server = await startMetricsServer({ registry: telemetry.registry, port })
  teardown.defer('metrics endpoint', () => server.close())
  return server.url
}

/**
 * Logs who this node is, then one line per peer and offer change (also what
 * happened during start-up, before the listeners: libp2p dials peers
 * remembered in the datastore while it starts). `changed` runs on each change.
 */
function logStartup(
  peer: CocoonPeer,
  about: { template: OfferTemplate | undefined; metricsUrl: string | undefined },
  log: (line: string) => void,
  changed: () => void,
): void {
  const { template, metricsUrl } = about
  log(`peer-id ${peer.libp2p.peerId.toString()}`)
  if (metricsUrl !== undefined) log(`metrics ${metricsUrl}`)
  for (const addr of peer.libp2p.getMultiaddrs()) log(`listening ${addr.toString()}`)
  if (template !== undefined)
    log(`providing ${template.models.join(',')} gpu=${template.gpu?.model ?? 'cpu'}`)
  peer.libp2p.addEventListener('peer:connect', (e) => {
    log(`peer-joined ${e.detail.toString()}`)
    changed()
  })
  peer.libp2p.addEventListener('peer:disconnect', (e) => {
    log(`peer-left ${e.detail.toString()}`)
    changed()
  })
  peer.orderBook.addEventListener('change', (e) => {
    const { type, provider, entry, reason } = e.detail
    log(
      `offer-${type} ${provider} models=${entry.models.join(',')} seq=${entry.offer.sequence}${reason === undefined ? '' : ` reason=${reason}`}`,
    )
    changed()
  })
  for (const id of new Set(peer.libp2p.getConnections().map((c) => c.remotePeer.toString())))
    log(`peer-joined ${id}`)
  for (const entry of peer.orderBook.entries())
    log(`offer-added ${entry.provider} models=${entry.models.join(',')} seq=${entry.offer.sequence}`)
}

/**
 * Joins the mesh: through the bootstrap peers (when every one is unreachable,
 * throws {@link BootstrapUnreachableError}), or without any, by reconnecting
 * to peers remembered in the datastore from an earlier run.
 */
async function joinMesh(peer: CocoonPeer, bootstrap: readonly string[]): Promise<void> {
  if (bootstrap.length === 0) {
    await reconnectKnownPeers(peer)
    return
  }
  const results = await Promise.allSettled(
    bootstrap.map((addr) => peer.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) })),
  )
  if (results.some((r) => r.status === 'fulfilled')) return
  const reasons = results.map(
    (r, i) => `${bootstrap[i]}: ${r.status === 'rejected' ? errorLine(r.reason) : 'ok'}`,
  )
  throw new BootstrapUnreachableError('None of the bootstrap peers could be reached', {
    details: `${reasons.join('; ')}. Check the addresses (they need /p2p/<peer id>), that those nodes run and that no firewall blocks the ports; or start without --bootstrap to begin a new mesh.`,
  })
}

/** Dials up to 20 peers remembered in the datastore, without waiting; each failure is logged. */
async function reconnectKnownPeers(peer: CocoonPeer): Promise<void> {
  const log = peer.libp2p.logger.forComponent('cocoon:node')
  let known: Awaited<ReturnType<CocoonPeer['libp2p']['peerStore']['all']>>
  try {
    known = await peer.libp2p.peerStore.all({ limit: 20 })
  } catch (error) {
    log.error('reading remembered peers failed; not reconnecting - %e', error)
    return
  }
  for (const p of known) {
    if (p.addresses.length === 0) continue
    peer.libp2p
      .dial(p.id, { signal: AbortSignal.timeout(10_000) })
      .catch((error: unknown) => log('reconnecting to remembered peer %p failed - %e', p.id, error))
  }
}

/**
 * The state file `cocoon status` reads: written at start, every 2 s and
 * shortly after each peer or offer change, removed at shutdown (only when this
 * process wrote it: another node's file of the same home is left alone).
 */
class NodeStateFile {
  readonly #home: string
  readonly #providing: boolean
  readonly #startedAt = Date.now()
  #peer: CocoonPeer | undefined
  #log: Logger | undefined
  #report: ((line: string) => void) | undefined
  #ticker: ReturnType<typeof setInterval> | undefined
  #pending: ReturnType<typeof setTimeout> | undefined
  #stopped = false
  #written = false
  #failing = false

  constructor(home: string, providing: boolean) {
    this.#home = home
    this.#providing = providing
  }

  /** Starts keeping the file up to date for `peer`; the first failure to write it is reported on `report`. */
  track(peer: CocoonPeer, report: (line: string) => void): void {
    this.#peer = peer
    this.#log = peer.libp2p.logger.forComponent('cocoon:node')
    this.#report = report
    this.#ticker = setInterval(() => void this.write(), 2000)
  }

  /** Writes the file within 200 ms (once for a burst of changes). */
  schedule(): void {
    if (this.#pending !== undefined || this.#stopped) return
    this.#pending = setTimeout(() => {
      this.#pending = undefined
      void this.write()
    }, 200)
  }

  /** Writes the file now; a failure is logged (and reported once until a write succeeds again). */
  async write(): Promise<void> {
    const peer = this.#peer
    if (peer === undefined || this.#stopped) return
    try {
      await writeNodeState(this.#home, this.#snapshot(peer))
      this.#written = true
      this.#failing = false
    } catch (error) {
      this.#log?.error('writing the node state file failed - %e', error)
      if (!this.#failing) this.#report?.(`state-file-failed ${oneLine(errorLine(error))}`)
      this.#failing = true
    }
  }

  #snapshot(peer: CocoonPeer): NodeState {
    const own = peer.libp2p.services.offerPublisher?.current
    return {
      pid: process.pid,
      peerId: peer.libp2p.peerId.toString(),
      startedAt: this.#startedAt,
      updatedAt: Date.now(),
      addresses: peer.libp2p.getMultiaddrs().map(String),
      connectedPeers: [...new Set(peer.libp2p.getConnections().map((c) => c.remotePeer.toString()))],
      providing: this.#providing,
      models: peer.orderBook.watching(),
      ...(own === undefined ? {} : { ownOffer: summarizeOffer(own) }),
      offers: peer.orderBook.offers().map(summarizeOffer),
    }
  }

  /** Stops the updates. */
  stop(): void {
    this.#stopped = true
    if (this.#ticker !== undefined) clearInterval(this.#ticker)
    if (this.#pending !== undefined) clearTimeout(this.#pending)
  }

  async remove(): Promise<void> {
    this.stop()
    if (this.#written) await removeNodeState(this.#home)
  }
}
