import type { GossipSub } from '@libp2p/gossipsub'
import type { AbortOptions, ComponentLogger, Connection, Metrics, PeerId, Stream } from '@libp2p/interface'
import type { OrderBookVerifier } from '../market/gossip-validation.js'
import type { OfferBookChange, OriginLimits } from '../market/offer-book.js'
import type { OfferTrustVerifier } from '../market/offer-trust.js'
import type { GossipValidatedDetail } from './order-book-intake.js'
import type { PeerPenalties } from './penalties.js'

export interface OrderBookInit {
  /** Models whose topics to join at start. */
  models?: string[]
  now?: () => number
  /**
   * Per-forwarding-peer rate limit of the order-book messages it answers for
   * (default 20/s, burst 100): see `forwarderBudget` of `validateOrderBookMessage`.
   */
  rateLimit?: { ratePerSecond: number; burst: number }
  /** Limits per origin (provider identity and source subnet) applied before anything is relayed. */
  origin?: OriginLimits
  /** Most providers the book holds (default 10 000). */
  maxProviders?: number
  /** Penalties shared with gossipsub's `appSpecificScore`. */
  penalties?: PeerPenalties
  verifier?: OrderBookVerifier
  /**
   * Computes the tier of each offer from its evidence as it enters the book
   * (`attestationTrust` with the client's attestation policy). Default:
   * evidence is verified against Intel's root with no measurement allowed,
   * so every offer is open tier, marked with why (`measurement-not-allowed`
   * for evidence that would otherwise hold).
   */
  trust?: OfferTrustVerifier
  maxClockDriftMs?: number
  /**
   * Follow the order-book topic of every model a connected peer subscribes to
   * (default false; full peers set it), so this peer holds offers of the whole
   * mesh and answers `/cocoon/offers/1.0.0` for any of them. At most
   * `maxFollowedTopics` (default 64) such topics at once: past it, a followed
   * topic that holds no offer gives way, and a new topic is ignored when every
   * followed one holds offers.
   */
  followPeerTopics?: boolean
  maxFollowedTopics?: number
  /**
   * Take part in gossip through the node's gossipsub service, named `pubsub`
   * (default true). Without it (a light peer) the book is filled by sync,
   * discovery and pushes only.
   */
  gossip?: boolean
}

export interface OrderBookComponents {
  logger: ComponentLogger
  /** Used to sync the book from peers that join a watched topic, and to read where a message came from. */
  connectionManager: {
    openStream(peer: PeerId, protocol: string | string[], options?: AbortOptions): Promise<Stream>
    getConnections(peer?: PeerId): Connection[]
  }
  /** The order-book metrics are registered here when present. */
  metrics?: Metrics
  /** Read only when the service gossips (`gossip`, the default). */
  pubsub?: GossipSub
}

export interface OrderBookEvents {
  /** An offer entered, was replaced in, or left the book. */
  change: CustomEvent<OfferBookChange>
  /** Every validated order-book message from the network (accepted, ignored or rejected). */
  validated: CustomEvent<GossipValidatedDetail>
}
