import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { KAD_PROTOCOL } from '@cocoon-mesh/protocol'
import { bootstrap } from '@libp2p/bootstrap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { ServiceMap } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type ServiceFactoryMap } from 'libp2p'
import { noiseCrypto } from '#noise-crypto'
import { peerConnectionGater, peerTransports } from '#transports'
import { offerPublisher } from '../services/offer-publisher.js'
import { offersProtocol } from '../services/offers-protocol.js'
import { orderBook } from '../services/order-book.js'
import { PeerPenalties } from '../services/penalties.js'
import { pingResponder } from '../services/ping-responder.js'
import { staleProviderRecords } from '../services/stale-provider-records.js'
import { orderBookGossipOptions } from './gossip-config.js'
import type { CocoonBaseServices, CocoonPeer, CreatePeerOptions } from './types.js'

/**
 * What {@link createPeer} and {@link createLightNode} throw: libp2p's own
 * errors (a bad option or listen multiaddr, a port in use with node's
 * `EADDRINUSE`). `runNode` wraps these in a `ListenError`.
 */
export type CreatePeerErrorType = Error

/** The connections a full peer keeps at most, unless `maxConnections` says otherwise; a busy provider reaches it. */
export const FULL_PEER_MAX_CONNECTIONS = 100
/** The connections a light peer keeps at most, unless `maxConnections` says otherwise. */
export const LIGHT_PEER_MAX_CONNECTIONS = 20

/**
 * Assembles a full Cocoon peer: TCP + WebSockets, noise, yamux, identify,
 * ping, the Kademlia DHT in server mode under `/cocoon/kad/1.0.0`, gossipsub
 * and bootstrap from the configured multiaddrs.
 * @throws {CreatePeerErrorType}
 */
export async function createPeer<S extends ServiceMap = ServiceMap>(
  options: CreatePeerOptions<S> = {},
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
  options: CreatePeerOptions<S> = {},
): Promise<CocoonPeer<S>> {
  return buildPeer<S>('light', options)
}

async function buildPeer<S extends ServiceMap>(
  mode: 'full' | 'light',
  options: CreatePeerOptions<S>,
): Promise<CocoonPeer<S>> {
  const transport = options.transport ?? 'tcp'
  const privateKey = options.privateKey ?? (await generateKeyPair('Ed25519'))
  const listen =
    options.listen ??
    (mode === 'full'
      ? [transport === 'memory' ? `/memory/${privateKey.publicKey.toString()}` : '/ip4/0.0.0.0/tcp/0']
      : [])
  const metrics = options.metrics
  const gater = peerConnectionGater({
    bootstrap: options.bootstrap ?? [],
    allowPrivateAddresses: options.allowPrivateAddresses,
  })
  // the extra services' factories may replace base ones of the same name; TypeScript cannot
  // prove that the spread of two mapped types over generic maps is the mapped type of their union
  const services = { ...cocoonServices(mode, options), ...options.services } as ServiceFactoryMap<
    CocoonBaseServices & S
  >
  const libp2p = await createLibp2p<CocoonBaseServices & S>({
    privateKey,
    start: false,
    addresses: {
      listen,
      announce: options.announce ?? [],
      ...(options.announceFilter === undefined ? {} : { announceFilter: options.announceFilter }),
    },
    transports: peerTransports({ transport, memoryLatency: options.memoryLatency }),
    // under Node, cached cipher keys; in a browser, noise's own crypto
    connectionEncrypters: [noise(noiseCrypto === undefined ? {} : { crypto: noiseCrypto })],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections:
        options.maxConnections ?? (mode === 'full' ? FULL_PEER_MAX_CONNECTIONS : LIGHT_PEER_MAX_CONNECTIONS),
      // libp2p resets a host's 6th inbound connection within a second; several
      // mesh peers behind one address (a NAT, a test host) is normal here
      inboundConnectionThreshold: options.inboundConnectionThreshold ?? 50,
    },
    peerDiscovery:
      options.bootstrap !== undefined && options.bootstrap.length > 0
        ? [bootstrap({ list: options.bootstrap, timeout: 0 })]
        : [],
    ...(gater === undefined ? {} : { connectionGater: gater }),
    ...(options.datastore === undefined ? {} : { datastore: options.datastore }),
    ...(metrics === undefined ? {} : { metrics: () => metrics }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    services,
  })
  const log = libp2p.logger.forComponent('cocoon:peer')
  const peer: CocoonPeer<S> = {
    libp2p,
    mode,
    orderBook: libp2p.services.orderBook,
    async start() {
      await libp2p.start()
      // Dial the bootstrap peers right away (the bootstrap module only tags and
      // auto-dials them when the connection manager wants more peers, and not
      // at all on the memory transport); one that fails is retried by it.
      for (const addr of options.bootstrap ?? []) {
        const ma = multiaddr(addr)
        libp2p.dial(ma).catch((error: unknown) => log('dialling bootstrap peer %a failed - %e', ma, error))
      }
    },
    async stop() {
      await libp2p.stop()
    },
  }
  if (options.start ?? true) await peer.start()
  return peer
}

/**
 * The services of every Cocoon peer: identify, ping, the DHT, gossipsub
 * (unless `gossip: false`) scoring the topics of the models known now, the
 * order book, the offers protocol and, when providing, the offer publisher.
 */
function cocoonServices(
  mode: 'full' | 'light',
  options: Omit<CreatePeerOptions, 'services'>,
): ServiceFactoryMap<CocoonBaseServices> {
  const gossip = options.gossip ?? true
  const now = options.now ?? Date.now
  const penalties = new PeerPenalties({ now })
  const extraScore = options.appSpecificScore
  const models = [...(options.models ?? []), ...(options.provide?.models ?? [])]
  return {
    identify: identify(),
    ping: ping(),
    // answers pings in place of libp2p's handler, with the stream limits the connection monitor needs
    pingResponder: pingResponder(),
    dht: kadDHT({
      protocol: KAD_PROTOCOL,
      // `auto` leaves clientMode unset: kad-dht then switches to server mode on a public address
      ...(mode === 'light' ? { clientMode: true } : options.dhtMode === 'auto' ? {} : { clientMode: false }),
      peerInfoMapper: passthroughMapper, // private/LAN addresses are legitimate in the mesh
      allowQueryWithZeroPeers: true,
      initialQuerySelfInterval: 100,
    }),
    ...(gossip
      ? {
          pubsub: gossipsub(
            orderBookGossipOptions({
              appSpecificScore: (peer) => penalties.appSpecificScore(peer) + (extraScore?.(peer) ?? 0),
              heartbeatInterval: options.heartbeatInterval,
              floodPublish: options.floodPublish,
              models,
            }),
          ),
        }
      : {}),
    orderBook: orderBook({
      models: options.models ?? [],
      now,
      penalties,
      rateLimit: options.rateLimit,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      ...(options.trust === undefined ? {} : { trust: options.trust }),
      gossip,
      followPeerTopics: mode === 'full',
    }),
    offersProtocol: offersProtocol(),
    staleProviderRecords: staleProviderRecords(),
    ...(options.provide === undefined
      ? {}
      : {
          offerPublisher: offerPublisher({
            template: options.provide,
            ttlMs: options.offerTtlMs,
            now,
            gossip,
          }),
        }),
  }
}

export type { CocoonBaseServices }
