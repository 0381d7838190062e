import type { Offer, OrderBookMessage } from '@cocoon-mesh/protocol'
import type { Connection, Logger, PeerId } from '@libp2p/interface'
import {
  type GossipVerdict,
  type OrderBookValidation,
  type OrderBookVerifier,
  validateOrderBookMessage,
} from '../market/gossip-validation.js'
import { type AddOfferOutcome, type OfferBook, providerKey } from '../market/offer-book.js'
import { type OfferTrust, type OfferTrustVerifier, openTrust } from '../market/offer-trust.js'
import type { MessageSource } from '../market/origin.js'
import type { RateLimiter } from '../market/rate-limit.js'
import type { OrderBookMetrics } from '../metrics/order-book-metrics.js'
import { PENALTY, type PeerPenalties } from './penalties.js'

/** The `topic` of a `validated` event for a message pushed directly rather than gossiped. */
export const PUSHED = 'push'

export interface GossipValidatedDetail {
  from: string
  /** The gossip topic, or {@link PUSHED} for a message pushed over `/cocoon/offers/push/1.0.0`. */
  topic: string
  verdict: GossipVerdict
  reason: string
  /** The provider the message names, when it decoded. */
  provider?: string
}

export interface OrderBookIntakeInit {
  book: OfferBook
  now: () => number
  verifier: OrderBookVerifier
  /** Computes the client's verdict on each accepted offer's evidence, stored beside it in the book. */
  trust: OfferTrustVerifier
  maxClockDriftMs: number | undefined
  /** The per-forwarding-peer budget of the messages it answers for. */
  limiter: RateLimiter
  penalties: PeerPenalties
  metrics: OrderBookMetrics | undefined
  log: Logger
  /** Called with the verdict of every message from the network. */
  onValidated: (detail: GossipValidatedDetail) => void
}

/**
 * Where a message handed over by `peer` came from: the peer and the IP of
 * its connection (the one the message arrived on when known, else any open
 * one). The origin limits of the book key on it.
 */
export function messageSource(
  connections: { getConnections(peer?: PeerId): Connection[] },
  peer: PeerId,
  connection?: Connection,
): MessageSource {
  const via = connection ?? connections.getConnections(peer)[0]
  const ip = via?.remoteAddr.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value
  return { peer: peer.toString(), ...(ip === undefined ? {} : { ip }) }
}

/**
 * The intake of order-book messages from the network: validation against
 * the book, the verdict's penalty, its metric and event, and applying an
 * accepted message to the book.
 */
export class OrderBookIntake {
  readonly #init: OrderBookIntakeInit

  constructor(init: OrderBookIntakeInit) {
    this.#init = init
  }

  /** Validates one message against the book (see `validateOrderBookMessage`), without applying it. */
  validate(
    data: Uint8Array,
    source: MessageSource,
    options: { topicModel?: string; forwarderBudget?: () => boolean } = {},
  ): Promise<OrderBookValidation> {
    const { book, now, verifier, maxClockDriftMs } = this.#init
    return validateOrderBookMessage({ data, ...options, book, now, verifier, maxClockDriftMs, source })
  }

  /** The single entry point of every order-book message from the network; returns its verdict. */
  async ingest(
    source: MessageSource,
    topic: string,
    data: Uint8Array,
    topicModel: string | undefined,
    beforeApply?: (message: OrderBookMessage) => void,
  ): Promise<GossipVerdict> {
    const { book, limiter, penalties, log } = this.#init
    const from = source.peer
    try {
      const result = await this.validate(data, source, {
        ...(topicModel === undefined ? {} : { topicModel }),
        forwarderBudget: () => limiter.take(from),
      })
      const named = result.message?.offer?.provider ?? result.message?.cancel?.provider
      this.#record(
        from,
        topic,
        result.verdict,
        result.reason,
        named === undefined ? undefined : providerKey(named),
      )
      if (result.verdict === 'reject') {
        penalties.penalise(from, PENALTY.invalid)
        return 'reject'
      }
      if (result.senderAtFault) penalties.penalise(from, PENALTY.overLimit)
      if (result.verdict === 'ignore' || result.message === undefined) return 'ignore'
      beforeApply?.(result.message)
      if (result.message.offer !== undefined) {
        // validation passed: a concurrent message may have used the origin's budget first
        // no await for an offer without evidence: between the origin-budget check above and
        // the book's add nothing else may run, or concurrent messages overspend the budget
        const admitted = this.admit(result.message.offer, source)
        const outcome = admitted instanceof Promise ? await admitted : admitted
        if (outcome !== 'added' && outcome !== 'replaced') return 'ignore'
      } else if (result.message.cancel !== undefined) {
        // validation passed: a concurrent copy (gossip and push) may have applied it first
        const outcome = book.cancel(result.message.cancel, source)
        if (outcome !== 'removed' && outcome !== 'recorded') return 'ignore'
      }
      return 'accept'
    } catch (error) {
      // validation never throws by contract; a bug here must not crash the peer
      log.error('order-book validation failed - %e', error)
      return 'ignore'
    }
  }

  /**
   * Adds a validated offer to the book with the verdict on its evidence. Bad
   * evidence never drops the offer: it enters as open tier, marked with why.
   * Synchronous when the verdict is (no evidence, or a cached one).
   */
  admit(offer: Offer, source: MessageSource): AddOfferOutcome | Promise<AddOfferOutcome> {
    const trust = this.assess(offer)
    return trust instanceof Promise
      ? trust.then((t) => this.#init.book.add(offer, source, t))
      : this.#init.book.add(offer, source, trust)
  }

  /** The verdict on an offer's evidence at the intake's clock; a verifier that fails leaves it open, `malformed`. */
  assess(offer: Offer): OfferTrust | Promise<OfferTrust> {
    const failed = (error: unknown): OfferTrust => {
      // the verifier reports bad evidence as a verdict; a failure is a bug in it, and the offer stays open
      this.#init.log.error(
        'assessing the evidence of an offer of %s failed - %e',
        providerKey(offer.provider),
        error,
      )
      return openTrust(offer, 'malformed')
    }
    try {
      const trust = this.#init.trust.assess(offer, this.#init.now())
      return trust instanceof Promise ? trust.catch(failed) : trust
    } catch (error) {
      return failed(error)
    }
  }

  #record(from: string, topic: string, verdict: GossipVerdict, reason: string, provider?: string): void {
    this.#init.metrics?.message(verdict, reason)
    if (verdict === 'reject') this.#init.log('rejected message from %s on %s: %s', from, topic, reason)
    this.#init.onValidated({ from, topic, verdict, reason, ...(provider === undefined ? {} : { provider }) })
  }
}
