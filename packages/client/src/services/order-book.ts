import {
  canonicalModelId,
  encodeOrderBookMessage,
  type Offer,
  type OfferCancel,
  orderBookTopic,
} from '@cocoon-mesh/protocol'
import type { GossipSub, TopicValidatorFn } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import {
  type Connection,
  type Logger,
  type PeerId,
  type Startable,
  serviceCapabilities,
  serviceDependencies,
} from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { attestationTrust } from '#attestation-trust'
import { GoneProviders } from '../market/gone-providers.js'
import { type GossipVerdict, signatureVerifier } from '../market/gossip-validation.js'
import { OfferBook, type OfferBookChange, type OfferBookEntry, providerKey } from '../market/offer-book.js'
import type { OfferTrust } from '../market/offer-trust.js'
import { RateLimiter } from '../market/rate-limit.js'
import { orderBookMetrics } from '../metrics/order-book-metrics.js'
import { canonicalModelOfTopic, FollowedTopics } from './followed-topics.js'
import { messageSource, OrderBookIntake, PUSHED } from './order-book-intake.js'
import type { OrderBookComponents, OrderBookEvents, OrderBookInit } from './order-book-types.js'
import { PeerOfferExchange } from './peer-offer-exchange.js'
import { PeerPenalties } from './penalties.js'

export { type GossipValidatedDetail, PUSHED } from './order-book-intake.js'
export type { OrderBookComponents, OrderBookEvents, OrderBookInit } from './order-book-types.js'

/** The policy of a client that configured none: Intel's root, UpToDate only, no image allowed. */
const DEFAULT_CLIENT_POLICY = { allowedMeasurements: [] }

/** The capability the order-book service declares; services that use `components.orderBook` depend on it. */
export const ORDER_BOOK_CAPABILITY = '@cocoon-mesh/order-book'

/** The capability gossipsub declares (`@libp2p/gossipsub`), needed when a service gossips. */
export const PUBSUB_CAPABILITY = '@libp2p/pubsub'

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
  readonly #exchange: PeerOfferExchange
  /** Topics joined because a peer subscribed to them (not configured nor asked for): bounded. */
  readonly #followed: FollowedTopics
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
    this.#exchange = new PeerOfferExchange({
      book: this.book,
      connectionManager: components.connectionManager,
      addVerified: (offers, options) => this.addVerified(offers, options),
      log: this.#log,
    })
    this.#followed = new FollowedTopics({
      max: init.maxFollowedTopics ?? 64,
      holdsOffers: (model) => this.book.offers(model).length > 0,
      unwatch: (model) => this.unwatch(model),
      log: this.#log,
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
    const canonical = canonicalModelOfTopic(topic)
    if (canonical === undefined) return undefined
    if (this.#watched.has(canonical)) return canonical
    if (this.#init.followPeerTopics !== true || !this.#followed.makeRoom()) return undefined
    this.watch(canonical)
    this.#followed.add(canonical)
    this.#log('following order-book topic %s, which a peer subscribed to', topic)
    return canonical
  }

  /**
   * Pushes the live offers of `model` this peer holds to `peer` (once per peer
   * and model) over `/cocoon/offers/push/1.0.0`, one message per stream, two
   * at a time; the peer validates each like gossip. A peer that does not speak
   * the protocol ends the push at its first offer. Resolves to how many it took.
   */
  pushOffersTo(peer: PeerId, model: string): Promise<number> {
    return this.#exchange.pushTo(peer, model)
  }

  /** A provider whose offers were cancelled or expired is gone; one with a new offer is back. */
  #trackGone(change: OfferBookChange): void {
    if (change.type === 'removed') {
      if (change.reason !== 'evicted') this.goneProviders.add(change.provider)
    } else this.goneProviders.delete(change.provider)
  }

  /** Fetches `peer`'s offers of `model` once (per peer and model) and adds those that validate. */
  syncFrom(peer: PeerId, model: string): Promise<number> {
    return this.#exchange.syncFrom(peer, model)
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
