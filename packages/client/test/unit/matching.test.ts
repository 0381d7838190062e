import { type Offer, TrustTier } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { rankingOffer } from '../../../../test-support/offers.js'
import { generationRate } from '../../src/jobs/failover.js'
import { type OfferTrust, openTrust, trustLabel } from '../../src/market/offer-trust.js'
import { estimateJobCost, ProviderRecords, providerIdOf, rankOffers } from '../../src/matching/index.js'
import { attested } from '../fixtures/trust.js'

const NOW = 1_000_000

function offer(id: number, perK: bigint, extra: Partial<Offer> = {}): Offer {
  return rankingOffer(id, perK, NOW, extra)
}

describe('matching', () => {
  it('estimates cost per 1000 tokens, rounding up', () => {
    const prices = { perKPromptTokens: 1000n, perKCompletionTokens: 3000n, perTensorGflop: 7n }
    expect(estimateJobCost(prices, { kind: 'llm', promptTokens: 10, completionTokens: 1 })).toBe(13n)
    expect(estimateJobCost(prices, { kind: 'tensor', gflop: 2 })).toBe(14n)
  })

  it('ranks by effective price first, then latency', () => {
    const a = offer(1, 300n)
    const b = offer(2, 100n)
    const c = offer(3, 100n)
    const latencies = new Map([
      [providerIdOf(b), 50],
      [providerIdOf(c), 5],
    ])
    const { ranked } = rankOffers({
      model: 'TINY',
      job: { kind: 'llm' },
      offers: [a, b, c],
      now: NOW,
      latencies,
    })
    expect(ranked.map((r) => r.providerId)).toEqual([providerIdOf(c), providerIdOf(b), providerIdOf(a)])
  })

  it('filters by model, kind, expiry, trust tier, max price and budget', () => {
    const offers = [
      offer(1, 100n, { models: ['other'] }),
      offer(2, 100n, { jobKinds: ['tensor'] }),
      offer(3, 100n, { expiresAt: BigInt(NOW) }),
      offer(4, 100n, { trustTier: TrustTier.TRUST_TIER_OPEN }),
      offer(5, 900n, { trustTier: TrustTier.TRUST_TIER_ATTESTED }),
      offer(6, 200n, { trustTier: TrustTier.TRUST_TIER_ATTESTED }),
      offer(7, 150n, { trustTier: TrustTier.TRUST_TIER_ATTESTED }),
      // claims attested, but the client verified nothing for it
      offer(8, 10n, { trustTier: TrustTier.TRUST_TIER_ATTESTED }),
    ]
    const verified = new Set(offers.slice(4, 7))
    const result = rankOffers({
      model: 'tiny',
      job: { kind: 'llm', promptTokens: 1000, completionTokens: 1000 },
      offers,
      now: NOW,
      minTrustTier: TrustTier.TRUST_TIER_ATTESTED,
      trust: (o) => (verified.has(o) ? attested(o) : undefined),
      maxPrice: { perKCompletionTokens: 500n },
      budget: 350n,
    })
    expect(result.ranked.map((r) => r.providerId)).toEqual([providerIdOf(offers[6] as Offer)])
    expect(result.ranked[0]?.trust.tier).toBe(TrustTier.TRUST_TIER_ATTESTED)
    expect(result.excluded.map((e) => e.reason)).toEqual([
      'other-model',
      'other-kind',
      'expired',
      'trust-tier',
      'over-max-price',
      'over-budget',
      'trust-tier',
    ])
  })

  it('prices a job that requires attested at the attested prices of the offer, any other job at its prices', () => {
    const attestedPrices = { perKPromptTokens: 300n, perKCompletionTokens: 300n, perTensorGflop: 0n }
    const tee = offer(1, 100n, { trustTier: TrustTier.TRUST_TIER_ATTESTED, attestedPrices })
    const job = { kind: 'llm' as const, promptTokens: 1000, completionTokens: 1000 }
    const trust = (o: Offer): OfferTrust => attested(o)
    const strict = rankOffers({
      model: 'tiny',
      job,
      offers: [tee],
      now: NOW,
      trust,
      minTrustTier: TrustTier.TRUST_TIER_ATTESTED,
    })
    expect(strict.ranked[0]?.prices).toEqual(attestedPrices)
    expect(strict.ranked[0]?.cost).toBe(600n)
    const any = rankOffers({ model: 'tiny', job, offers: [tee], now: NOW, trust })
    expect(any.ranked[0]?.prices).toEqual(tee.prices)
    expect(any.ranked[0]?.cost).toBe(200n)
    // the cap applies to the price the job would pay
    const capped = rankOffers({
      model: 'tiny',
      job,
      offers: [tee],
      now: NOW,
      trust,
      minTrustTier: TrustTier.TRUST_TIER_ATTESTED,
      maxPrice: { perKCompletionTokens: 200n },
    })
    expect(capped.excluded).toEqual([{ providerId: providerIdOf(tee), reason: 'over-max-price' }])
  })

  it('never believes a claimed tier: without a verdict every offer is open and marked so', () => {
    const claims = offer(1, 100n, { trustTier: TrustTier.TRUST_TIER_ATTESTED })
    const attestedOnly = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [claims],
      now: NOW,
      minTrustTier: TrustTier.TRUST_TIER_ATTESTED,
    })
    expect(attestedOnly.ranked).toEqual([])
    expect(attestedOnly.excluded).toEqual([{ providerId: providerIdOf(claims), reason: 'trust-tier' }])
    const any = rankOffers({ model: 'tiny', job: { kind: 'llm' }, offers: [claims], now: NOW })
    expect(any.ranked[0]?.trust).toEqual(openTrust(claims, 'no-evidence'))
    expect(trustLabel(any.ranked[0]?.trust ?? attested(claims))).toBe('open: claims attested, no evidence')
  })

  it('pushes a provider that failed recently behind a slightly dearer one, and lets it recover', () => {
    let now = NOW
    const records = new ProviderRecords(() => now)
    const cheap = offer(1, 100n)
    const dear = offer(2, 120n)
    records.record(providerIdOf(cheap), { type: 'failure' })
    const first = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [cheap, dear],
      now,
      records: records.map,
    })
    expect(first.ranked[0]?.providerId).toBe(providerIdOf(dear))
    for (let i = 0; i < 20; i++) records.record(providerIdOf(cheap), { type: 'success' })
    now += 120_000
    const later = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [cheap, dear].map((o) => ({ ...o, expiresAt: BigInt(now + 1000) })),
      now,
      records: records.map,
    })
    expect(later.ranked[0]?.providerId).toBe(providerIdOf(cheap))
  })

  it('penalises a provider that delivers less throughput than promised', () => {
    const records = new ProviderRecords(() => NOW)
    const slow = offer(1, 100n)
    const honest = offer(2, 150n)
    records.record(providerIdOf(slow), { type: 'success', deliveredPerSecond: 20, promisedPerSecond: 100 })
    const { ranked } = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [slow, honest],
      now: NOW,
      records: records.map,
    })
    expect(ranked[0]?.providerId).toBe(providerIdOf(honest))
  })

  it('keeps one entry per provider (newest sequence) and honours exclude', () => {
    const old = offer(1, 50n, { sequence: 1n })
    const newer = offer(1, 80n, { sequence: 2n })
    const other = offer(2, 90n)
    const { ranked } = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [old, newer, other],
      now: NOW,
      exclude: new Set([providerIdOf(other)]),
    })
    expect(ranked).toHaveLength(1)
    expect(ranked[0]?.offer.sequence).toBe(2n)
  })

  it('leaves out an offer whose stated context max tokens alone fill, keeps those that state none', () => {
    const small = offer(1, 10n, { contextSize: 512 })
    const large = offer(2, 90n, { contextSize: 4096 })
    const silent = offer(3, 50n)
    const { ranked, excluded } = rankOffers({
      model: 'tiny',
      job: { kind: 'llm', promptTokens: 10, completionTokens: 512 },
      offers: [small, large, silent],
      now: NOW,
    })
    expect(ranked.map((r) => r.offer.provider[37]).sort()).toEqual([2, 3])
    expect(excluded).toEqual([{ providerId: providerIdOf(small), reason: 'context-too-small' }])
  })

  it('caps only the prices that apply to the job kind', () => {
    const o = offer(1, 100n, {
      prices: { perKPromptTokens: 100n, perKCompletionTokens: 100n, perTensorGflop: 9000n },
    })
    const cap = { perKPromptTokens: 200n, perKCompletionTokens: 200n, perTensorGflop: 200n }
    expect(
      rankOffers({ model: 'tiny', job: { kind: 'llm' }, offers: [o], now: NOW, maxPrice: cap }).ranked,
    ).toHaveLength(1)
    const tensorOffer = { ...o, jobKinds: ['tensor'] }
    const tensor = rankOffers({
      model: 'tiny',
      job: { kind: 'tensor' },
      offers: [tensorOffer],
      now: NOW,
      maxPrice: cap,
    })
    expect(tensor.excluded.map((e) => e.reason)).toEqual(['over-max-price'])
  })
})

describe('generationRate (delivered throughput of a served part)', () => {
  const part = {
    providerId: 'p',
    tier: TrustTier.TRUST_TIER_OPEN as const,
    trust: openTrust({ trustTier: TrustTier.TRUST_TIER_OPEN }, 'no-evidence'),
    price: { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n },
    promptTokens: 20,
    completionTokens: 49,
    gflop: 0,
    cost: 0n,
    outcome: 'completed' as const,
  }
  it('counts from the first token, so time to first token is not held against the provider', () => {
    // 200 ms to the first token, then 48 more tokens in 24 ms: 2000 tokens/s, not 49 / 0.224 s
    expect(generationRate({ ...part, startedAt: 0, firstTokenAt: 200, endedAt: 224 })).toBe(2000)
  })
  it('says nothing about parts too short to tell, or without a first token', () => {
    expect(generationRate({ ...part, completionTokens: 5, startedAt: 0, firstTokenAt: 1, endedAt: 2 })).toBe(
      undefined,
    )
    expect(generationRate({ ...part, startedAt: 0, endedAt: 100 })).toBe(undefined)
  })
})
