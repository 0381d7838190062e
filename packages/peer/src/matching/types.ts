import type { Offer, Prices, TrustTier } from '@cocoon-mesh/protocol'

/** The expected size of a job, used to compare offers by what the job would actually cost. */
export interface JobSize {
  kind: 'llm' | 'tensor'
  promptTokens?: number
  completionTokens?: number
  gflop?: number
}

/** A cap per price field; an absent field means no cap. nanoTON per unit as in {@link Prices}. */
export type MaxPrice = Partial<Prices>

/** What the client has seen of one provider: the input of the reputation part of ranking. */
export interface ProviderRecord {
  successes: number
  failures: number
  timeouts: number
  rejections: number
  /** Attempts where the provider sent or billed more than the client counted. */
  cheats: number
  /** Unix ms of the last failure, timeout or cheat, 0 if none. */
  lastFailureAt: number
  /** Sum of delivered / promised throughput ratios over successful jobs, with `throughputSamples`. */
  throughputRatioSum: number
  throughputSamples: number
}

export interface MatchRequest {
  model: string
  job: JobSize
  offers: readonly Offer[]
  now: number
  maxPrice?: MaxPrice
  /** nanoTON the job may cost at most. */
  budget?: bigint
  minTrustTier?: TrustTier
  /** Measured round-trip latency in ms by provider id (base58btc peer id). */
  latencies?: ReadonlyMap<string, number>
  records?: ReadonlyMap<string, ProviderRecord>
  /** Providers to leave out (e.g. those that already failed this job). */
  exclude?: ReadonlySet<string>
  /** How long a failure keeps a provider behind others, ms. Default 60 000. */
  failureCooldownMs?: number
}

export interface RankedOffer {
  offer: Offer
  /** base58btc peer id string of the provider. */
  providerId: string
  /** Estimated cost of the job at the offer's prices, nanoTON. */
  cost: bigint
  /** Cost adjusted by the client's record of the provider, what ranking sorts by. */
  effectiveCost: number
  latencyMs: number
  /** 0..1, how much the client trusts this provider to finish. */
  reliability: number
}

export type ExclusionReason =
  | 'other-model'
  | 'other-kind'
  | 'expired'
  | 'trust-tier'
  | 'over-max-price'
  | 'over-budget'
  | 'excluded'

export interface MatchResult {
  ranked: RankedOffer[]
  /** Why each left-out offer was dropped, by provider id. */
  excluded: Array<{ providerId: string; reason: ExclusionReason }>
}
