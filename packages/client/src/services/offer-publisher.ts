import {
  encodeOrderBookMessage,
  MAX_MULTIADDR_BYTES,
  MAX_OFFER_ADDRS,
  MAX_OFFER_TTL_MS,
  type Offer,
  type OfferCancel,
  orderBookTopic,
  peerIdBytes,
  signOffer,
  signOfferCancel,
} from '@cocoon-mesh/protocol'
import type { GossipSub } from '@libp2p/gossipsub'
import {
  type AbortOptions,
  type ComponentLogger,
  type Connection,
  type Libp2pEvents,
  type Logger,
  type PeerId,
  type PrivateKey,
  type Startable,
  type Stream,
  serviceCapabilities,
  serviceDependencies,
  type TypedEventTarget,
} from '@libp2p/interface'
import { CODE_P2P, type Multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'
import { toString as bytesToString } from 'uint8arrays/to-string'
import {
  buildOffer,
  buildOfferCancel,
  nextSequence,
  type OfferTemplate,
  republishDelay,
} from '../market/offer-factory.js'
import { modelCid } from './model-cid.js'
import { OFFERS_PUSH_PROTOCOL, pushOrderBookMessage } from './offers-protocol.js'
import { ORDER_BOOK_CAPABILITY, type OrderBookService, PUBSUB_CAPABILITY } from './order-book.js'
import { routingTableReady } from './routing-table.js'

/** The capability the offer publisher declares. */
export const OFFER_PUBLISHER_CAPABILITY = '@cocoon-mesh/offer-publisher'

/** The capability a content router declares (the Kademlia DHT does), needed to announce provider records. */
export const CONTENT_ROUTING_CAPABILITY = '@libp2p/content-routing'

export interface OfferPublisherInit {
  /** What this provider serves. */
  template: OfferTemplate
  /**
   * Offer lifetime in ms (default 10 minutes); republished at half of it.
   * Clamped to MAX_OFFER_TTL_MS: peers refuse longer-lived offers.
   */
  ttlMs?: number
  now?: () => number
  /** Announce DHT provider records for each model (default true). */
  provide?: boolean
  /**
   * How long a cancel waits for connected peers to acknowledge it over
   * `/cocoon/offers/push/1.0.0` (default 3000 ms); stopping waits at most this long.
   */
  pushTimeoutMs?: number
  /** Publish on the order-book topics through the node's gossipsub service, named `pubsub` (default true). */
  gossip?: boolean
}

/** The part of libp2p's connection manager used to push cancels to connected peers. */
export interface PushConnections {
  getConnections(peerId?: PeerId): Connection[]
  openStream(peer: PeerId, protocol: string | string[], options?: AbortOptions): Promise<Stream>
}

/** The part of libp2p's content routing this service uses. */
export interface ContentProvider {
  provide(cid: CID, options?: AbortOptions): Promise<void>
}

export interface OfferPublisherComponents {
  privateKey: PrivateKey
  /** libp2p's event bus: provider records are re-announced as the peer's neighbourhood grows. */
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  contentRouting: ContentProvider
  /** The kad-dht service: an announce waits (bounded) for its routing table to hold a peer. */
  dht: object
  /** The order-book service: this provider's own offers and cancels enter its book. */
  orderBook: OrderBookService
  /** Connected peers get each cancel directly too (gossip alone can lose it, see `cancel`). */
  connectionManager: PushConnections
  /** Read only when the service gossips (`gossip`, the default). */
  pubsub?: GossipSub
  /** The node's announced addresses: signed into each offer so clients dial without a DHT walk. */
  addressManager?: { getAddresses(): Multiaddr[] }
}

/** The CIDR-free wildcard hosts a node may listen on but nobody can dial. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::'])

/**
 * The dialable addresses of a node for its offer: announced addresses without
 * wildcards and without the `/p2p/<id>` suffix (the offer names the provider),
 * each within MAX_MULTIADDR_BYTES, at most MAX_OFFER_ADDRS of them.
 */
export function offerAddrs(addresses: readonly Multiaddr[]): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = []
  const seen = new Set<string>()
  for (const address of addresses) {
    const bare = address.decapsulateCode(CODE_P2P)
    const host = bare.getComponents()[0]?.value
    if (host !== undefined && WILDCARD_HOSTS.has(host)) continue
    const key = bare.toString()
    if (seen.has(key) || bare.bytes.byteLength > MAX_MULTIADDR_BYTES) continue
    seen.add(key)
    out.push(new Uint8Array(bare.bytes))
    if (out.length >= MAX_OFFER_ADDRS) break
  }
  return out
}

/**
 * Publishes this provider's signed offer on the order-book topic of every
 * model it serves, republishes it before expiry with a growing sequence,
 * announces DHT provider records for the models, and publishes an
 * OfferCancel when it stops.
 */
export class OfferPublisherService implements Startable {
  readonly #components: OfferPublisherComponents
  readonly #gossip: boolean
  readonly #log: Logger
  readonly #now: () => number
  readonly #ttlMs: number
  readonly #provide: boolean
  readonly #pushTimeoutMs: number
  #template: OfferTemplate
  #sequence = 0n
  #current: Offer | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #running = false
  #connected = 0
  #announcedAt = 0
  #announceTimer: ReturnType<typeof setTimeout> | undefined
  /** The addresses signed into the current offer, to republish when they change. */
  #addrsKey = ''

  constructor(components: OfferPublisherComponents, init: OfferPublisherInit) {
    this.#components = components
    this.#gossip = init.gossip ?? true
    this.#log = components.logger.forComponent('cocoon:offer-publisher')
    this.#now = init.now ?? Date.now
    this.#ttlMs = Math.min(init.ttlMs ?? 10 * 60_000, MAX_OFFER_TTL_MS)
    if (init.ttlMs !== undefined && init.ttlMs > MAX_OFFER_TTL_MS)
      this.#log.error(
        'offer lifetime %d ms clamped to %d ms, the longest peers accept',
        init.ttlMs,
        MAX_OFFER_TTL_MS,
      )
    this.#provide = init.provide ?? true
    this.#pushTimeoutMs = init.pushTimeoutMs ?? 3000
    this.#template = init.template
  }

  readonly [Symbol.toStringTag] = 'cocoon/offer-publisher'
  readonly [serviceCapabilities]: string[] = [OFFER_PUBLISHER_CAPABILITY]

  get [serviceDependencies](): string[] {
    return [
      ORDER_BOOK_CAPABILITY,
      ...(this.#provide ? [CONTENT_ROUTING_CAPABILITY] : []),
      ...(this.#gossip ? [PUBSUB_CAPABILITY] : []),
    ]
  }

  /** The node's gossipsub, when this service gossips. */
  get #pubsub(): GossipSub | undefined {
    return this.#gossip ? this.#components.pubsub : undefined
  }

  /** The offer currently published, if any. */
  get current(): Offer | undefined {
    return this.#current
  }

  get template(): OfferTemplate {
    return this.#template
  }

  async start(): Promise<void> {
    this.#running = true
    for (const model of this.#template.models) this.#components.orderBook.watch(model)
  }

  async afterStart(): Promise<void> {
    this.#components.events.addEventListener('peer:connect', this.#onConnect)
    this.#components.events.addEventListener('peer:disconnect', this.#onDisconnect)
    this.#components.events.addEventListener('self:peer:update', this.#onSelfUpdate)
    // self:peer:update stays silent when the addresses equal the peer store's record of the last run
    // (a restarted node behind the same relay): a listener's change (a relay reservation) is heard here
    this.#components.events.addEventListener('transport:listening', this.#onSelfUpdate)
    this.#components.events.addEventListener('transport:close', this.#onSelfUpdate)
    await this.publish().catch((error: unknown) => this.#log.error('publishing offer failed - %e', error))
    if (this.#provide) void this.announce()
  }

  /**
   * A provider record stored when the node knew few peers sits on the wrong
   * peers once the mesh grows (and one stored before any connection sits
   * nowhere), so it is announced at the first connection and again each time
   * the number of connected peers doubles (log2(n) announces), besides every
   * republish.
   */
  readonly #onConnect = (): void => {
    this.#connected++
    if (!this.#provide || !this.#running || this.#connected < 2 * this.#announcedAt) return
    this.#announcedAt = this.#connected
    if (this.#announceTimer !== undefined) clearTimeout(this.#announceTimer)
    this.#announceTimer = setTimeout(() => {
      this.#announceTimer = undefined
      if (this.#running) void this.announce()
    }, 500)
    this.#announceTimer.unref?.()
  }

  /**
   * The node's addresses changed: republish when the offer's addresses
   * differ, and push the offer to the connected peers too. Gossip reaches a
   * peer that just (re)connected, a restarted relay say, only once it is in
   * the mesh; until then it would keep the offer with the old addresses.
   */
  readonly #onSelfUpdate = (): void => {
    if (!this.#running || this.#current === undefined || this.#template.addrs !== undefined) return
    if (addrsKey(this.#ownAddrs()) === this.#addrsKey) return
    this.publish()
      .then((offer) => this.#pushToConnected(encodeOrderBookMessage({ offer })))
      .catch((error: unknown) => this.#log.error('republishing offer with new addresses failed - %e', error))
  }

  #ownAddrs(): Uint8Array<ArrayBuffer>[] {
    return offerAddrs(this.#components.addressManager?.getAddresses() ?? [])
  }

  readonly #onDisconnect = (): void => {
    this.#connected = Math.max(0, this.#connected - 1)
  }

  async beforeStop(): Promise<void> {
    this.#running = false
    if (this.#announceTimer !== undefined) clearTimeout(this.#announceTimer)
    this.#components.events.removeEventListener('peer:connect', this.#onConnect)
    this.#components.events.removeEventListener('peer:disconnect', this.#onDisconnect)
    this.#components.events.removeEventListener('self:peer:update', this.#onSelfUpdate)
    this.#components.events.removeEventListener('transport:listening', this.#onSelfUpdate)
    this.#components.events.removeEventListener('transport:close', this.#onSelfUpdate)
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    await this.cancel().catch((error: unknown) => this.#log.error('publishing cancel failed - %e', error))
  }

  async stop(): Promise<void> {
    this.#running = false
    if (this.#timer !== undefined) clearTimeout(this.#timer)
  }

  /** Replaces what is offered and republishes at once. */
  async update(template: OfferTemplate): Promise<Offer> {
    for (const model of template.models) this.#components.orderBook.watch(model)
    this.#template = template
    return this.publish()
  }

  /** Signs and publishes a fresh offer (new sequence) on every model topic. */
  async publish(): Promise<Offer> {
    const now = this.#now()
    this.#sequence = nextSequence(this.#sequence, now)
    const addrs = this.#template.addrs ?? this.#ownAddrs()
    this.#addrsKey = addrsKey(addrs)
    const unsigned = buildOffer(
      { ...this.#template, addrs },
      {
        provider: peerIdBytes(this.#components.privateKey),
        now,
        ttlMs: this.#ttlMs,
        sequence: this.#sequence,
      },
    )
    const offer = await signOffer(unsigned, this.#components.privateKey)
    this.#current = offer
    await this.#components.orderBook.addOwn({ offer })
    await this.#broadcast(offer.models, encodeOrderBookMessage({ offer }))
    this.#schedule()
    return offer
  }

  /**
   * Publishes a cancel of every offer so far; the provider leaves the book.
   *
   * Gossip alone is not enough when the provider stops right after: libp2p's
   * stop destroys the TCP sockets it accepted, and a socket closed while the
   * remote is still sending answers with a reset, which makes the remote's
   * kernel drop bytes it received but had not read yet - the cancel, when the
   * remote was busy. Light peers (no gossip) never hear it at all. So the
   * cancel is also pushed to every connected peer over
   * `/cocoon/offers/push/1.0.0`, and this resolves once they acknowledged it
   * (each after its order book applied it) or `pushTimeoutMs` passed.
   */
  async cancel(): Promise<OfferCancel | undefined> {
    if (this.#current === undefined) return undefined
    const unsigned = buildOfferCancel({
      provider: peerIdBytes(this.#components.privateKey),
      now: this.#now(),
      sequence: this.#sequence,
    })
    const cancel = await signOfferCancel(unsigned, this.#components.privateKey)
    const models = this.#current.models
    this.#current = undefined
    await this.#components.orderBook.addOwn({ cancel })
    const data = encodeOrderBookMessage({ cancel })
    await Promise.all([this.#broadcast(models, data), this.#pushToConnected(data)])
    return cancel
  }

  /** Pushes `data` to every connected peer; resolves when all acknowledged, failed or timed out. */
  async #pushToConnected(data: Uint8Array): Promise<void> {
    const connections = this.#components.connectionManager
    const peers = new Map<string, PeerId>()
    for (const connection of connections.getConnections()) {
      if (connection.status === 'open') peers.set(connection.remotePeer.toString(), connection.remotePeer)
    }
    if (peers.size === 0) return
    const signal = AbortSignal.timeout(this.#pushTimeoutMs)
    const dialer = {
      dialProtocol: (peer: PeerId, protocols: string | string[], options?: AbortOptions) =>
        connections.openStream(peer, protocols, options),
    }
    const results = await Promise.allSettled(
      [...peers.values()].map((peer) => pushOrderBookMessage(dialer, peer, data, { signal })),
    )
    const acknowledged = results.filter((r) => r.status === 'fulfilled').length
    this.#log(
      'pushed on %s: %d of %d connected peers acknowledged',
      OFFERS_PUSH_PROTOCOL,
      acknowledged,
      peers.size,
    )
  }

  /** Announces this peer as a DHT provider of every model it serves. */
  async announce(options: AbortOptions = {}): Promise<void> {
    // a record provided over an empty routing table is stored nowhere but here
    await routingTableReady(this.#components.dht, { signal: AbortSignal.timeout(5000) })
    for (const model of this.#template.models) {
      try {
        await this.#components.contentRouting.provide(await modelCid(model), options)
        this.#log('announced provider record for %s', model)
      } catch (error) {
        this.#log('provide %s failed - %e', model, error)
      }
    }
  }

  async #broadcast(models: string[], data: Uint8Array): Promise<void> {
    const pubsub = this.#pubsub
    if (pubsub === undefined) return
    await Promise.all(
      models.map(async (model) => {
        try {
          const { recipients } = await pubsub.publish(orderBookTopic(model), data)
          this.#log('published on %s to %d peers', model, recipients.length)
        } catch (error) {
          this.#log('publish on %s failed - %e', model, error)
        }
      }),
    )
  }

  #schedule(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (!this.#running) return
    this.#timer = setTimeout(() => {
      void this.publish().catch((error: unknown) => this.#log.error('republishing offer failed - %e', error))
      if (this.#provide) void this.announce()
    }, republishDelay(this.#ttlMs))
    this.#timer.unref?.()
  }
}

/** The offer publisher factory (js-libp2p style). Needs the order-book service, named `orderBook`. */
export function offerPublisher(
  init: OfferPublisherInit,
): (components: OfferPublisherComponents) => OfferPublisherService {
  return (components) => new OfferPublisherService(components, init)
}

function addrsKey(addrs: readonly Uint8Array[]): string {
  return addrs.map((a) => bytesToString(a, 'base16')).join(',')
}
