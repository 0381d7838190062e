import { encodeOrderBookMessage, MAX_OFFERS_PER_RESPONSE, type Offer } from '@cocoon-mesh/protocol'
import type { AbortOptions, Logger, PeerId, Stream } from '@libp2p/interface'
import type { OfferBook } from '../market/offer-book.js'
import { fetchOffers, pushOrderBookMessage, type StreamDialer } from './offers-protocol.js'

export interface PeerOfferExchangeInit {
  book: OfferBook
  connectionManager: {
    openStream(peer: PeerId, protocol: string | string[], options?: AbortOptions): Promise<Stream>
  }
  /** Validates offers fetched from `from` like gossip and adds those that hold; resolves to how many entered. */
  addVerified: (offers: Offer[], options: { from: PeerId; relay?: boolean }) => Promise<number>
  log: Logger
}

/** Most (peer, model) pairs remembered as synced or pushed: the oldest is forgotten past it. */
const MAX_REMEMBERED = 10_000

/**
 * State sync of the order book with one peer, once per peer and model:
 * fetch the offers it holds (`/cocoon/offers/1.0.0`) and push it those this
 * peer holds (`/cocoon/offers/push/1.0.0`). A failed exchange is forgotten,
 * so the next subscription or join tries again.
 */
export class PeerOfferExchange {
  readonly #init: PeerOfferExchangeInit
  readonly #synced = new Set<string>()
  readonly #pushed = new Set<string>()

  constructor(init: PeerOfferExchangeInit) {
    this.#init = init
  }

  #dialer(): StreamDialer {
    const dialer = this.#init.connectionManager
    return { dialProtocol: (p, protocols, options) => dialer.openStream(p, protocols, options) }
  }

  /**
   * Pushes the live offers of `model` this peer holds to `peer` (once per peer
   * and model), one message per stream, two at a time; the peer validates each
   * like gossip. A peer that does not speak the protocol ends the push at its
   * first offer. Resolves to how many it took.
   */
  async pushTo(peer: PeerId, model: string): Promise<number> {
    const key = `${peer.toString()}|${model}`
    if (!remember(this.#pushed, key)) return 0
    const offers = this.#init.book
      .entries(model)
      .filter((e) => e.provider !== peer.toString())
      .slice(0, MAX_OFFERS_PER_RESPONSE)
    const dialer = this.#dialer()
    const push = (offer: Offer): Promise<void> =>
      pushOrderBookMessage(dialer, peer, encodeOrderBookMessage({ offer }), {
        signal: AbortSignal.timeout(5000),
      })
    let pushed = 0
    try {
      for (let i = 0; i < offers.length; i += 2) {
        await Promise.all(offers.slice(i, i + 2).map((e) => push(e.offer)))
        pushed += Math.min(2, offers.length - i)
      }
      if (pushed > 0) this.#init.log('pushed %d offers of %s to %p', pushed, model, peer)
    } catch (error) {
      // not done: the next subscription or join may try again
      this.#pushed.delete(key)
      this.#init.log('pushing offers of %s to %p failed after %d - %e', model, peer, pushed, error)
    }
    return pushed
  }

  /** Fetches `peer`'s offers of `model` once (per peer and model) and adds those that validate. */
  async syncFrom(peer: PeerId, model: string): Promise<number> {
    const key = `${peer.toString()}|${model}`
    if (!remember(this.#synced, key)) return 0
    try {
      const offers = await fetchOffers(this.#dialer(), peer, model, { signal: AbortSignal.timeout(5000) })
      return await this.#init.addVerified(offers.slice(0, 64), { from: peer, relay: true })
    } catch (error) {
      // not done: the next subscription or join may try again
      this.#synced.delete(key)
      this.#init.log('sync from %p failed - %e', peer, error)
      return 0
    }
  }
}

/** Adds `key` to a bounded set of things done once; false when it was there. */
function remember(set: Set<string>, key: string): boolean {
  if (set.has(key)) return false
  set.add(key)
  if (set.size > MAX_REMEMBERED) {
    const oldest = set.values().next().value
    if (oldest !== undefined) set.delete(oldest)
  }
  return true
}
