import type { Offer } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { rankingOffer } from '../../../../test-support/offers.js'
import { ProviderLoads, ProviderRecords, providerIdOf, rankOffers } from '../../src/matching/index.js'

const NOW = 1_000_000

function offer(id: number, perK: bigint): Offer {
  return rankingOffer(id, perK, NOW)
}

describe('ProviderLoads', () => {
  it('counts own jobs in flight and trusts a reported depth for a short while', () => {
    let now = NOW
    const loads = new ProviderLoads(() => now)
    loads.started('a')
    loads.started('a')
    loads.reported('b', 5)
    expect(loads.map).toEqual(
      new Map([
        ['a', 2],
        ['b', 5],
      ]),
    )
    loads.ended('a')
    now += 10_000
    expect(loads.map).toEqual(
      new Map([
        ['a', 1],
        ['b', 0],
      ]),
    )
  })
})

describe('rankOffers by load', () => {
  const a = offer(1, 1000n)
  const b = offer(2, 1000n)
  const records = new ProviderRecords(() => NOW)
  // a has the better record (more successes), so without loads it always leads
  for (let i = 0; i < 50; i++) records.record(providerIdOf(a), { type: 'success' })
  for (let i = 0; i < 30; i++) records.record(providerIdOf(b), { type: 'success' })
  const rank = (loads?: ReadonlyMap<string, number>) =>
    rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [a, b],
      now: NOW,
      records: records.map,
      ...(loads !== undefined ? { loads } : {}),
    }).ranked.map((r) => r.providerId)

  it('puts the less loaded of two equal offers first', () => {
    expect(rank()[0]).toBe(providerIdOf(a))
    expect(rank(new Map([[providerIdOf(a), 3]]))[0]).toBe(providerIdOf(b))
    expect(
      rank(
        new Map([
          [providerIdOf(a), 3],
          [providerIdOf(b), 3],
        ]),
      )[0],
    ).toBe(providerIdOf(a))
  })

  it('never lets load lift a dearer offer above a cheaper one', () => {
    const dear = offer(3, 5000n)
    const ranked = rankOffers({
      model: 'tiny',
      job: { kind: 'llm' },
      offers: [a, dear],
      now: NOW,
      loads: new Map([[providerIdOf(a), 10]]),
    }).ranked.map((r) => r.providerId)
    expect(ranked[0]).toBe(providerIdOf(a))
  })
})
