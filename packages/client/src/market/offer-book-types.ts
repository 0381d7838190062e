/** The vocabulary of the order book: what it holds, what it did with a message, how it is set up. */
import type { Offer } from '@cocoon-mesh/protocol'
import type { OfferTrust } from './offer-trust.js'
import type { OriginLimits, OriginRefusal } from './origin-limits.js'

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
  | OriginRefusal

export type CancelOutcome =
  /** A live offer was removed. */
  | 'removed'
  /** Recorded (no live offer with a sequence at or below it was held). */
  | 'recorded'
  /** An equal or higher cancel was already recorded. */
  | 'stale'
  | 'provider-rate-limited'
  | 'source-rate-limited'

export interface OfferBookEntry {
  readonly provider: string
  readonly offer: Offer
  /** Canonical model ids the offer serves. */
  readonly models: readonly string[]
  /** When this peer first held this sequence (clock of the book). */
  readonly receivedAt: number
  /** The source group the provider was attributed to when first seen (see {@link originGroup}), or `local`. */
  readonly source: string
  /** The client's verdict on the offer's evidence, computed at intake (open when none was given). */
  readonly trust: OfferTrust
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
  /** Most providers held at once (default 10 000); see {@link OfferBook} for what is evicted beyond it. */
  maxProviders?: number
  /** Limits per origin of messages given with a source. */
  origin?: OriginLimits
  /** Called for every change, e.g. to log or to update metrics. */
  onChange?: (change: OfferBookChange) => void
}
