import { type MessageSource, originGroup, type SourceGrouping } from './origin.js'
import { RateLimiter } from './rate-limit.js'

/**
 * Why the book refuses a valid message because of where it came from. None
 * of these proves the peer that handed it over did wrong: it may be an
 * honest relay of a flood it could not have measured.
 */
export type OriginRefusal =
  /** The provider identity sent more offers, replacements or cancels per minute than allowed. */
  | 'provider-rate-limited'
  /** The identity is new and its source group introduced more new identities per minute than allowed. */
  | 'source-rate-limited'
  /** The identity is new and its source group already holds as many identities as one group may. */
  | 'source-full'
  /** The book is full and no offer may be evicted for this newcomer. */
  | 'book-full'

/** A token bucket: sustained messages per minute and the largest burst. */
export interface RatePerMinute {
  perMinute: number
  burst: number
}

/** Limits applied per origin to every message that names a source (see `OfferBook`). */
export interface OriginLimits {
  /** Offers, replacements and cancels per provider identity (default 12/min, burst 12). */
  perProvider?: RatePerMinute
  /**
   * New identities one source group may introduce (default 32/min, burst 64:
   * a full OffersResponse from one peer fits in the burst).
   */
  newPerSource?: RatePerMinute
  /** Most identities held from one source group (default 1000). */
  maxPerSource?: number
  /** How sources are grouped (default `subnet`). */
  grouping?: SourceGrouping
  /** An identity known this long is established (default 10 minutes, beyond one republish at the default lifetime). */
  establishedAfterMs?: number
}

/** The source group of offers and cancels added without a source: this peer's own, or a simulator's feed. */
export const LOCAL_SOURCE = 'local'

/** What the origin limits know of an identity the book remembers. */
export interface IdentityOrigin {
  /** Source group at first sight. */
  readonly group: string
  readonly firstSeenAt: number
  /** Distinct source groups that delivered its messages. */
  readonly sources: readonly string[]
}

/** What the eviction choice reads of the book. */
export interface BookView {
  /** Held providers by source group, in the order they entered. */
  readonly groups: ReadonlyMap<string, ReadonlySet<string>>
  /** Number of providers held. */
  size(): number
  /** Whether a held provider counts as established. */
  established(provider: string): boolean
  /** Drops expired offers (called at most once per instant before deciding the book is full). */
  pruneOnce(): void
}

/**
 * The origin limits of the book: the per-provider message rate, the rate of
 * new identities per source group, the cap on identities held per group,
 * and, when the book is full, which provider a newcomer evicts.
 */
export class OriginPolicy {
  readonly #maxProviders: number
  readonly #maxPerSource: number
  readonly #grouping: SourceGrouping
  readonly #establishedAfterMs: number
  readonly #perProvider: RateLimiter
  readonly #newPerSource: RateLimiter

  constructor(limits: OriginLimits, now: () => number, maxProviders: number) {
    this.#maxProviders = maxProviders
    this.#maxPerSource = limits.maxPerSource ?? 1000
    this.#grouping = limits.grouping ?? 'subnet'
    this.#establishedAfterMs = limits.establishedAfterMs ?? 10 * 60_000
    const bucket = (rate: RatePerMinute) => ({
      now,
      ratePerSecond: rate.perMinute / 60,
      burst: rate.burst,
      maxKeys: 2 * maxProviders,
    })
    this.#perProvider = new RateLimiter(bucket(limits.perProvider ?? { perMinute: 12, burst: 12 }))
    this.#newPerSource = new RateLimiter(bucket(limits.newPerSource ?? { perMinute: 32, burst: 64 }))
  }

  /** The group a message from `source` is attributed to (see {@link originGroup}); `local` without a source. */
  sourceGroup(provider: string, source: MessageSource | undefined): string {
    return source === undefined ? LOCAL_SOURCE : originGroup(source, provider, this.#grouping)
  }

  /**
   * The source group of a provider: where it was first seen, except that its
   * own peer handing its offer over moves it to its own network (the origin's
   * address beats a relay's, so a relay that was first cannot claim it).
   */
  groupOf(provider: string, record: IdentityOrigin | undefined, source: MessageSource | undefined): string {
    if (source !== undefined && source.peer === provider) return this.sourceGroup(provider, source)
    if (record !== undefined) return record.group
    return this.sourceGroup(provider, source)
  }

  /** Known for `establishedAfterMs`, seen from two source groups, or this peer's own. */
  established(record: IdentityOrigin | undefined, now: number): boolean {
    if (record === undefined) return false
    return (
      record.group === LOCAL_SOURCE ||
      record.sources.length >= 2 ||
      now - record.firstSeenAt >= this.#establishedAfterMs
    )
  }

  /** The rate limits of the origin, looked at without taking a token; `isNew`: the book has no record of the provider. */
  refusal(provider: string, isNew: boolean, source: MessageSource): OriginRefusal | undefined {
    if (!this.#perProvider.peek(provider)) return 'provider-rate-limited'
    if (isNew && !this.#newPerSource.peek(this.sourceGroup(provider, source))) return 'source-rate-limited'
    return undefined
  }

  /** Charges the origin's rate limits for a message the book applies. */
  take(provider: string, isNew: boolean, group: string): void {
    this.#perProvider.take(provider)
    if (isNew) this.#newPerSource.take(group)
  }

  /**
   * Room for a new identity of `group`: undefined when there is room, the
   * provider to evict, or why there is none. The newest non-established
   * identity of the largest group is evicted, never from a group no larger
   * than the newcomer's unless the newcomer is established.
   */
  room(
    book: BookView,
    group: string,
    established: boolean,
  ): string | 'source-full' | 'book-full' | undefined {
    const members = book.groups.get(group)
    const size = members?.size ?? 0
    if (group !== LOCAL_SOURCE && size >= this.#maxPerSource) {
      const victim = established && members !== undefined ? newestUnestablished(book, members) : undefined
      return victim ?? 'source-full'
    }
    if (book.size() < this.#maxProviders) return undefined
    book.pruneOnce()
    if (book.size() < this.#maxProviders) return undefined
    let largest: ReadonlySet<string> | undefined
    for (const [name, set] of book.groups) {
      if (name === LOCAL_SOURCE || set.size <= (largest?.size ?? size)) continue
      if (newestUnestablished(book, set) !== undefined) largest = set
    }
    if (largest === undefined && established && members !== undefined) largest = members
    return (largest === undefined ? undefined : newestUnestablished(book, largest)) ?? 'book-full'
  }
}

function newestUnestablished(book: BookView, members: ReadonlySet<string>): string | undefined {
  const order = [...members]
  for (let i = order.length - 1; i >= 0; i--) {
    const provider = order[i] as string
    if (!book.established(provider)) return provider
  }
  return undefined
}
