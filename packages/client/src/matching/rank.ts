import {
  canonicalModelId,
  type FeatureName,
  missingFeatures,
  type Offer,
  type Prices,
  type TrustTier,
  tierPrices,
} from '@cocoon-mesh/protocol'
import { meetsTier, trustOf } from '../market/offer-trust.js'
import { providerIdOf } from '../market/provider-id.js'
import { DEFAULT_COMPLETION_TOKENS, DEFAULT_PROMPT_TOKENS, estimateJobCost, withinMaxPrice } from './cost.js'
import { badOutcomes, isBackingOff, isCooling, reliability, throughputRatio } from './records.js'
import type {
  ExclusionReason,
  MatchRequest,
  MatchResult,
  ProviderRecord,
  RankedOffer,
  Standing,
} from './types.js'

const DEFAULT_COOLDOWN_MS = 60_000
const DEFAULT_EXPLORATION_SHARE = 0.1
/** Floor of the reliability the cost is divided by, so a provider without a record keeps its price order. */
const MIN_RELIABILITY = 0.05
/** Latency used for providers never pinged: ranks them behind measured ones at equal price. */
const UNKNOWN_LATENCY_MS = 1_000

/** Re-exported for callers that rank: the id a ranked entry carries. */
export { providerIdOf }

/**
 * Ranks the live offers for one job, best first. Pure: everything it looks at
 * is in `request`, including the clock and the random source.
 *
 * Offers are filtered by model, job kind, the features the job needs, expiry,
 * trust tier (the client's verdict through `request.trust`, never the offer's
 * claim), max price,
 * budget and dial backoff, one per provider (its newest). They are sorted by
 * standing first (good, reachable, unverified, poor: a price alone never lifts
 * an unknown provider above a known-good one), then by effective cost (the
 * job's estimated cost divided by the lower confidence bound of the provider's
 * success rate and, when it delivered less than half its promised throughput,
 * by that shortfall), then measured latency, then provider id; between offers
 * of the same standing and price, the least loaded (`loads`) comes first. A seeded share
 * of small jobs puts the best unknown provider first (bounded exploration), and
 * unverified providers are capped when a better-standing candidate exists.
 */
export function rankOffers(request: MatchRequest): MatchResult {
  const filter = offerFilter(request)
  const excluded: MatchResult['excluded'] = []
  const newest = new Map<string, Screened>()
  for (const offer of request.offers) {
    const providerId = providerIdOf(offer)
    const screened: Screened = {
      offer,
      providerId,
      // looked up once per offer: the filter and the ranking both read them
      record: request.records?.get(providerId),
      prices: pricesOf(offer, request.minTrustTier, request.model),
      trust: trustOf(offer, request.trust),
    }
    const reason = filter(screened)
    if (reason !== undefined) {
      excluded.push({ providerId, reason })
      continue
    }
    const previous = newest.get(providerId)
    if (previous === undefined || previous.offer.sequence < offer.sequence) newest.set(providerId, screened)
  }
  const candidates: RankedOffer[] = []
  for (const screened of newest.values()) candidates.push(candidate(request, screened))
  const kept = capUnverified(candidates, request, excluded)
  return { ranked: explore(best(kept, request.limit), kept, request), excluded }
}

/** An offer with what the client knows of its provider and what the job would pay under it. */
interface Screened {
  offer: Offer
  providerId: string
  record: ProviderRecord | undefined
  prices: Prices
  trust: RankedOffer['trust']
}

/** Whether `offer` lists every feature in `features` (an offer's unknown feature names never match). */
export function servesFeatures(offer: Pick<Offer, 'features'>, features: readonly FeatureName[]): boolean {
  return missingFeatures(offer.features, features).length === 0
}

type OfferFilter = (screened: Screened) => ExclusionReason | undefined

/** Why an offer cannot serve this job at all, or undefined when it can. */
function offerFilter(request: MatchRequest): OfferFilter {
  const model = canonicalModelId(request.model)
  const now = BigInt(Math.floor(request.now))
  return ({ offer, providerId, record, prices, trust }) => {
    if (request.exclude?.has(providerId) === true) return 'excluded'
    if (!offer.models.some((m) => canonicalModelId(m) === model)) return 'other-model'
    if (!offer.jobKinds.includes(request.job.kind)) return 'other-kind'
    if (!servesFeatures(offer, request.features ?? [])) return 'missing-feature'
    // a stated context that max tokens alone fill leaves no room for any prompt
    if (offer.contextSize > 0 && (request.job.completionTokens ?? 0) >= offer.contextSize)
      return 'context-too-small'
    if (offer.expiresAt <= now) return 'expired'
    if (!meetsTier(trust.tier, request.minTrustTier)) return 'trust-tier'
    if (!withinMaxPrice(prices, request.maxPrice, request.job.kind)) return 'over-max-price'
    if (request.budget !== undefined && estimateJobCost(prices, request.job) > request.budget)
      return 'over-budget'
    if (isBackingOff(record, request.now)) return 'unreachable'
    return undefined
  }
}

/**
 * The prices a job of `model` and `minTrustTier` pays under the offer: its attested prices
 * for a job that requires attested, else the model's own prices (`offerPricesFor`).
 */
export function pricesOf(offer: Offer, minTrustTier: TrustTier | undefined, model: string): Prices {
  return (
    tierPrices(offer, minTrustTier, model) ?? {
      perKPromptTokens: 0n,
      perKCompletionTokens: 0n,
      perTensorGflop: 0n,
    }
  )
}

/** The ranked entry of one provider's offer: its cost, the client's trust in it and its standing. */
function candidate(
  request: MatchRequest,
  { offer, providerId, record, prices, trust }: Screened,
): RankedOffer {
  const cost = estimateJobCost(prices, request.job)
  const rel = reliability(record, request.now, request.failureCooldownMs ?? DEFAULT_COOLDOWN_MS)
  // delivering at least half the promised throughput is fine (load varies); below that the
  // provider over-promises and its price is weighed up accordingly
  const ratio = throughputRatio(record)
  const tput = ratio >= 0.5 ? 1 : Math.max(0.1, ratio * 2)
  const latency = request.latencies?.get(providerId)
  return {
    offer,
    providerId,
    trust,
    prices,
    cost,
    effectiveCost: Number(cost) / (Math.max(MIN_RELIABILITY, rel) * tput),
    latencyMs: latency ?? UNKNOWN_LATENCY_MS,
    reliability: rel,
    load: request.loads?.get(providerId) ?? 0,
    standing: standingOf(
      record,
      ratio,
      latency !== undefined || request.reachable?.has(providerId) === true,
      {
        now: request.now,
        cooldownMs: request.failureCooldownMs ?? DEFAULT_COOLDOWN_MS,
      },
    ),
  }
}

/** Where the client's record (and its reachability evidence) puts a provider. */
export function standingOf(
  record: ProviderRecord | undefined,
  throughput: number,
  reachable: boolean,
  clock: { now: number; cooldownMs: number } = { now: 0, cooldownMs: 0 },
): Standing {
  const bad = record === undefined ? 0 : badOutcomes(record)
  const good = record?.successes ?? 0
  if (good === 0 && bad === 0) return reachable ? 'reachable' : 'unverified'
  if (good <= bad || throughput < 0.5) return 'poor'
  // a good provider that just failed steps behind the others it competes with, whatever its
  // price (a price of 0 divided by any reliability would otherwise keep it first), but not
  // behind strangers it has already proved itself against
  return isCooling(record, clock.now, clock.cooldownMs) ? 'cooling' : 'good'
}

const STANDING_ORDER: Record<Standing, number> = { good: 0, reachable: 1, cooling: 2, unverified: 3, poor: 4 }

function compareRanked(a: RankedOffer, b: RankedOffer): number {
  if (a.standing !== b.standing) return STANDING_ORDER[a.standing] - STANDING_ORDER[b.standing]
  // equal offers: spread the work by load before the record's small differences in reliability
  if (a.cost === b.cost && a.load !== b.load) return a.load - b.load
  if (a.effectiveCost !== b.effectiveCost) return a.effectiveCost - b.effectiveCost
  if (a.latencyMs !== b.latencyMs) return a.latencyMs - b.latencyMs
  if (a.reliability !== b.reliability) return b.reliability - a.reliability
  return a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0
}

/**
 * The `limit` best candidates in ranking order (all when no limit): a bounded
 * insertion for a small limit, so picking from a flooded book costs one pass
 * rather than a full sort.
 */
function best(candidates: readonly RankedOffer[], limit: number | undefined): RankedOffer[] {
  if (limit === undefined || limit >= candidates.length) return [...candidates].sort(compareRanked)
  const top: RankedOffer[] = []
  if (limit <= 0) return top
  for (const c of candidates) {
    const last = top[top.length - 1]
    if (top.length === limit && last !== undefined && compareRanked(c, last) >= 0) continue
    let lo = 0
    let hi = top.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareRanked(top[mid] as RankedOffer, c) <= 0) lo = mid + 1
      else hi = mid
    }
    top.splice(lo, 0, c)
    if (top.length > limit) top.pop()
  }
  return top
}

/**
 * Keeps the best `maxUnverified` unverified providers (when set) if any candidate of
 * another standing exists, so a flood of signed offers from fresh keys costs a
 * job a bounded number of tries; the rest are excluded as `unverified-cap`.
 */
function capUnverified(
  candidates: RankedOffer[],
  request: MatchRequest,
  excluded: MatchResult['excluded'],
): RankedOffer[] {
  if (request.maxUnverified === undefined) return candidates
  const max = Math.max(0, request.maxUnverified)
  const unverified = candidates.filter((c) => c.standing === 'unverified')
  if (unverified.length <= max || unverified.length === candidates.length) return candidates
  const keep = new Set(best(unverified, max))
  return candidates.filter((c) => {
    if (c.standing !== 'unverified' || keep.has(c)) return true
    excluded.push({ providerId: c.providerId, reason: 'unverified-cap' })
    return false
  })
}

/**
 * With a random source and a known-good leader, a share of jobs (scaled down
 * for jobs larger than the default size) puts the best unknown provider first,
 * so new providers earn a record on small jobs without price alone buying them
 * the front of every ranking.
 */
function explore(
  ranked: RankedOffer[],
  candidates: readonly RankedOffer[],
  request: MatchRequest,
): RankedOffer[] {
  if (request.random === undefined || ranked[0]?.standing !== 'good') return ranked
  const unknown = best(
    candidates.filter((c) => c.standing === 'reachable' || c.standing === 'unverified'),
    1,
  )[0]
  if (unknown === undefined) return ranked
  const share = (request.explorationShare ?? DEFAULT_EXPLORATION_SHARE) * smallness(request)
  if (request.random() >= share) return ranked
  const rest = ranked.filter((r) => r !== unknown)
  return [unknown, ...rest].slice(0, Math.max(1, request.limit ?? rest.length + 1))
}

/** 1 for a job no larger than the default size, less in proportion for larger ones. */
function smallness(request: MatchRequest): number {
  const job = request.job
  if (job.kind === 'tensor') return Math.min(1, 1 / Math.max(1, job.gflop ?? 1))
  const tokens =
    (job.promptTokens ?? DEFAULT_PROMPT_TOKENS) + (job.completionTokens ?? DEFAULT_COMPLETION_TOKENS)
  return Math.min(1, (DEFAULT_PROMPT_TOKENS + DEFAULT_COMPLETION_TOKENS) / Math.max(1, tokens))
}
