import type { FeatureName, Offer, Prices, TrustTier } from '@cocoon-mesh/protocol'
import type { OfferTrust, TrustLookup } from '../market/offer-trust.js'

/**
 * The expected size of a job, used to compare offers by what the job would
 * actually cost. An embedding job is priced like an LLM job with no completion.
 */
export interface JobSize {
  kind: 'llm' | 'tensor' | 'embedding'
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
  /** Dial failures in a row (no stream could be opened); a success or a stream resets it. */
  unreachableStreak: number
  /** Unix ms until which the provider is out of the ranking after a dial failure, 0 if none. */
  unreachableUntil: number
}

export interface MatchRequest {
  model: string
  job: JobSize
  offers: readonly Offer[]
  now: number
  maxPrice?: MaxPrice
  /** nanoTON the job may cost at most. */
  budget?: bigint
  /**
   * The least tier a provider must have: its tier is the client's verdict
   * through `trust`, never the offer's own `trust_tier`.
   */
  minTrustTier?: TrustTier
  /** Features the job needs (see `requiredFeatures`): an offer that lacks one is left out. */
  features?: readonly FeatureName[]
  /**
   * The client's verdict on each offer's evidence (the order book stores it
   * at intake); an offer without one is open tier.
   */
  trust?: TrustLookup
  /** Measured round-trip latency in ms by provider id (base58btc peer id). */
  latencies?: ReadonlyMap<string, number>
  records?: ReadonlyMap<string, ProviderRecord>
  /** Providers to leave out (e.g. those that already failed this job). */
  exclude?: ReadonlySet<string>
  /**
   * Jobs each provider holds (running plus queued) as the client knows it
   * ({@link ProviderLoads}): among providers of the same standing and the
   * same price for the job, the least loaded ranks first.
   */
  loads?: ReadonlyMap<string, number>
  /** How long a failure keeps a provider behind others, ms. Default 60 000. */
  failureCooldownMs?: number
  /**
   * Providers the client has evidence are reachable without a record of a job
   * (a live connection, an offer fetched from the provider itself). A provider
   * with a measured latency counts as reachable too. Among providers without a
   * record, reachable ones rank first.
   */
  reachable?: ReadonlySet<string>
  /**
   * Seeded random source in [0, 1) for exploration. Without it the ranking
   * never explores: unknown providers rank behind known-good ones.
   */
  random?: () => number
  /** Share of default-sized jobs that put the best unknown provider first when known-good ones exist. Default 0.1. */
  explorationShare?: number
  /**
   * Unverified unknown providers (no record, no reachability evidence) kept in
   * the ranking at most when a candidate of another standing exists. No cap
   * by default: a job's failover sets one per job (3), while a caller that
   * walks the ranking for free capacity (the simulator) needs it whole.
   */
  maxUnverified?: number
  /**
   * Return only the best `limit` candidates (all by default): a job picking
   * its next provider needs one, and a partial selection keeps that one pass
   * over a flooded book instead of a full sort.
   */
  limit?: number
}

export interface RankedOffer {
  offer: Offer
  /** base58btc peer id string of the provider. */
  providerId: string
  /** The client's verdict on the offer's evidence: the tier this provider serves the job at. */
  trust: OfferTrust
  /** The offer's prices for this job's model and tier (`attestedPrices` when the job requires attested and it has them). */
  prices: Prices
  /** Estimated cost of the job at those prices, nanoTON. */
  cost: bigint
  /** Cost adjusted by the client's record of the provider, what ranking sorts by. */
  effectiveCost: number
  latencyMs: number
  /** 0..1, how much the client trusts this provider to finish: a lower confidence bound on its success rate. */
  reliability: number
  /** Where the client's record puts the provider; ranking sorts by standing before cost. */
  standing: Standing
  /** Jobs the provider holds as the client knows it (`MatchRequest.loads`), 0 when unknown. */
  load: number
}

/**
 * `good`: finished most of its jobs at no less than half its promised pace;
 * `reachable`: no record, but the client has evidence it answers;
 * `cooling`: good, but a failure is more recent than the cooldown;
 * `unverified`: no record and no evidence (any signed offer from a fresh key);
 * `poor`: failed at least as often as it finished, or delivers well below its promise.
 */
export type Standing = 'good' | 'reachable' | 'cooling' | 'unverified' | 'poor'

export type ExclusionReason =
  | 'other-model'
  | 'other-kind'
  | 'missing-feature'
  | 'context-too-small'
  | 'expired'
  | 'trust-tier'
  | 'over-max-price'
  | 'over-budget'
  | 'excluded'
  | 'unreachable'
  | 'unverified-cap'

export interface MatchResult {
  ranked: RankedOffer[]
  /** Why each left-out offer was dropped, by provider id. */
  excluded: Array<{ providerId: string; reason: ExclusionReason }>
}
