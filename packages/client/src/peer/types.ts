import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { ComponentLogger, Libp2p, Metrics, PrivateKey, ServiceMap } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'
import type { ServiceFactoryMap } from 'libp2p'
import type { OriginLimits } from '../market/offer-book.js'
import type { OfferTemplate } from '../market/offer-factory.js'
import type { OfferTrustVerifier } from '../market/offer-trust.js'
import type { OfferPublisherService } from '../services/offer-publisher.js'
import type { OffersProtocolService } from '../services/offers-protocol.js'
import type { OrderBookService } from '../services/order-book.js'
import type { PingResponderService } from '../services/ping-responder.js'
import type { StaleProviderRecordsService } from '../services/stale-provider-records.js'

/**
 * The services every Cocoon peer runs. `pubsub` is absent on a light peer
 * started with `gossip: false`. (A type alias, not an interface: libp2p's
 * `ServiceMap` needs the implicit index signature.)
 */
export type CocoonBaseServices = {
  identify: Identify
  ping: Ping
  /** Answers `/ipfs/ping/1.0.0` (closing each answered stream) with the limits the connection monitor needs. */
  pingResponder: PingResponderService
  dht: KadDHT
  pubsub?: GossipSub
  orderBook: OrderBookService
  offersProtocol: OffersProtocolService
  /** Drops the DHT provider records of providers the order book saw gone. */
  staleProviderRecords: StaleProviderRecordsService
  /** Present when the peer was created with `provide`. */
  offerPublisher?: OfferPublisherService
}

/** `S` is the map of extra services (`services`), inferred from their factories. */
export interface CreatePeerOptions<S extends ServiceMap = ServiceMap> {
  /** The libp2p identity. A new ed25519 key is generated when absent (a node's home keeps one: `createIdentity`, `loadIdentity`). */
  privateKey?: PrivateKey
  /** Persistent store for the peer store and DHT records (e.g. `LevelDatastore`); in-memory when absent. */
  datastore?: Datastore
  /** Multiaddrs to listen on. Default `/ip4/0.0.0.0/tcp/0` (full peer) or none (light peer). */
  listen?: string[]
  /** Multiaddrs (with `/p2p/<id>`) of peers to join through. */
  bootstrap?: string[]
  /** Addresses announced instead of the listen addresses. */
  announce?: string[]
  /** Which of its addresses the node tells peers (identify, offers); default all of them. */
  announceFilter?: (addrs: Multiaddr[]) => Multiaddr[]
  /**
   * Transports: `tcp` (TCP + WebSockets, default) or `memory` (in-process, for
   * simulations and benches; `memoryLatency` adds ms per buffer).
   */
  transport?: 'tcp' | 'memory'
  /**
   * Dial private and loopback addresses. Default under Node: yes. Default in a
   * browser: yes when every bootstrap address is private or loopback (a local
   * mesh; plain `/ws` is then dialled too), else no (libp2p's browser default:
   * public addresses over `wss` only).
   */
  allowPrivateAddresses?: boolean
  memoryLatency?: number
  /** Run gossipsub (default true). A light peer may turn it off and use the DHT alone. */
  gossip?: boolean
  /** Gossipsub heartbeat in ms (default 1000). */
  heartbeatInterval?: number
  /**
   * Send own offers to every topic peer, not only the gossip mesh (gossipsub
   * `floodPublish`, default true). The simulator's cross-check turns it off
   * to compare the mesh alone, as peers sharing one machine race the flood.
   */
  floodPublish?: boolean
  /** Extra gossipsub application score per peer (added to the order book's own penalties). */
  appSpecificScore?: (peerId: string) => number
  /**
   * The node's metrics (libp2p's `Metrics`, e.g. `createNodeMetrics().metrics`):
   * libp2p and the Cocoon services register theirs on it. No metrics when absent.
   */
  metrics?: Metrics
  /**
   * The node's logger (e.g. `peerLogger(peerId)` of @libp2p/logger, so two
   * nodes in one process log under their own prefixes). Default libp2p's.
   */
  logger?: ComponentLogger
  /**
   * Extra services (js-libp2p service factories, keyed by service name) started with the node, e.g. the job
   * service, or a full node's NAT services (relay server, reservations, AutoNAT, DCUtR, UPnP: the peer
   * package's `natPlan`). Every peer dials through relays without them.
   */
  services?: ServiceFactoryMap<S>
  /** Maximum connections (default 100 full, 20 light). */
  maxConnections?: number
  /**
   * The DHT's mode on a full peer (a light peer is always a client): `server`
   * (the default) answers queries; `auto` starts as a client and serves once
   * libp2p holds a public address for it (kad-dht's own switch), for a node
   * behind NAT, whose relay addresses carry no DHT queries.
   */
  dhtMode?: 'server' | 'auto'
  /** Models whose order-book topics to join (providers also join the topics of what they serve). */
  models?: string[]
  /** Advertise capacity: publish signed offers for this template and announce DHT provider records. */
  provide?: OfferTemplate
  /** Offer lifetime in ms when providing (default 10 minutes, at most MAX_OFFER_TTL_MS; republished at half of it). */
  offerTtlMs?: number
  /** The clock of the market code (default `Date.now`). */
  now?: () => number
  /** Per-peer order-book gossip rate limit (default 20 messages/s, burst 100). */
  rateLimit?: { ratePerSecond: number; burst: number }
  /** The order book's limits per origin (provider identity, source subnet); see `OriginLimits`. */
  origin?: OriginLimits
  /**
   * Verifies each offer's TEE evidence as it enters the order book (e.g.
   * `attestationTrust(policy)`); its verdict is the provider's tier. Default:
   * nothing is verified and every provider is open tier, whatever it claims.
   */
  trust?: OfferTrustVerifier
  /** Inbound connections accepted per remote host per second (default 50). */
  inboundConnectionThreshold?: number
  /** Start the node right away (default true). */
  start?: boolean
}

/** A running (or startable) Cocoon peer. */
export interface CocoonPeer<S extends ServiceMap = ServiceMap> {
  readonly libp2p: Libp2p<CocoonBaseServices & S>
  /** `full` runs the DHT in server mode, `light` in client mode. */
  readonly mode: 'full' | 'light'
  /** The order book this peer keeps (shortcut for `libp2p.services.orderBook`). */
  readonly orderBook: OrderBookService
  start(): Promise<void>
  /** Stops every service and the node. The datastore is the caller's: it stays open. */
  stop(): Promise<void>
}
