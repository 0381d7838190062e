import { canonicalModelId, type Offer, TrustTier } from '@cocoon-mesh/protocol'
import { base58btc } from 'multiformats/bases/base58'
import { estimateJobCost, withinMaxPrice } from './cost.js'
import { reliability, throughputRatio } from './records.js'
import type { ExclusionReason, MatchRequest, MatchResult, RankedOffer } from './types.js'

const DEFAULT_COOLDOWN_MS = 60_000
/** Latency used for providers never pinged: ranks them behind measured ones at equal price. */
const UNKNOWN_LATENCY_MS = 1_000

/** The string id of a provider from the raw peer id bytes in an offer (same as `peerId.toString()`). */
export function providerIdOf(offer: Pick<Offer, 'provider'>): string {
  return base58btc.encode(offer.provider).slice(1)
}

const TIER_ORDER: Record<TrustTier, number> = {
  [TrustTier.TRUST_TIER_UNSPECIFIED]: 0,
  [TrustTier.TRUST_TIER_OPEN]: 1,
  [TrustTier.TRUST_TIER_VERIFIED]: 2,
  [TrustTier.TRUST_TIER_ATTESTED]: 3,
}

/**
 * Ranks the live offers for one job, best first. Pure: everything it looks at
 * is in `request`, including the clock.
 *
 * Offers are filtered by model, job kind, expiry, trust tier, max price and
 * budget, then sorted by effective cost (estimated cost of this job divided by
 * the client's reliability score of the provider and, when it delivered less
 * than half its promised throughput, by that shortfall), then measured latency, then provider id.
 */
export function rankOffers(request: MatchRequest): MatchResult {
  const model = canonicalModelId(request.model)
  const cooldown = request.failureCooldownMs ?? DEFAULT_COOLDOWN_MS
  const minTier = TIER_ORDER[request.minTrustTier ?? TrustTier.TRUST_TIER_UNSPECIFIED] ?? 0
  const ranked: RankedOffer[] = []
  const excluded: MatchResult['excluded'] = []
  const seen = new Map<string, RankedOffer>()

  for (const offer of request.offers) {
    const providerId = providerIdOf(offer)
    const drop = (reason: ExclusionReason): void => {
      excluded.push({ providerId, reason })
    }
    if (request.exclude?.has(providerId) === true) {
      drop('excluded')
      continue
    }
    if (!offer.models.some((m) => canonicalModelId(m) === model)) {
      drop('other-model')
      continue
    }
    if (!offer.jobKinds.includes(request.job.kind)) {
      drop('other-kind')
      continue
    }
    if (offer.expiresAt <= BigInt(Math.floor(request.now))) {
      drop('expired')
      continue
    }
    if ((TIER_ORDER[offer.trustTier] ?? 0) < minTier) {
      drop('trust-tier')
      continue
    }
    const prices = offer.prices ?? { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }
    if (!withinMaxPrice(prices, request.maxPrice, request.job.kind)) {
      drop('over-max-price')
      continue
    }
    const cost = estimateJobCost(prices, request.job)
    if (request.budget !== undefined && cost > request.budget) {
      drop('over-budget')
      continue
    }
    const record = request.records?.get(providerId)
    const rel = reliability(record, request.now, cooldown)
    // delivering at least half the promised throughput is fine (load varies); below that the
    // provider over-promises and its price is weighed up accordingly
    const ratio = throughputRatio(record)
    const tput = ratio >= 0.5 ? 1 : Math.max(0.1, ratio * 2)
    const candidate: RankedOffer = {
      offer,
      providerId,
      cost,
      effectiveCost: Number(cost) / (rel * tput),
      latencyMs: request.latencies?.get(providerId) ?? UNKNOWN_LATENCY_MS,
      reliability: rel,
    }
    // one entry per provider: its newest offer (highest sequence)
    const previous = seen.get(providerId)
    if (previous !== undefined && previous.offer.sequence >= offer.sequence) continue
    seen.set(providerId, candidate)
  }
  ranked.push(...seen.values())
  // a provider that failed within the cooldown goes behind every other, whatever its price
  // (a price of 0 divided by any reliability would otherwise stay first)
  const cooling = (r: RankedOffer): number => {
    const at = request.records?.get(r.providerId)?.lastFailureAt ?? 0
    return at > 0 && request.now - at < cooldown ? 1 : 0
  }
  ranked.sort((a, b) => cooling(a) - cooling(b) || compareRanked(a, b))
  return { ranked, excluded }
}

function compareRanked(a: RankedOffer, b: RankedOffer): number {
  if (a.effectiveCost !== b.effectiveCost) return a.effectiveCost - b.effectiveCost
  if (a.latencyMs !== b.latencyMs) return a.latencyMs - b.latencyMs
  if (a.reliability !== b.reliability) return b.reliability - a.reliability
  return a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0
}
