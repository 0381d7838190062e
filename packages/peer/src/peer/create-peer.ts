import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { KAD_PROTOCOL } from '@cocoon-mesh/protocol'
import { bootstrap } from '@libp2p/bootstrap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { ServiceMap } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { memory } from '@libp2p/memory'
import { ping } from '@libp2p/ping'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { offerPublisher } from '../services/offer-publisher.js'
import { offersProtocol } from '../services/offers-protocol.js'
import { orderBook } from '../services/order-book.js'
import { PeerPenalties } from '../services/penalties.js'
import { orderBookGossipOptions } from './gossip-config.js'
import { nodeNoiseCrypto } from './noise-crypto.js'
import type { CocoonBaseServices, CocoonPeer, CreatePeerOptions, ServiceFactory } from './types.js'

/**
 * What {@link createPeer} and {@link createLightNode} throw: libp2p's own
 * errors (a bad option or listen multiaddr, a port in use with node's
 * `EADDRINUSE`). `runNode` wraps these in a `ListenError`.
 */
export type CreatePeerErrorType = Error

/**
 * Assembles a full Cocoon peer: TCP + WebSockets, noise, yamux, identify,
 * ping, the Kademlia DHT in server mode under `/cocoon/kad/1.0.0`, gossipsub
 * and bootstrap from the configured multiaddrs.
 * @throws {CreatePeerErrorType}
 */
export async function createPeer<S extends ServiceMap = ServiceMap>(
  options: CreatePeerOptions = {},
): Promise<CocoonPeer<S>> {
  return buildPeer<S>('full', options)
}

/**
 * Assembles the libp2p node under a light peer: the DHT in client mode (it
 * answers no queries and stores no records), no listen addresses by default,
 * gossip optional (`gossip: false` to find providers through the DHT alone).
 * Apps want `createLightPeer` (the SDK), which wraps this with matching, jobs
 * and payment.
 * @throws {CreatePeerErrorType}
 */
export async function createLightNode<S extends ServiceMap = ServiceMap>(
  options: CreatePeerOptions = {},
): Promise<CocoonPeer<S>> {
  return buildPeer<S>('light', options)
}

async function buildPeer<S extends ServiceMap>(
  mode: 'full' | 'light',
  options: CreatePeerOptions,
): Promise<CocoonPeer<S>> {
  const transport = options.transport ?? 'tcp'
  const privateKey = options.privateKey ?? (await generateKeyPair('Ed25519'))
  const listen =
    options.listen ??
    (mode === 'full'
      ? [transport === 'memory' ? `/memory/${privateKey.publicKey.toString()}` : '/ip4/0.0.0.0/tcp/0']
      : [])

  const services: Record<string, ServiceFactory> = {
    identify: identify(),
    ping: ping(),
    dht: kadDHT({
      protocol: KAD_PROTOCOL,
      clientMode: mode === 'light',
      peerInfoMapper: passthroughMapper, // private/LAN addresses are legitimate in the mesh
      allowQueryWithZeroPeers: true,
      initialQuerySelfInterval: 100,
    }),
  }
  const now = options.now ?? Date.now
  const penalties = new PeerPenalties({ now })
  const extraScore = options.appSpecificScore
  if (options.gossip ?? true) {
    services.pubsub = gossipsub(
      orderBookGossipOptions({
        appSpecificScore: (peer) => penalties.appSpecificScore(peer) + (extraScore?.(peer) ?? 0),
        heartbeatInterval: options.heartbeatInterval,
      }),
    )
  }
  services.orderBook = orderBook({
    models: options.models ?? [],
    now,
    penalties,
    rateLimit: options.rateLimit,
    metricsRegistry: options.metricsRegistry,
  })
  services.offersProtocol = offersProtocol()
  if (options.provide !== undefined) {
    services.offerPublisher = offerPublisher({ template: options.provide, ttlMs: options.offerTtlMs, now })
  }
  Object.assign(services, options.services ?? {})

  const init: Libp2pOptions<ServiceMap> = {
    privateKey,
    start: false,
    addresses: { listen, announce: options.announce ?? [] },
    transports:
      transport === 'memory' ? [memory({ latency: options.memoryLatency ?? 0 })] : [tcp(), webSockets()],
    connectionEncrypters: [noise({ crypto: nodeNoiseCrypto })], // cached cipher keys
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: options.maxConnections ?? (mode === 'full' ? 100 : 20),
      // libp2p resets a host's 6th inbound connection within a second; several
      // mesh peers behind one address (a NAT, a test host) is normal here
      inboundConnectionThreshold: options.inboundConnectionThreshold ?? 50,
    },
    peerDiscovery:
      options.bootstrap !== undefined && options.bootstrap.length > 0
        ? [bootstrap({ list: options.bootstrap, timeout: 0 })]
        : [],
    services: services as Libp2pOptions<ServiceMap>['services'],
  }
  if (options.datastore !== undefined) init.datastore = options.datastore
  if (options.metricsRegistry !== undefined)
    init.metrics = prometheusMetrics({ registry: options.metricsRegistry, collectDefaultMetrics: false })

  const libp2p = await createLibp2p(init)
  const peer: CocoonPeer<S> = {
    libp2p: libp2p as unknown as CocoonPeer<S>['libp2p'],
    mode,
    orderBook: (libp2p.services as unknown as CocoonBaseServices).orderBook,
    async start() {
      await libp2p.start()
      // Dial the bootstrap peers right away (the bootstrap module only tags and
      // auto-dials them when the connection manager wants more peers, and not
      // at all on the memory transport).
      for (const addr of options.bootstrap ?? []) {
        void libp2p.dial(multiaddr(addr)).catch(() => {})
      }
    },
    async stop() {
      await libp2p.stop()
    },
  }
  if (options.start ?? true) await peer.start()
  return peer
}

export type { CocoonBaseServices }
