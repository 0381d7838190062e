import type { IdentityOrigin } from './origin-limits.js'

/** Distinct source groups remembered per identity (two make it established). */
const MAX_SOURCES = 4

/** What the book remembers of a provider identity, held or recently gone. */
export interface IdentityRecord extends IdentityOrigin {
  /** Highest offer sequence seen. */
  sequence: bigint
  /** Highest cancelled sequence (offers with sequence <= it are dead). */
  cancelled: bigint
  /** Forget after this time. */
  until: number
  readonly sources: string[]
}

export interface IdentityMemoryOptions {
  now: () => number
  /** How long an identity is remembered after its last update. */
  memoryMs: number
  /** Most records kept; past it the least recently updated identities whose offers are gone are forgotten. */
  limit: number
  /** True while the book holds an offer of `provider`: its record is not forgotten. */
  holds: (provider: string) => boolean
  /** Drops expired offers, at most once per instant, so their identities may be forgotten. */
  pruneOnce: () => void
}

/**
 * The highest sequence, highest cancel and origin of each provider identity
 * the book saw, kept for `memoryMs` after the last update so a replayed or
 * cancelled sequence stays dead after its offer left the book; bounded.
 */
export class IdentityMemory {
  readonly #options: IdentityMemoryOptions
  /** Ordered by last update, the oldest first. */
  readonly #records = new Map<string, IdentityRecord>()

  constructor(options: IdentityMemoryOptions) {
    this.#options = options
  }

  get size(): number {
    return this.#records.size
  }

  /** The record of `provider` while it is remembered at `now`. */
  get(provider: string, now: number): IdentityRecord | undefined {
    const record = this.#records.get(provider)
    return record !== undefined && record.until > now ? record : undefined
  }

  /** The record of `provider`, even past its time (not yet forgotten). */
  lingering(provider: string): IdentityRecord | undefined {
    return this.#records.get(provider)
  }

  /** Raises the provider's sequence or cancel, and adds `from` to the source groups it was seen from. */
  remember(
    provider: string,
    update: { sequence?: bigint; cancelled?: bigint },
    group: string,
    from: string,
  ): void {
    const now = this.#options.now()
    const memory = this.get(provider, now)
    const next: IdentityRecord = {
      sequence: memory?.sequence ?? 0n,
      cancelled: memory?.cancelled ?? -1n,
      until: now + this.#options.memoryMs,
      group,
      firstSeenAt: memory?.firstSeenAt ?? now,
      sources: memory?.sources ?? [],
    }
    if (update.sequence !== undefined && update.sequence > next.sequence) next.sequence = update.sequence
    if (update.cancelled !== undefined && update.cancelled > next.cancelled) next.cancelled = update.cancelled
    if (next.cancelled > next.sequence) next.sequence = next.cancelled
    if (!next.sources.includes(from) && next.sources.length < MAX_SOURCES) next.sources.push(from)
    // re-inserted: the map stays ordered by last update, the oldest forgotten first
    this.#records.delete(provider)
    this.#records.set(provider, next)
    this.#forgetBeyond(this.#options.limit)
  }

  /** Forgets the records past their time whose offers are gone. */
  forgetExpired(now: number): void {
    for (const [provider, record] of this.#records) {
      if (record.until <= now && !this.#options.holds(provider)) this.#records.delete(provider)
    }
  }

  /** Forgets the least recently updated identities whose offers are gone, down to `limit` records. */
  #forgetBeyond(limit: number): void {
    if (this.#records.size <= limit) return
    this.#options.pruneOnce()
    // each held identity moves to the back at most once per pass; held ones are at most half
    for (let rounds = this.#records.size; this.#records.size > limit && rounds > 0; rounds--) {
      const oldest = this.#records.entries().next().value
      if (oldest === undefined) return
      const [provider, record] = oldest
      this.#records.delete(provider)
      if (this.#options.holds(provider)) this.#records.set(provider, record)
    }
  }
}
