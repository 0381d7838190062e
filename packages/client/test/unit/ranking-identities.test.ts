/**
 * Ranking against cheap identities: an unknown or unverified provider never
 * outranks a known-good one on price alone, exploration of newcomers is
 * bounded and seeded, and an unreachable provider waits out its backoff.
 */
import type { Offer } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { rankingOffer } from '../../../../test-support/offers.js'
import {
  MAX_UNREACHABLE_BACKOFF_MS,
  ProviderRecords,
  providerIdOf,
  rankOffers,
  unreachableBackoffMs,
} from '../../src/matching/index.js'

const NOW = 1_000_000

function offer(id: number, perK: bigint, extra: Partial<Offer> = {}): Offer {
  return rankingOffer(id, perK, NOW, extra)
}

/** A small deterministic random source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('ranking against cheap identities', () => {
  it('never ranks an unknown provider ahead of a known-good one on price alone', () => {
    const records = new ProviderRecords(() => NOW)
    const good = offer(1, 3000n)
    records.record(providerIdOf(good), { type: 'success' })
    const free = Array.from({ length: 50 }, (_, i) => offer(10 + i, BigInt(i % 2)))
    const { ranked } = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [...free, good],
      now: NOW,
      records: records.map,
    })
    expect(ranked[0]?.providerId).toBe(providerIdOf(good))
    expect(ranked[0]?.standing).toBe('good')
  })

  it('ranks reachable unknown providers before unverified ones, and caps the unverified', () => {
    const reachable = offer(1, 1000n)
    const fakes = Array.from({ length: 20 }, (_, i) => offer(10 + i, 0n))
    const { ranked, excluded } = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [...fakes, reachable],
      now: NOW,
      reachable: new Set([providerIdOf(reachable)]),
      maxUnverified: 2,
    })
    expect(ranked.map((r) => r.standing)).toEqual(['reachable', 'unverified', 'unverified'])
    expect(excluded.filter((e) => e.reason === 'unverified-cap')).toHaveLength(18)
  })

  it('keeps every unverified provider when nothing else is on offer (a cold client still gets a job)', () => {
    const fakes = Array.from({ length: 5 }, (_, i) => offer(10 + i, BigInt(i)))
    const { ranked } = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: fakes,
      now: NOW,
      maxUnverified: 1,
    })
    expect(ranked).toHaveLength(5)
    expect(ranked[0]?.providerId).toBe(providerIdOf(fakes[0] as Offer))
  })

  it('weighs a long record above a short one at a similar price (lower confidence bound)', () => {
    const records = new ProviderRecords(() => NOW)
    const once = offer(1, 100n)
    const often = offer(2, 150n)
    records.record(providerIdOf(once), { type: 'success' })
    for (let i = 0; i < 20; i++) records.record(providerIdOf(often), { type: 'success' })
    const { ranked } = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [once, often],
      now: NOW,
      records: records.map,
    })
    expect(ranked.map((r) => r.providerId)).toEqual([providerIdOf(often), providerIdOf(once)])
  })

  it('explores a bounded, seeded share of small jobs and none of the large ones', () => {
    const records = new ProviderRecords(() => NOW)
    const good = offer(1, 3000n)
    records.record(providerIdOf(good), { type: 'success' })
    const fresh = offer(2, 1n)
    const firsts = (random: () => number, completionTokens: number): string[] =>
      Array.from(
        { length: 1000 },
        () =>
          rankOffers({
            model: 'tiny',
            job: { kind: 'llm', promptTokens: 0, completionTokens },
            offers: [fresh, good],
            now: NOW,
            records: records.map,
            random,
            explorationShare: 0.1,
          }).ranked[0]?.providerId ?? '',
      )
    const small = firsts(seeded(7), 256)
    const explored = small.filter((id) => id === providerIdOf(fresh)).length
    expect(explored).toBeGreaterThan(50)
    expect(explored).toBeLessThan(150)
    expect(firsts(seeded(7), 256)).toEqual(small)
    const large = firsts(seeded(7), 256_000).filter((id) => id === providerIdOf(fresh)).length
    expect(large).toBeLessThan(explored / 10)
    // without a random source the ranking never explores
    const none = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [fresh, good],
      now: NOW,
      records: records.map,
    })
    expect(none.ranked[0]?.providerId).toBe(providerIdOf(good))
  })

  it('drops an unreachable provider after one dial failure and brings it back after the backoff', () => {
    let now = NOW
    const records = new ProviderRecords(() => now)
    const dead = offer(1, 1n, { expiresAt: BigInt(NOW + 10_000_000) })
    const live = offer(2, 1000n, { expiresAt: BigInt(NOW + 10_000_000) })
    const rank = () =>
      rankOffers({ model: 'tiny', job: { kind: 'llm' }, offers: [dead, live], now, records: records.map })
    expect(rank().ranked[0]?.providerId).toBe(providerIdOf(dead))
    records.record(providerIdOf(dead), { type: 'unreachable' })
    const backingOff = rank()
    expect(backingOff.ranked.map((r) => r.providerId)).toEqual([providerIdOf(live)])
    expect(backingOff.excluded).toEqual([{ providerId: providerIdOf(dead), reason: 'unreachable' }])
    now += unreachableBackoffMs(1)
    expect(rank().ranked.map((r) => r.providerId)).toContain(providerIdOf(dead))
    // a second failure in a row backs off twice as long
    records.record(providerIdOf(dead), { type: 'unreachable' })
    now += unreachableBackoffMs(1)
    expect(rank().excluded.map((e) => e.reason)).toEqual(['unreachable'])
    now += unreachableBackoffMs(1)
    expect(rank().excluded).toEqual([])
  })

  it('records dial failures apart from job failures, with a capped exponential backoff', () => {
    const records = new ProviderRecords(() => NOW)
    const id = 'p'
    records.record(id, { type: 'unreachable' })
    expect(records.get(id)).toMatchObject({ failures: 0, timeouts: 0, unreachableStreak: 1 })
    expect(records.get(id).unreachableUntil).toBe(NOW + unreachableBackoffMs(1))
    for (let i = 0; i < 30; i++) records.record(id, { type: 'unreachable' })
    expect(records.get(id).unreachableUntil).toBe(NOW + MAX_UNREACHABLE_BACKOFF_MS)
    records.record(id, { type: 'success' })
    expect(records.get(id).unreachableStreak).toBe(0)
    expect(unreachableBackoffMs(2)).toBe(2 * unreachableBackoffMs(1))
  })
})
