import { canonicalModelId, type Offer, type OfferCancel } from '@cocoon-mesh/protocol'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'

/** The provider key of an offer or cancel: its peer id string (base58btc of the peer id bytes). */
export function providerKey(provider: Uint8Array): string {
  return uint8ArrayToString(provider, 'base58btc')
}

/** What the book did with an offer it was given. */
export type AddOfferOutcome =
  /** A provider the book did not hold. */
  | 'added'
  /** A newer sequence replaced the provider's previous offer. */
  | 'replaced'
  /** The sequence is not newer than what the book holds or has seen. */
  | 'stale'
  /** The offer had already expired. */
  | 'expired'
  /** A cancel with at least this sequence was seen. */
  | 'cancelled'

export type CancelOutcome =
  /** A live offer was removed. */
  | 'removed'
  /** Recorded (no live offer with a sequence at or below it was held). */
  | 'recorded'
  /** An equal or higher cancel was already recorded. */
  | 'stale'

export interface OfferBookEntry {
  readonly provider: string
  readonly offer: Offer
  /** Canonical model ids the offer serves. */
  readonly models: readonly string[]
  /** When this peer first held this sequence (clock of the book). */
  readonly receivedAt: number
}

export interface OfferBookChange {
  type: 'added' | 'replaced' | 'removed'
  provider: string
  entry: OfferBookEntry
  /** Why an offer left the book. */
  reason?: 'expired' | 'cancelled' | 'evicted'
}

export interface OfferBookOptions {
  /** The clock (Unix ms); the simulator passes simulated time. */
  now: () => number
  /** How long the book remembers a provider's highest sequence and cancel after its offer is gone (default 1 h). */
  memoryMs?: number
  /** Most providers held at once; the offer expiring first is evicted beyond it (default 10 000). */
  maxProviders?: number
  /** Called for every change, e.g. to log or to update metrics. */
  onChange?: (change: OfferBookChange) => void
}

interface Memory {
  /** Highest offer sequence seen. */
  sequence: bigint
  /** Highest cancelled sequence (offers with sequence <= it are dead). */
  cancelled: bigint
  /** Forget after this time. */
  until: number
}

/**
 * The order book: the live offers this peer has seen, one per provider,
 * indexed per model. Pure (no I/O, injected clock), so the simulator runs the
 * same code. It drops expired offers, cancelled ones (a cancel kills every
 * sequence at or below it) and superseded sequence numbers. It assumes
 * signatures and schema were checked by the caller.
 */
export class OfferBook {
  readonly #now: () => number
  readonly #memoryMs: number
  readonly #maxProviders: number
  readonly #onChange: ((change: OfferBookChange) => void) | undefined
  readonly #entries = new Map<string, OfferBookEntry>()
  readonly #byModel = new Map<string, Set<string>>()
  readonly #memory = new Map<string, Memory>()

  constructor(options: OfferBookOptions) {
    this.#now = options.now
    this.#memoryMs = options.memoryMs ?? 60 * 60_000
    this.#maxProviders = options.maxProviders ?? 10_000
    this.#onChange = options.onChange
  }

  /** Number of live providers held (expired offers may linger until {@link prune} or a read). */
  get size(): number {
    return this.#entries.size
  }

  /** What the book would do with this offer, without changing it. */
  check(offer: Offer): AddOfferOutcome {
    const provider = providerKey(offer.provider)
    const now = this.#now()
    if (Number(offer.expiresAt) <= now) return 'expired'
    const memory = this.#memory.get(provider)
    if (memory !== undefined && memory.until > now) {
      if (offer.sequence <= memory.cancelled) return 'cancelled'
      if (offer.sequence <= memory.sequence) return 'stale'
    }
    const held = this.#entries.get(provider)
    if (held !== undefined && offer.sequence <= held.offer.sequence) return 'stale'
    return held === undefined ? 'added' : 'replaced'
  }

  /** Adds an offer that passed signature and schema checks. */
  add(offer: Offer): AddOfferOutcome {
    const outcome = this.check(offer)
    if (outcome !== 'added' && outcome !== 'replaced') return outcome
    const provider = providerKey(offer.provider)
    const now = this.#now()
    const previous = this.#entries.get(provider)
    if (previous !== undefined) this.#unindex(previous)
    const entry: OfferBookEntry = {
      provider,
      offer,
      models: [...new Set(offer.models.map(canonicalModelId))],
      receivedAt: now,
    }
    this.#entries.set(provider, entry)
    for (const model of entry.models) {
      let set = this.#byModel.get(model)
      if (set === undefined) {
        set = new Set()
        this.#byModel.set(model, set)
      }
      set.add(provider)
    }
    this.#remember(provider, { sequence: offer.sequence })
    this.#onChange?.({ type: outcome, provider, entry })
    if (this.#entries.size > this.#maxProviders) this.#evict()
    return outcome
  }

  /** Checks a cancel against the book without changing it. */
  checkCancel(cancel: OfferCancel): CancelOutcome {
    const provider = providerKey(cancel.provider)
    const memory = this.#memory.get(provider)
    if (memory !== undefined && memory.until > this.#now() && cancel.sequence <= memory.cancelled)
      return 'stale'
    const held = this.#entries.get(provider)
    return held !== undefined && held.offer.sequence <= cancel.sequence ? 'removed' : 'recorded'
  }

  /** Applies a cancel that passed signature checks: every offer of the provider with sequence <= it dies. */
  cancel(cancel: OfferCancel): CancelOutcome {
    const outcome = this.checkCancel(cancel)
    if (outcome === 'stale') return outcome
    const provider = providerKey(cancel.provider)
    this.#remember(provider, { cancelled: cancel.sequence })
    if (outcome === 'removed') this.#remove(provider, 'cancelled')
    return outcome
  }

  /** The live offer of a provider, if any. */
  get(provider: string): OfferBookEntry | undefined {
    const entry = this.#entries.get(provider)
    if (entry === undefined) return undefined
    if (Number(entry.offer.expiresAt) <= this.#now()) {
      this.#remove(provider, 'expired')
      return undefined
    }
    return entry
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
    const dropped: string[] = []
    for (const [provider, entry] of this.#entries) {
      if (Number(entry.offer.expiresAt) <= now) {
        this.#remove(provider, 'expired')
        dropped.push(provider)
      }
    }
    for (const [provider, memory] of this.#memory) {
      if (memory.until <= now && !this.#entries.has(provider)) this.#memory.delete(provider)
    }
    return dropped
  }

  #remember(provider: string, update: { sequence?: bigint; cancelled?: bigint }): void {
    const now = this.#now()
    const memory = this.#memory.get(provider)
    const live = memory !== undefined && memory.until > now
    const next: Memory = {
      sequence: live ? memory.sequence : 0n,
      cancelled: live ? memory.cancelled : -1n,
      until: now + this.#memoryMs,
    }
    if (update.sequence !== undefined && update.sequence > next.sequence) next.sequence = update.sequence
    if (update.cancelled !== undefined && update.cancelled > next.cancelled) next.cancelled = update.cancelled
    if (next.cancelled > next.sequence) next.sequence = next.cancelled
    this.#memory.set(provider, next)
    if (this.#memory.size > this.#maxProviders * 2) this.prune()
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
  }

  #evict(): void {
    let victim: OfferBookEntry | undefined
    for (const entry of this.#entries.values()) {
      if (victim === undefined || entry.offer.expiresAt < victim.offer.expiresAt) victim = entry
    }
    if (victim !== undefined) this.#remove(victim.provider, 'evicted')
  }
}
