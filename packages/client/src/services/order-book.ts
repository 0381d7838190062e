import {
  canonicalModelId,
  encodeOrderBookMessage,
  MAX_MODEL_ID_LENGTH,
  MAX_OFFERS_PER_RESPONSE,
  modelFromOrderBookTopic,
  type Offer,
  type OfferCancel,
  orderBookTopic,
} from '@cocoon-mesh/protocol'
import type { GossipSub, TopicValidatorFn } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import {
  type AbortOptions,
  type ComponentLogger,
  type Connection,
  type Logger,
  type Metrics,
  type PeerId,
  type Startable,
  type Stream,
  serviceCapabilities,
  serviceDependencies,
} from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { attestationTrust } from '#attestation-trust'
import { GoneProviders } from '../market/gone-providers.js'
import { type GossipVerdict, type OrderBookVerifier, signatureVerifier } from '../market/gossip-validation.js'
import {
  OfferBook,
  type OfferBookChange,
  type OfferBookEntry,
  type OriginLimits,
  providerKey,
} from '../market/offer-book.js'
import type { OfferTrust, OfferTrustVerifier } from '../market/offer-trust.js'
import { RateLimiter } from '../market/rate-limit.js'
import { orderBookMetrics } from '../metrics/order-book-metrics.js'
import { fetchOffers, pushOrderBookMessage } from './offers-protocol.js'
import { type GossipValidatedDetail, messageSource, OrderBookIntake, PUSHED } from './order-book-intake.js'
import { PeerPenalties } from './penalties.js'

export { type GossipValidatedDetail, PUSHED } from './order-book-intake.js'

/** The policy of a client that configured none: Intel's root, UpToDate only, no image allowed. */
const DEFAULT_CLIENT_POLICY = { allowedMeasurements: [] }

/** The capability the order-book service declares; services that use `components.orderBook` depend on it. */
export const ORDER_BOOK_CAPABILITY = '@cocoon-mesh/order-book'

/** The capability gossipsub declares (`@libp2p/gossipsub`), needed when a service gossips. */
export const PUBSUB_CAPABILITY = '@libp2p/pubsub'

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

/**
 * The order-book service: joins the gossip topic of each watched model,
 * validates every message before relay (see `validateOrderBookMessage`)
 * with the origin limits of the {@link OfferBook} and a per-forwarding-peer
 * budget, penalises only peers provably at fault, and keeps the book.
 */
export class OrderBookService extends TypedEventEmitter<OrderBookEvents> implements Startable {
  readonly book: OfferBook
  readonly penalties: PeerPenalties
  readonly #log: Logger
  readonly #init: OrderBookInit
  readonly #gossip: boolean
  readonly #now: () => number
  readonly #intake: OrderBookIntake
  readonly #watched = new Set<string>()
  readonly #components: OrderBookComponents
  readonly #synced = new Set<string>()
  readonly #pushed = new Set<string>()
  /** Topics joined because a peer subscribed to them (not configured nor asked for): bounded. */
  readonly #followed = new Set<string>()
  /** Providers seen gone (fetch failed, offers cancelled or expired): discovery skips them. */
  readonly goneProviders: GoneProviders
  #pruneTimer: ReturnType<typeof setInterval> | undefined
  #started = false

  constructor(components: OrderBookComponents, init: OrderBookInit = {}) {
    super()
    this.#components = components
    this.#init = init
    this.#gossip = init.gossip ?? true
    this.#log = components.logger.forComponent('cocoon:orderbook')
    this.#now = init.now ?? Date.now
    this.penalties = init.penalties ?? new PeerPenalties({ now: this.#now })
    this.book = new OfferBook({
      now: this.#now,
      ...(init.origin === undefined ? {} : { origin: init.origin }),
      ...(init.maxProviders === undefined ? {} : { maxProviders: init.maxProviders }),
      onChange: (change) => {
        this.#trackGone(change)
        this.safeDispatchEvent('change', { detail: change })
      },
    })
    this.goneProviders = new GoneProviders({ now: this.#now })
    this.#intake = new OrderBookIntake({
      book: this.book,
      now: this.#now,
      verifier: init.verifier ?? signatureVerifier,
      trust: init.trust ?? attestationTrust({ policy: DEFAULT_CLIENT_POLICY }),
      maxClockDriftMs: init.maxClockDriftMs,
      limiter: new RateLimiter({ now: this.#now, ...(init.rateLimit ?? { ratePerSecond: 20, burst: 100 }) }),
      penalties: this.penalties,
      metrics: components.metrics === undefined ? undefined : orderBookMetrics(components.metrics, this.book),
      log: this.#log,
      onValidated: (detail) => this.safeDispatchEvent('validated', { detail }),
    })
  }

  readonly [Symbol.toStringTag] = 'cocoon/order-book'
  readonly [serviceCapabilities]: string[] = [ORDER_BOOK_CAPABILITY]

  get [serviceDependencies](): string[] {
    return this.#gossip ? [PUBSUB_CAPABILITY] : []
  }

  /** True when this peer takes part in gossip (a light peer may run without). */
  get gossiping(): boolean {
    return this.#gossip
  }

  /** The node's gossipsub, when this service gossips. */
  get #pubsub(): GossipSub | undefined {
    return this.#gossip ? this.#components.pubsub : undefined
  }

  start(): void {
    this.#pruneTimer = setInterval(() => this.book.prune(), 1000)
    this.#pruneTimer.unref?.()
    this.#pubsub?.addEventListener('subscription-change', this.#onSubscriptionChange)
  }

  /**
   * Gossip carries changes; a peer that joins a topic late would wait for the
   * next republish. So when a peer subscribes to a watched topic, ask it once
   * for the offers it holds (state sync, as Ethereum's req/resp does for
   * blocks) and validate them like gossip, and push it the live offers of
   * that topic this peer holds (so a subscriber that does not ask gets them
   * too). A full peer first follows a topic it did not watch (see
   * `followPeerTopics`).
   */
  readonly #onSubscriptionChange = (
    event: CustomEvent<{ peerId: PeerId; subscriptions: Array<{ topic: string; subscribe: boolean }> }>,
  ): void => {
    const { peerId, subscriptions } = event.detail
    for (const { topic, subscribe } of subscriptions) {
      if (!subscribe) continue
      const model = this.#watchedModelOf(topic)
      if (model === undefined) continue
      void this.syncFrom(peerId, model)
      void this.pushOffersTo(peerId, model)
    }
  }

  /** The watched model of an order-book topic, following it first when this peer follows its peers' topics. */
  #watchedModelOf(topic: string): string | undefined {
    const model = modelFromOrderBookTopic(topic)
    if (model === undefined || model.length > MAX_MODEL_ID_LENGTH) return undefined
    const canonical = canonicalModelId(model)
    // one topic per model: a differently encoded or cased spelling is not a topic of the mesh
    if (orderBookTopic(canonical) !== topic) return undefined
    if (this.#watched.has(canonical)) return canonical
    if (this.#init.followPeerTopics !== true || !this.#makeRoomToFollow()) return undefined
    this.watch(canonical)
    this.#followed.add(canonical)
    this.#log('following order-book topic %s, which a peer subscribed to', topic)
    return canonical
  }

  /** True when one more followed topic fits, after dropping a followed topic without offers if needed. */
  #makeRoomToFollow(): boolean {
    if (this.#followed.size < (this.#init.maxFollowedTopics ?? 64)) return true
    const idle = [...this.#followed].find((m) => this.book.offers(m).length === 0)
    if (idle === undefined) {
      this.#log(
        'not following another order-book topic: all %d followed topics hold offers',
        this.#followed.size,
      )
      return false
    }
    this.#followed.delete(idle)
    this.unwatch(idle)
    return true
  }

  /**
   * Pushes the live offers of `model` this peer holds to `peer` (once per peer
   * and model) over `/cocoon/offers/push/1.0.0`, one message per stream, two
   * at a time; the peer validates each like gossip. A peer that does not speak
   * the protocol ends the push at its first offer. Resolves to how many it took.
   */
  async pushOffersTo(peer: PeerId, model: string): Promise<number> {
    const key = `${peer.toString()}|${model}`
    if (!this.#remember(this.#pushed, key)) return 0
    const offers = this.book
      .entries(model)
      .filter((e) => e.provider !== peer.toString())
      .slice(0, MAX_OFFERS_PER_RESPONSE)
    const dialer = this.#components.connectionManager
    const push = (offer: Offer): Promise<void> =>
      pushOrderBookMessage(
        { dialProtocol: (p, protocols, options) => dialer.openStream(p, protocols, options) },
        peer,
        encodeOrderBookMessage({ offer }),
        { signal: AbortSignal.timeout(5000) },
      )
    let pushed = 0
    try {
      for (let i = 0; i < offers.length; i += 2) {
        await Promise.all(offers.slice(i, i + 2).map((e) => push(e.offer)))
        pushed += Math.min(2, offers.length - i)
      }
      if (pushed > 0) this.#log('pushed %d offers of %s to %p', pushed, model, peer)
    } catch (error) {
      // not done: the next subscription or join may try again
      this.#pushed.delete(key)
      this.#log('pushing offers of %s to %p failed after %d - %e', model, peer, pushed, error)
    }
    return pushed
  }

  /** Adds `key` to a bounded set of things done once; false when it was there. */
  #remember(set: Set<string>, key: string): boolean {
    if (set.has(key)) return false
    set.add(key)
    if (set.size > 10_000) {
      const oldest = set.values().next().value
      if (oldest !== undefined) set.delete(oldest)
    }
    return true
  }

  /** A provider whose offers were cancelled or expired is gone; one with a new offer is back. */
  #trackGone(change: OfferBookChange): void {
    if (change.type === 'removed') {
      if (change.reason !== 'evicted') this.goneProviders.add(change.provider)
    } else this.goneProviders.delete(change.provider)
  }

  /** Fetches `peer`'s offers of `model` once (per peer and model) and adds those that validate. */
  async syncFrom(peer: PeerId, model: string): Promise<number> {
    const key = `${peer.toString()}|${model}`
    if (!this.#remember(this.#synced, key)) return 0
    const dialer = this.#components.connectionManager
    try {
      const offers = await fetchOffers(
        { dialProtocol: (p, protocols, options) => dialer.openStream(p, protocols, options) },
        peer,
        model,
        { signal: AbortSignal.timeout(5000) },
      )
      return await this.addVerified(offers.slice(0, 64), { from: peer, relay: true })
    } catch (error) {
      // not done: the next subscription or join may try again
      this.#synced.delete(key)
      this.#log('sync from %p failed - %e', peer, error)
      return 0
    }
  }

  /** Topics are joined after start: gossipsub refuses subscriptions before it runs. */
  afterStart(): void {
    this.#started = true
    for (const model of this.#init.models ?? []) this.watch(model)
    for (const model of this.#watched) this.#join(model)
  }

  /** Gossipsub, stopped with the node, drops its subscriptions itself; the validators go here. */
  stop(): void {
    this.#started = false
    const pubsub = this.#pubsub
    pubsub?.removeEventListener('subscription-change', this.#onSubscriptionChange)
    if (this.#pruneTimer !== undefined) clearInterval(this.#pruneTimer)
    for (const model of this.#watched) pubsub?.topicValidators.delete(orderBookTopic(model))
    this.#watched.clear()
    this.#followed.clear()
  }

  /** Joins the order-book topic of a model (idempotent); a followed topic becomes a watched one. */
  watch(model: string): void {
    const canonical = canonicalModelId(model)
    this.#followed.delete(canonical)
    if (this.#watched.has(canonical)) return
    this.#watched.add(canonical)
    if (this.#started) this.#join(canonical)
  }

  /**
   * Validates and subscribes to the model's topic. Gossipsub scores invalid
   * deliveries on the topics given at its creation (`orderBookGossipOptions({ models })`);
   * a topic joined later is guarded by validation and the peer penalties alone.
   */
  #join(canonical: string): void {
    const pubsub = this.#pubsub
    if (pubsub === undefined) return
    const topic = orderBookTopic(canonical)
    pubsub.topicValidators.set(topic, this.#validator(canonical))
    pubsub.subscribe(topic)
    // peers whose subscriptions arrived before we joined
    for (const peer of pubsub.getSubscribers(topic)) {
      void this.syncFrom(peer, canonical)
      void this.pushOffersTo(peer, canonical)
    }
  }

  #leave(canonical: string): void {
    const pubsub = this.#pubsub
    if (pubsub === undefined) return
    const topic = orderBookTopic(canonical)
    pubsub.topicValidators.delete(topic)
    pubsub.unsubscribe(topic)
  }

  unwatch(model: string): void {
    const canonical = canonicalModelId(model)
    this.#followed.delete(canonical)
    if (!this.#watched.delete(canonical)) return
    if (this.#started) this.#leave(canonical)
  }

  watching(): string[] {
    return [...this.#watched]
  }

  /** Live offers, of one model or all. */
  offers(model?: string): Offer[] {
    return this.book.offers(model)
  }

  entries(model?: string): OfferBookEntry[] {
    return this.book.entries(model)
  }

  /** The verdict this peer computed on `offer`'s evidence as it entered the book; undefined for an offer not held. */
  trustOf(offer: Offer): OfferTrust | undefined {
    return this.book.trustOf(offer)
  }

  /**
   * Adds offers obtained outside gossip from `from` (the peer that answered
   * an OffersRequest): same checks and origin limits as gossip, the answering
   * peer being the source. Returns how many entered the book.
   */
  async addVerified(offers: Offer[], options: { from: PeerId; relay?: boolean }): Promise<number> {
    const source = messageSource(this.#components.connectionManager, options.from)
    let added = 0
    for (const offer of offers) {
      let data: Uint8Array
      try {
        data = encodeOrderBookMessage({ offer })
      } catch (error) {
        this.#log('an offer from %p does not encode - %e', options.from, error)
        continue
      }
      const result = await this.#intake.validate(data, source)
      if (result.verdict === 'accept' && result.message?.offer !== undefined) {
        const admitted = this.#intake.admit(result.message.offer, source)
        const outcome = admitted instanceof Promise ? await admitted : admitted
        if (outcome === 'added' || outcome === 'replaced') {
          added++
          if (options.relay === true) this.#relayBytes(result.message.offer.models, data)
        }
      }
    }
    return added
  }

  /**
   * Injects a message learnt outside gossip (an offer by sync, a pushed
   * cancel) into gossip, byte for byte: message ids are content addressed, so
   * peers that already have it drop it as a duplicate and those that missed it
   * (joined before the provider, or lost the provider's publication) get it.
   */
  #relayBytes(models: readonly string[], data: Uint8Array): void {
    const pubsub = this.#pubsub
    if (pubsub === undefined || !this.#started) return
    for (const model of models) {
      const canonical = canonicalModelId(model)
      if (!this.#watched.has(canonical)) continue
      pubsub.publish(orderBookTopic(canonical), data).catch((error: unknown) => {
        this.#log('relaying order-book message failed - %e', error)
      })
    }
  }

  /**
   * Records this peer's own offer or cancel (its own publications are not
   * validated by gossip); its offer's evidence gets the verdict every other
   * offer gets, so this node shows its own tier as a client would.
   */
  async addOwn(message: { offer?: Offer; cancel?: OfferCancel }): Promise<void> {
    if (message.offer !== undefined)
      this.book.add(message.offer, undefined, await this.#intake.assess(message.offer))
    if (message.cancel !== undefined) this.book.cancel(message.cancel)
  }

  #validator(model: string): TopicValidatorFn {
    return async (peer, message) => {
      const verdict = await this.#intake.ingest(
        messageSource(this.#components.connectionManager, peer),
        message.topic,
        message.data,
        model,
      )
      if (verdict === 'reject') return TopicValidatorResult.Reject
      return verdict === 'ignore' ? TopicValidatorResult.Ignore : TopicValidatorResult.Accept
    }
  }

  /**
   * An order-book message pushed directly by `from` (e.g. a provider's cancel
   * over `/cocoon/offers/push/1.0.0` as it stops): the very checks a gossip
   * message gets (rate limit, size, schema, time, sequence, signature; IGNORE
   * vs REJECT with the same penalties). An accepted message is also injected
   * into gossip byte for byte (content-addressed ids: peers that already have
   * it drop the copy), so a cancel reaches the rest of the mesh even when the
   * provider's own publication was lost.
   */
  async receivePushed(from: PeerId, data: Uint8Array, connection?: Connection): Promise<GossipVerdict> {
    let models: string[] = []
    const verdict = await this.#intake.ingest(
      messageSource(this.#components.connectionManager, from, connection),
      PUSHED,
      data,
      undefined,
      (message) => {
        // the models of what a cancel removes, read before it is applied
        const cancel = message.cancel
        const held = cancel === undefined ? undefined : this.book.get(providerKey(cancel.provider))
        models = message.offer?.models ?? [...(held?.models ?? [])]
      },
    )
    if (verdict === 'accept') this.#relayBytes(models, data)
    return verdict
  }
}

/** The order-book service factory (js-libp2p style). Gossips through the `pubsub` service unless `gossip: false`. */
export function orderBook(init: OrderBookInit = {}): (components: OrderBookComponents) => OrderBookService {
  return (components) => new OrderBookService(components, init)
}
