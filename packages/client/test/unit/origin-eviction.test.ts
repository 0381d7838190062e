import { describe, expect, it } from 'vitest'
import { OfferBook, type OriginLimits, providerKey } from '../../src/market/index.js'
import { clock, offer, providerBytes, relay } from '../fixtures/origin.js'

describe('eviction under a Sybil flood', () => {
  /** 50 honest providers, each seen directly from its own subnet. */
  function honest(book: OfferBook, now: number): string[] {
    const ids: string[] = []
    for (let i = 0; i < 50; i++) {
      const bytes = providerBytes(1_000_000 + i)
      const id = providerKey(bytes)
      expect(book.add(offer(bytes, now, 1n), { peer: id, ip: `192.0.${i}.7` })).toBe('added')
      ids.push(id)
    }
    return ids
  }

  it('100k valid offers from one subnet: the default limits admit a few, honest offers stay, memory bounded', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now, maxProviders: 2000 })
    const ids = honest(book, c.now())
    let admitted = 0
    for (let i = 0; i < 100_000; i++) {
      // 100k offers over 5 simulated minutes (honest offers live 10)
      if (i % 10_000 === 0) c.advance(30_000)
      const outcome = book.add(
        offer(providerBytes(i), c.now(), 1n),
        relay(`10.0.0.${i % 250}`, `sybil-${i % 7}`),
      )
      if (outcome === 'added') admitted++
    }
    // burst 64, then 32 a minute
    expect(admitted).toBeLessThanOrEqual(64 + 32 * 5)
    for (const id of ids) expect(book.get(id)).toBeDefined()
    expect(book.size).toBe(50 + admitted)
    expect(book.remembered).toBeLessThanOrEqual(4000)
  })

  it('100k valid offers from one subnet with no rate limit: the group cap holds, honest offers stay', () => {
    const c = clock()
    const loose: OriginLimits = { newPerSource: { perMinute: 1e9, burst: 1e9 }, maxPerSource: 500 }
    const book = new OfferBook({ now: c.now, maxProviders: 2000, origin: loose })
    const ids = honest(book, c.now())
    const outcomes = new Map<string, number>()
    for (let i = 0; i < 100_000; i++) {
      const outcome = book.add(offer(providerBytes(i), c.now(), 1n), relay(`10.0.0.${i % 250}`))
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
    expect(outcomes.get('added')).toBe(500)
    expect(outcomes.get('source-full')).toBe(99_500)
    for (const id of ids) expect(book.get(id)).toBeDefined()
    expect(book.size).toBe(550)
    expect(book.remembered).toBeLessThanOrEqual(4000)
  })

  it('a full book evicts the newest unknown identities of the largest group, never established ones', () => {
    const c = clock()
    const loose: OriginLimits = { newPerSource: { perMinute: 1e9, burst: 1e9 }, maxPerSource: 10_000 }
    const evicted: string[] = []
    const book = new OfferBook({
      now: c.now,
      maxProviders: 300,
      origin: loose,
      onChange: (change) => {
        if (change.reason === 'evicted') evicted.push(change.entry.source)
      },
    })
    const ids = honest(book, c.now())
    // the honest providers have been around long enough to be established
    c.advance(11 * 60_000)
    for (const [i, id] of ids.entries()) {
      book.add(offer(providerBytes(1_000_000 + i), c.now(), 2n), { peer: id, ip: `192.0.${i}.7` })
      expect(book.established(id)).toBe(true)
    }
    // 10k Sybils from two flooding subnets
    const refused: string[] = []
    for (let i = 0; i < 10_000; i++) {
      const outcome = book.add(
        offer(providerBytes(i), c.now(), 1n),
        relay(i % 2 === 0 ? '10.0.0.1' : '10.9.0.1'),
      )
      if (outcome !== 'added') refused.push(outcome)
    }
    expect(book.size).toBe(300)
    // the flood filled the free room, then met groups no larger than its own: refused, nothing evicted
    expect(refused).toHaveLength(10_000 - 250)
    expect(new Set(refused)).toEqual(new Set(['book-full']))
    expect(evicted).toEqual([])
    for (const id of ids) expect(book.get(id)).toBeDefined()
    // an honest newcomer from a quiet subnet still gets in: the flood makes room
    const newcomer = providerBytes(2_000_000)
    const newId = providerKey(newcomer)
    const before = book.entries().filter((e) => e.source.startsWith('via:10.')).length
    expect(book.add(offer(newcomer, c.now(), 1n), { peer: newId, ip: '203.0.113.5' })).toBe('added')
    expect(book.get(newId)).toBeDefined()
    expect(book.entries().filter((e) => e.source.startsWith('via:10.')).length).toBe(before - 1)
    expect(evicted).toHaveLength(1)
    expect(evicted[0]).toMatch(/^via:10\./)
  })
})
