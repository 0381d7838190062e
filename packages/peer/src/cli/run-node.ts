import { join } from 'node:path'
import type { CocoonPeer, OfferTemplate, OfferTrustVerifier } from '@cocoon-mesh/client/internal'
import { attestationTrust, createPeer } from '@cocoon-mesh/client/internal'
import type { CreateRuntimeErrorType } from '@cocoon-mesh/gpu-runtime'
import { errorLine } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Listener, Metrics, PrivateKey } from '@libp2p/interface'
import { peerLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { LevelDatastore } from 'datastore-level'
import { DashboardFeed, type DashboardListenError, serveDashboard } from '../dashboard/index.js'
import { attestationPolicyFromConfig } from '../home/attestation-policy.js'
import type { NodeConfig } from '../home/config.js'
import { withUninterruptedReads } from '../home/datastore.js'
import {
  BootstrapUnreachableError,
  ListenError,
  MalformedConfigError,
  ShutdownFailedError,
} from '../home/errors.js'
import { DATASTORE_DIR } from '../home/index.js'
import type { ProviderJobs } from '../jobs/serve.js'
import {
  createNodeMetrics,
  type MetricsListenError,
  type NodeMetrics,
  startMetricsServer,
} from '../metrics/index.js'
import { announceFilter } from '../network/announce-filter.js'
import { natPlan } from '../network/nat-services.js'
import { RelayReservationsService } from '../network/relay-reservations.js'
import { createNodeLog, type LogFormat, logStartup, type NodeLog } from './node-log.js'
import { type ProviderParts, startProvider } from './node-provider.js'
import { NodeStateFile } from './node-state-file.js'
import type {
  ProviderSettlement,
  ProviderSettlementOptions,
  StartProviderSettlementErrorType,
} from './provider-settlement.js'
import { ReachabilityTracker } from './reachability.js'
import { Teardown } from './teardown.js'

export { offerTemplateFromConfig, settlementFromConfig } from './node-provider.js'

export interface RunNodeOptions {
  home: string
  privateKey: PrivateKey
  config: NodeConfig
  provide: boolean
  /** Where log lines go, one per call without a newline (default stdout). */
  log?: (line: string) => void
  /** `text` (default): one readable line per event; `json`: one JSON object per line. */
  logFormat?: LogFormat
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
  /**
   * Serve the web dashboard on `http://127.0.0.1:<port>/?token=<token>` (the
   * URL is logged as a `dashboard <url>` event); 0 picks a free port. Off when absent.
   */
  dashboardPort?: number
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

/**
 * What {@link runNode} throws: `--provide` without models, the provider's
 * wallet or store, a bad runtime config, the node not listening, the metrics
 * or dashboard port taken, no bootstrap peer reachable, or LevelDB failing to open the
 * datastore. Everything it started is stopped again before it throws.
 */
export type RunNodeErrorType =
  | MalformedConfigError
  | StartProviderSettlementErrorType
  | CreateRuntimeErrorType
  | ListenError
  | MetricsListenError
  | DashboardListenError
  | BootstrapUnreachableError
  | Error

/**
 * Starts a full peer from a home folder and keeps the state file for `cocoon status` up to date.
 * Everything started is registered on one {@link Teardown}: a failure part way
 * undoes what started, and `shutdown()` undoes all of it; each cleanup that
 * fails is logged (`cleanup-failed <step> <cause>`).
 * @throws {RunNodeErrorType}
 */
export async function runNode(options: RunNodeOptions): Promise<RunningNode> {
  // the dashboard's feed sees every event from the first, so the page knows what start-up did
  const feed = options.dashboardPort === undefined ? undefined : new DashboardFeed()
  const log = createNodeLog(
    options.logFormat ?? 'text',
    options.log ?? ((line: string) => process.stdout.write(`${line}\n`)),
    Date.now,
    feed?.nodeEvent,
  )
  if (options.provide && options.config.provide.models.length === 0) throw noModelsError(options.home)
  const teardown = new Teardown((step, cause) =>
    log.event('cleanup-failed', { step, error: errorLine(cause) }),
  )
  try {
    return await startNode(options, { log, feed }, teardown)
  } catch (error) {
    // each failed step was logged by the teardown as it failed; the start-up error is what the caller sees
    await teardown.run().catch((cleanup: unknown) => {
      if (!(cleanup instanceof ShutdownFailedError))
        log.event('cleanup-failed', { step: 'teardown', error: errorLine(cleanup) })
    })
    throw error
  }
}

/** `--provide` with no `provide.models`: says how to add one (or try the test model). */
function noModelsError(home: string): MalformedConfigError {
  return new MalformedConfigError('--provide given but no models to provide', {
    details: `Add one with \`cocoon models add <id> <file.gguf | hf:user/repo | http://upstream/v1>\`, set "provide.models" in ${join(home, 'config.jsonc')}, or run \`cocoon init --try\` for a generated test model.`,
  })
}

/**
 * Starts the provider part (settlement, jobs), datastore, peer, state file and
 * metrics endpoint in order, each registering its stop on `teardown`, then joins the mesh.
 */
async function startNode(
  options: RunNodeOptions,
  { log, feed }: { log: NodeLog; feed: DashboardFeed | undefined },
  teardown: Teardown,
): Promise<RunningNode> {
  // the policy this node verifies offers with, loaded first so a bad one fails before anything starts
  const trust = attestationTrust({
    policy: await attestationPolicyFromConfig(options.home, options.config.attestation),
  })
  const telemetry = options.metricsPort === undefined ? undefined : createNodeMetrics()
  // one logger for the node, its runtime and its settlement, prefixed with the node's peer id
  const logger = peerLogger(peerIdFromPrivateKey(options.privateKey))
  // removed last, and only once this process wrote it
  const state = new NodeStateFile(options.home, options.provide)
  teardown.defer('state file', () => state.remove())
  const provider = options.provide
    ? await startProvider(options, log, teardown, {
        metrics: telemetry?.metrics,
        logger,
        ...(feed === undefined ? {} : { onClaimPass: feed.claimPass }),
      })
    : undefined
  const datastore = new LevelDatastore(join(options.home, DATASTORE_DIR))
  await datastore.open()
  teardown.defer('datastore', () => datastore.close())
  const { peer, listening } = await startPeer(options, {
    datastore,
    template: provider?.template,
    jobs: provider?.jobs,
    trust,
    metrics: telemetry?.metrics,
    logger,
  })
  teardown.defer('peer', () => peer.stop()) // the offer publisher publishes its cancel in beforeStop
  const reachability = new ReachabilityTracker(peer, options.config.network.publicRanges, {
    relayAddress: (address, held) => {
      log.event(held ? 'relay-address' : 'relay-address-lost', { address })
      state.schedule()
    },
    publicAddress: (address, held) => {
      log.event(held ? 'public-address' : 'public-address-lost', { address })
      state.schedule()
    },
    relayedConnection: (peer, via) => log.event('connection-relayed', { peer, via }),
    upgraded: (peer, via) => log.event('connection-upgraded', { peer, via }),
  })
  const reservations = peer.libp2p.services.relayReservations
  if (reservations instanceof RelayReservationsService)
    reservations.addEventListener('reservation:failed', (e) => log.event('relay-refused', e.detail))
  state.track(peer, log.line, reachability)
  teardown.defer('state updates', () => state.stop())
  const metricsUrl =
    telemetry === undefined ? undefined : await serveMetrics(telemetry, options.metricsPort ?? 0, teardown)
  const dashboardUrl =
    feed === undefined ? undefined : await dashboard(options, { peer, feed, provider, state }, teardown)
  logStartup(peer, { template: provider?.template, metricsUrl, dashboardUrl, listening }, log, () =>
    state.schedule(),
  )
  await state.write()
  await joinMesh(peer, options.config.bootstrap)
  let shutdown: Promise<void> | undefined
  return {
    peer,
    shutdown: () => {
      shutdown ??= teardown.run()
      return shutdown
    },
    ...(provider?.settlement === undefined ? {} : { settlement: provider.settlement }),
  }
}

/** Creates and starts the libp2p peer; a listen failure becomes a {@link ListenError} saying what to change. */
async function startPeer(
  options: RunNodeOptions,
  parts: {
    datastore: LevelDatastore
    template: OfferTemplate | undefined
    jobs: ProviderJobs | undefined
    trust: OfferTrustVerifier
    metrics: Metrics | undefined
    logger: ComponentLogger
  },
): Promise<{ peer: CocoonPeer; listening: string[] }> {
  const { config } = options
  const nat = natPlan(config.network, config.listen, [], config.bootstrap)
  try {
    const peer = await createPeer({
      start: false,
      privateKey: options.privateKey,
      // libp2p's peer store must not lose remembered peers to a read aborted at shutdown
      datastore: withUninterruptedReads(parts.datastore),
      listen: config.listen,
      announceFilter: announceFilter(config.network, nat.publicMesh),
      dhtMode: nat.dhtMode,
      bootstrap: config.bootstrap,
      models: config.models,
      trust: parts.trust,
      ...(parts.template === undefined
        ? {}
        : { provide: parts.template, offerTtlMs: config.provide.offerTtlMs }),
      // the full node's NAT traversal (relay server, reservations, AutoNAT, DCUtR, UPnP) beside the job service
      services: { ...nat.services, ...parts.jobs?.services },
      ...(parts.metrics === undefined ? {} : { metrics: parts.metrics }),
      logger: parts.logger,
    })
    // what the transports bound at start: libp2p announces a public address only once AutoNAT verified it
    const listening: string[] = []
    const onListening = (e: CustomEvent<Listener>): void => {
      for (const addr of e.detail.getAddrs()) listening.push(`${addr.toString()}/p2p/${peer.libp2p.peerId}`)
    }
    peer.libp2p.addEventListener('transport:listening', onListening)
    try {
      await peer.start()
    } finally {
      peer.libp2p.removeEventListener('transport:listening', onListening)
    }
    return { peer, listening }
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

/** Serves the node's dashboard; returns its URL with the access token. */
async function dashboard(
  options: RunNodeOptions,
  parts: { peer: CocoonPeer; feed: DashboardFeed; provider: ProviderParts | undefined; state: NodeStateFile },
  teardown: Teardown,
): Promise<string> {
  const server = await serveDashboard({
    peer: parts.peer,
    feed: parts.feed,
    port: options.dashboardPort ?? 0,
    home: options.home,
    providing: options.provide,
    startedAt: parts.state.startedAt,
    ledger: parts.provider?.settlement.ledger,
    jobs: parts.provider?.jobs,
  })
  teardown.defer('dashboard', () => server.close())
  return server.url
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
