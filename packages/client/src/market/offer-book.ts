import { canonicalModelId, MAX_OFFER_TTL_MS, type Offer, type OfferCancel } from '@cocoon-mesh/protocol'
import { IdentityMemory, type IdentityRecord } from './identity-memory.js'
import type {
  AddOfferOutcome,
  CancelOutcome,
  OfferBookChange,
  OfferBookEntry,
  OfferBookOptions,
} from './offer-book-types.js'
import { type OfferTrust, openTrust } from './offer-trust.js'
import type { MessageSource } from './origin.js'
import { type BookView, OriginPolicy, type OriginRefusal } from './origin-limits.js'
import { providerIdOf } from './provider-id.js'

export type {
  AddOfferOutcome,
  CancelOutcome,
  OfferBookChange,
  OfferBookEntry,
  OfferBookOptions,
} from './offer-book-types.js'
export type { OriginLimits, OriginRefusal, RatePerMinute } from './origin-limits.js'
export { LOCAL_SOURCE } from './origin-limits.js'

/**
 * The provider key of an offer or cancel: its peer id string (base58btc of
 * the peer id bytes), memoised per bytes as ranking does, since every message
 * asks for it several times on its way through validation and the book.
 */
export function providerKey(provider: Uint8Array<ArrayBuffer>): string {
  return providerIdOf({ provider })
}

/** The room a newcomer has (see {@link OriginPolicy.room}), boxed so that "room, nothing to evict" is told from "not looked at". */
interface Room {
  of: string | undefined
}

interface OfferDecision {
  outcome: AddOfferOutcome
  provider: string
  now: number
  record: IdentityRecord | undefined
  /** Looked at for a new identity from a source; absent: not looked at (this peer's own offers, or a replacement). */
  room?: Room
}

/** The effective end of an offer's life: its expiry, but never beyond the protocol's longest lifetime. */
export function liveUntil(offer: Offer): number {
  return Math.min(Number(offer.expiresAt), Number(offer.issuedAt) + MAX_OFFER_TTL_MS)
}

/**
 * The order book: the live offers this peer has seen, one per provider,
 * indexed per model. Pure (no I/O, injected clock), so the simulator runs the
 * same code. It drops expired offers (never later than MAX_OFFER_TTL_MS after
 * issue), cancelled ones (a cancel kills every sequence at or below it) and
 * superseded sequence numbers. It assumes signatures and schema were checked
 * by the caller.
 *
 * A message given with a {@link MessageSource} is also held to origin
 * limits: its provider's message rate, and, for an identity the book has no
 * record of, the rate of new identities and the number of identities held
 * per source group. When the book is full, a newcomer evicts the newest
 * non-established identity of the largest group (the flooding one), never
 * from a group no larger than its own and never an established identity
 * (known for `establishedAfterMs`, or seen from two source groups); with no
 * such victim the newcomer is refused. Messages without a source (this
 * peer's own) bypass the limits and always fit.
 */
export class OfferBook {
  readonly #now: () => number
  readonly #maxProviders: number
  readonly #origin: OriginPolicy
  readonly #onChange: ((change: OfferBookChange) => void) | undefined
  readonly #entries = new Map<string, OfferBookEntry>()
  readonly #byModel = new Map<string, Set<string>>()
  /** Held providers by source group, in the order they entered. */
  readonly #groups = new Map<string, Set<string>>()
  readonly #memory: IdentityMemory
  #prunedAt = Number.NaN
  /** No entry is live for less than this (a lower bound: removals leave it), so a prune before it has nothing to drop. */
  #earliestExpiry = Number.POSITIVE_INFINITY

  constructor(options: OfferBookOptions) {
    this.#now = options.now
    this.#maxProviders = options.maxProviders ?? 10_000
    this.#origin = new OriginPolicy(options.origin ?? {}, this.#now, this.#maxProviders)
    this.#memory = new IdentityMemory({
      now: this.#now,
      memoryMs: options.memoryMs ?? 60 * 60_000,
      limit: 2 * this.#maxProviders,
      holds: (provider) => this.#entries.has(provider),
      pruneOnce: () => this.#view.pruneOnce(),
    })
    this.#onChange = options.onChange
  }

  /** Number of live providers held (expired offers may linger until {@link prune} or a read). */
  get size(): number {
    return this.#entries.size
  }

  /** Number of identities remembered (held or recently gone); bounded by twice `maxProviders`. */
  get remembered(): number {
    return this.#memory.size
  }

  /** What the book would do with this offer, without changing it. */
  check(offer: Offer, source?: MessageSource): AddOfferOutcome {
    return this.#decide(offer, source).outcome
  }

  /** What {@link check} decides, with what it looked up on the way for {@link add} to reuse. */
  #decide(offer: Offer, source: MessageSource | undefined): OfferDecision {
    const provider = providerKey(offer.provider)
    const now = this.#now()
    const record = this.#record(provider, now)
    const decided = (outcome: AddOfferOutcome, room?: Room): OfferDecision => ({
      outcome,
      provider,
      now,
      record,
      ...(room === undefined ? {} : { room }),
    })
    if (liveUntil(offer) <= now) return decided('expired')
    if (record !== undefined) {
      if (offer.sequence <= record.cancelled) return decided('cancelled')
      if (offer.sequence <= record.sequence) return decided('stale')
    }
    const held = this.#entries.get(provider)
    if (held !== undefined && offer.sequence <= held.offer.sequence) return decided('stale')
    if (source !== undefined) {
      const refusal = this.#originRefusal(provider, record, source)
      if (refusal !== undefined) return decided(refusal)
      if (held === undefined) {
        const group = this.#origin.groupOf(provider, record, source)
        const room = this.#origin.room(this.#view, group, this.#origin.established(record, now))
        if (room === 'source-full' || room === 'book-full') return decided(room)
        return decided('added', { of: room })
      }
    }
    return decided(held === undefined ? 'added' : 'replaced')
  }

  /**
   * Adds an offer that passed signature and schema checks; `source` is where
   * it came from (none: this peer's own), `trust` the verdict on its evidence
   * (default: open, no evidence).
   */
  add(offer: Offer, source?: MessageSource, trust?: OfferTrust): AddOfferOutcome {
    const { outcome, provider, now, record, room } = this.#decide(offer, source)
    if (outcome !== 'added' && outcome !== 'replaced') return outcome
    const group = this.#origin.groupOf(provider, record, source)
    if (source !== undefined) this.#takeOrigin(provider, record, group)
    const previous = this.#entries.get(provider)
    if (previous !== undefined) this.#unindex(previous)
    else this.#evict(room === undefined ? this.#origin.room(this.#view, group, true) : room.of)
    const entry: OfferBookEntry = {
      provider,
      offer,
      models: [...new Set(offer.models.map(canonicalModelId))],
      receivedAt: now,
      source: group,
      trust: trust ?? openTrust(offer, 'no-evidence'),
    }
    this.#entries.set(provider, entry)
    this.#earliestExpiry = Math.min(this.#earliestExpiry, liveUntil(offer))
    this.#index(entry)
    this.#remember(provider, { sequence: offer.sequence }, group, source)
    this.#onChange?.({ type: outcome, provider, entry })
    return outcome
  }

  /** Checks a cancel against the book without changing it. */
  checkCancel(cancel: OfferCancel, source?: MessageSource): CancelOutcome {
    const provider = providerKey(cancel.provider)
    const record = this.#record(provider, this.#now())
    if (record !== undefined && cancel.sequence <= record.cancelled) return 'stale'
    if (source !== undefined) {
      const refusal = this.#originRefusal(provider, record, source)
      if (refusal === 'provider-rate-limited' || refusal === 'source-rate-limited') return refusal
    }
    const held = this.#entries.get(provider)
    return held !== undefined && held.offer.sequence <= cancel.sequence ? 'removed' : 'recorded'
  }

  /** Applies a cancel that passed signature checks: every offer of the provider with sequence <= it dies. */
  cancel(cancel: OfferCancel, source?: MessageSource): CancelOutcome {
    const outcome = this.checkCancel(cancel, source)
    if (outcome !== 'removed' && outcome !== 'recorded') return outcome
    const provider = providerKey(cancel.provider)
    const record = this.#record(provider, this.#now())
    const group = this.#origin.groupOf(provider, record, source)
    if (source !== undefined) this.#takeOrigin(provider, record, group)
    this.#remember(provider, { cancelled: cancel.sequence }, group, source)
    if (outcome === 'removed') this.#remove(provider, 'cancelled')
    return outcome
  }

  /** The live offer of a provider, if any. */
  get(provider: string): OfferBookEntry | undefined {
    const entry = this.#entries.get(provider)
    if (entry === undefined) return undefined
    if (liveUntil(entry.offer) <= this.#now()) {
      this.#remove(provider, 'expired')
      return undefined
    }
    return entry
  }

  /** The verdict stored beside `offer`, when the book holds this very offer (same provider and sequence). */
  trustOf(offer: Offer): OfferTrust | undefined {
    const entry = this.#entries.get(providerKey(offer.provider))
    return entry !== undefined && entry.offer.sequence === offer.sequence ? entry.trust : undefined
  }

  /** Whether the provider counts as established here (see {@link OfferBook}); false when unknown. */
  established(provider: string): boolean {
    const now = this.#now()
    const record = this.#record(provider, now)
    return record !== undefined && this.#origin.established(record, now)
  }

  /** Live offers, of one model (any spelling; compared canonically) or all, oldest provider first. */
  entries(model?: string): OfferBookEntry[] {
    this.prune()
    if (model === undefined) return [...this.#entries.values()]
    const set = this.#byModel.get(canonicalModelId(model))
    if (set === undefined) return []
    const out: OfferBookEntry[] = []
    for (const provider of set) {
      const entry = this.#entries.get(provider)
      if (entry !== undefined) out.push(entry)
    }
    return out
  }

  /** Live offers of a model (or all). */
  offers(model?: string): Offer[] {
    return this.entries(model).map((entry) => entry.offer)
  }

  /** Models with at least one live offer. */
  models(): string[] {
    this.prune()
    return [...this.#byModel.keys()]
  }

  /** Drops expired offers and forgotten memory; returns the providers whose offers were dropped. */
  prune(): string[] {
    const now = this.#now()
    this.#prunedAt = now
    const dropped: string[] = []
    // a book read on every ranking would otherwise scan all its entries each time
    if (now >= this.#earliestExpiry) {
      let earliest = Number.POSITIVE_INFINITY
      for (const [provider, entry] of this.#entries) {
        const until = liveUntil(entry.offer)
        if (until <= now) {
          this.#remove(provider, 'expired')
          dropped.push(provider)
        } else if (until < earliest) earliest = until
      }
      this.#earliestExpiry = earliest
    }
    this.#memory.forgetExpired(now)
    return dropped
  }

  #record(provider: string, now: number): IdentityRecord | undefined {
    return this.#memory.get(provider, now)
  }

  /** Whether the book has no record of the provider (the origin limits on new identities apply). */
  #isNew(provider: string, record: IdentityRecord | undefined): boolean {
    return record === undefined && !this.#entries.has(provider)
  }

  #originRefusal(
    provider: string,
    record: IdentityRecord | undefined,
    source: MessageSource,
  ): OriginRefusal | undefined {
    return this.#origin.refusal(provider, this.#isNew(provider, record), source)
  }

  #takeOrigin(provider: string, record: IdentityRecord | undefined, group: string): void {
    this.#origin.take(provider, this.#isNew(provider, record), group)
  }

  /** The book as the eviction choice of the origin policy reads it. */
  readonly #view: BookView = {
    groups: this.#groups,
    size: () => this.#entries.size,
    established: (provider) => this.#origin.established(this.#memory.lingering(provider), this.#now()),
    pruneOnce: () => {
      if (this.#prunedAt !== this.#now()) this.prune()
    },
  }

  /** Makes the room {@link OriginPolicy.room} found for a newcomer; this peer's own offers always fit. */
  #evict(room: string | 'source-full' | 'book-full' | undefined): void {
    if (room === undefined) return
    if (room !== 'source-full' && room !== 'book-full') {
      this.#remove(room, 'evicted')
      return
    }
    // a local offer when every other one is established: the one expiring first makes room
    let victim: OfferBookEntry | undefined
    for (const entry of this.#entries.values()) {
      if (victim === undefined || liveUntil(entry.offer) < liveUntil(victim.offer)) victim = entry
    }
    if (victim !== undefined) this.#remove(victim.provider, 'evicted')
  }

  #remember(
    provider: string,
    update: { sequence?: bigint; cancelled?: bigint },
    group: string,
    source: MessageSource | undefined,
  ): void {
    this.#memory.remember(provider, update, group, this.#origin.sourceGroup(provider, source))
  }

  #index(entry: OfferBookEntry): void {
    for (const model of entry.models) {
      let set = this.#byModel.get(model)
      if (set === undefined) {
        set = new Set()
        this.#byModel.set(model, set)
      }
      set.add(entry.provider)
    }
    let members = this.#groups.get(entry.source)
    if (members === undefined) {
      members = new Set()
      this.#groups.set(entry.source, members)
    }
    members.add(entry.provider)
  }

  #remove(provider: string, reason: 'expired' | 'cancelled' | 'evicted'): void {
    const entry = this.#entries.get(provider)
    if (entry === undefined) return
    this.#entries.delete(provider)
    this.#unindex(entry)
    this.#onChange?.({ type: 'removed', provider, entry, reason })
  }

  #unindex(entry: OfferBookEntry): void {
    for (const model of entry.models) {
      const set = this.#byModel.get(model)
      set?.delete(entry.provider)
      if (set !== undefined && set.size === 0) this.#byModel.delete(model)
    }
    const members = this.#groups.get(entry.source)
    members?.delete(entry.provider)
    if (members !== undefined && members.size === 0) this.#groups.delete(entry.source)
  }
}
