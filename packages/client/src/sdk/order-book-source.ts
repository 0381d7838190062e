/**
 * Where the light peer reads live offers from: the gossip order book, with a
 * bounded cold start that asks the DHT while the book is still empty.
 */
import { AbortedError, errorLine, type Offer, systemTimers, type Timers } from '@cocoon-mesh/protocol'
import { providerIdOf } from '../matching/rank.js'
import type { CocoonPeer } from '../peer/types.js'
import { type DiscoverOffersResult, discoverOffers } from '../services/discovery.js'
import { DiscoveryFailedError } from '../services/errors.js'

/** Where the SDK reads live offers from: normally the peer's gossip order book. */
export interface OfferSource {
  /** Live offers of `model`; `signal` ends a wait for them early with `AbortedError`. */
  offers(model: string, signal?: AbortSignal): readonly Offer[] | Promise<readonly Offer[]>
}

export interface OrderBookSourceOptions {
  /** How long a cold start waits for a first offer, ms (default 10 000). */
  coldStartMs?: number
  /**
   * How long a cold start keeps collecting offers before the client ranks
   * them, ms from its start (default 1000): the first offer to arrive is not
   * the cheapest. Ends early once `collectProviders` providers offer the model.
   */
  collectMs?: number
  /** Distinct providers whose offers end the collection window early (default 3). */
  collectProviders?: number
  /** The clock the cold-start deadline is read from (default `Date.now`). */
  now?: () => number
  /** Timers on the same clock (default the process's). */
  timers?: Timers
}

/**
 * The peer's gossip order book: joins the model's topic on first use. While
 * the book holds no offer for the model (cold start), it asks the DHT for the
 * model's providers and fetches their offers directly, and waits for gossip:
 * it collects for `collectMs` (default 1 s) and until the first discovery
 * round has asked every provider it found, or until `collectProviders`
 * (default 3) providers offer the model, and past that window until the first
 * offer, up to `coldStartMs` (default 10 s), so the client ranks several
 * offers rather than taking the first that arrives. When that ends with no offer and
 * every DHT round that ended had failed, it throws {@link DiscoveryFailedError}
 * (the last failure is its cause) rather than report an empty market.
 */
export function orderBookSource(peer: CocoonPeer, options: OrderBookSourceOptions = {}): OfferSource {
  const book = peer.orderBook
  const now = options.now ?? Date.now
  const log = peer.libp2p.logger.forComponent('cocoon:sdk')
  return {
    async offers(model, signal) {
      book.watch(model)
      let offers = book.offers(model)
      if (offers.length > 0) return offers
      const start = now()
      const deadline = start + (options.coldStartMs ?? 10_000)
      const rounds = new DiscoveryRounds()
      // The window ends after collectMs and once a discovery round has asked every provider it
      // found (on a loaded machine their answers can take longer than the window), or early
      // once enough providers offer.
      const collected = (): boolean =>
        offers.length > 0 &&
        ((now() >= start + (options.collectMs ?? 1000) && rounds.count > 0) ||
          new Set(offers.map(providerIdOf)).size >= (options.collectProviders ?? 3))
      let discovery: Promise<void> | undefined
      while (!collected() && now() < deadline && signal?.aborted !== true) {
        // ask the DHT again whenever the previous round ended empty (e.g. it ran before any
        // connection was up); gossip and discovery both change the book
        discovery ??= discoverOffers(peer.libp2p, book, model, {
          signal: AbortSignal.any([
            AbortSignal.timeout(Math.max(1, deadline - now())),
            ...(signal === undefined ? [] : [signal]),
          ]),
          logger: peer.libp2p.logger,
        })
          .then(
            (result) => rounds.ended(result),
            (error: unknown) => rounds.failed(error),
          )
          .finally(() => {
            discovery = undefined
          })
        const windowEnd =
          offers.length > 0 && rounds.count > 0 ? start + (options.collectMs ?? 1000) : deadline
        await changeOrTimeout(book, Math.min(windowEnd - now(), 250), options.timers ?? systemTimers, signal)
        offers = book.offers(model)
      }
      // a round still running at the deadline ends at once (its signal is the same deadline):
      // its outcome decides whether an empty book is an empty market or a failed discovery
      if (offers.length === 0 && discovery !== undefined && signal?.aborted !== true) {
        await discovery
        offers = book.offers(model)
      }
      if (signal?.aborted === true)
        throw new AbortedError(`waiting for offers of "${model}" aborted by the caller`, {
          details: `${offers.length} offers had arrived.`,
          cause: signal.reason,
        })
      if (offers.length === 0 && rounds.allFailed) {
        log('no offers of %s: %d discovery rounds failed - %e', model, rounds.count, rounds.lastError)
        throw new DiscoveryFailedError(`no offers of "${model}" found: DHT discovery failed`, {
          details: `${rounds.count} discovery rounds failed within the cold start; the last: ${errorLine(rounds.lastError)}. Check the bootstrap peers and the connection.`,
          cause: rounds.lastError,
        })
      }
      return offers
    },
  }
}

/** The discovery rounds of one cold start that ended, and whether every one of them failed. */
class DiscoveryRounds {
  count = 0
  #failed = 0
  lastError: unknown

  /** A round that ran to its end; it failed when it found providers and none of them answered. */
  ended(result: DiscoverOffersResult): void {
    if (result.providers.length > 0 && result.failed === result.providers.length)
      this.failed(result.lastError)
    else this.count++
  }

  /** A round whose DHT lookup failed. */
  failed(error: unknown): void {
    this.count++
    this.#failed++
    this.lastError = error
  }

  get allFailed(): boolean {
    return this.count > 0 && this.#failed === this.count
  }
}

/** Resolves on the book's next change, after `ms`, or when `signal` aborts, whichever is first. */
function changeOrTimeout(
  book: CocoonPeer['orderBook'],
  ms: number,
  timers: Timers,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      cancel()
      book.removeEventListener('change', done)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const cancel = timers.schedule(done, Math.max(0, ms))
    book.addEventListener('change', done)
    signal?.addEventListener('abort', done)
  })
}
