import { describe, expect, it } from 'vitest'
import {
  buildOffer,
  buildOfferCancel,
  nextSequence,
  OfferBook,
  type OfferBookChange,
  providerKey,
  RateLimiter,
} from '../../src/market/index.js'

const prices = { perKPromptTokens: 10n, perKCompletionTokens: 20n, perTensorGflop: 0n }
const alice = new Uint8Array([0, 36, 8, 1, 18, 32, ...new Array(32).fill(1)])
const bob = new Uint8Array([0, 36, 8, 1, 18, 32, ...new Array(32).fill(2)])

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => (t += ms) }
}

function offer(
  provider: Uint8Array<ArrayBuffer>,
  now: number,
  sequence: bigint,
  models = ['Llama-3-8B'],
  ttlMs = 10_000,
) {
  return buildOffer({ models, prices }, { provider, now, ttlMs, sequence })
}

describe('OfferBook', () => {
  it('holds one live offer per provider, indexed by canonical model', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now })
    expect(book.add(offer(alice, c.now(), 1n, ['Llama-3-8B', 'qwen']))).toBe('added')
    expect(book.add(offer(bob, c.now(), 1n))).toBe('added')
    expect(book.offers('llama-3-8b')).toHaveLength(2)
    expect(book.offers(' QWEN ')).toHaveLength(1)
    expect(book.offers('other')).toHaveLength(0)
    expect(book.models().sort()).toEqual(['llama-3-8b', 'qwen'])
  })

  it('replaces superseded sequences and ignores stale ones', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now })
    book.add(offer(alice, c.now(), 5n, ['a']))
    expect(book.add(offer(alice, c.now(), 5n, ['a']))).toBe('stale')
    expect(book.add(offer(alice, c.now(), 4n, ['a']))).toBe('stale')
    expect(book.add(offer(alice, c.now(), 6n, ['b']))).toBe('replaced')
    expect(book.offers('a')).toHaveLength(0)
    expect(book.offers('b')[0]?.sequence).toBe(6n)
  })

  it('drops expired offers on read and prune, and refuses expired ones', () => {
    const c = clock()
    const changes: OfferBookChange[] = []
    const book = new OfferBook({ now: c.now, onChange: (ch) => changes.push(ch) })
    book.add(offer(alice, c.now(), 1n, ['a'], 1000))
    c.advance(999)
    expect(book.offers('a')).toHaveLength(1)
    c.advance(1)
    expect(book.offers('a')).toHaveLength(0)
    expect(changes.at(-1)).toMatchObject({ type: 'removed', reason: 'expired' })
    expect(book.add(offer(alice, c.now() - 5000, 2n, ['a'], 1000))).toBe('expired')
  })

  it('prunes each offer when it expires, whatever the order of lifetimes, replacements and removals', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now })
    book.add(offer(alice, c.now(), 1n, ['a'], 1000))
    book.add(offer(bob, c.now(), 1n, ['a'], 3000))
    // alice's short-lived offer is replaced by a long one: the earlier bound must not hide bob's expiry
    book.add(offer(alice, c.now(), 2n, ['a'], 10_000))
    c.advance(1500)
    expect(book.prune()).toEqual([])
    c.advance(1500)
    expect(book.prune()).toEqual([providerKey(bob)])
    expect(book.offers('a')).toHaveLength(1)
    book.add(offer(bob, c.now(), 2n, ['a'], 500))
    c.advance(499)
    expect(book.prune()).toEqual([])
    c.advance(1)
    expect(book.prune()).toEqual([providerKey(bob)])
    c.advance(7000)
    expect(book.prune()).toEqual([providerKey(alice)])
    expect(book.size).toBe(0)
  })

  it('a cancel kills every sequence at or below it, before or after the offer arrives', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now })
    book.add(offer(alice, c.now(), 3n))
    expect(book.cancel(buildOfferCancel({ provider: alice, now: c.now(), sequence: 3n }))).toBe('removed')
    expect(book.size).toBe(0)
    // the cancelled offer arriving late (e.g. via another path) stays out
    expect(book.add(offer(alice, c.now(), 3n))).toBe('cancelled')
    expect(book.add(offer(alice, c.now(), 2n))).toBe('cancelled')
    // a cancel arriving before the offer it cancels
    expect(book.cancel(buildOfferCancel({ provider: bob, now: c.now(), sequence: 9n }))).toBe('recorded')
    expect(book.add(offer(bob, c.now(), 9n))).toBe('cancelled')
    expect(book.cancel(buildOfferCancel({ provider: bob, now: c.now(), sequence: 9n }))).toBe('stale')
    // a later offer is live again
    expect(book.add(offer(alice, c.now(), 4n))).toBe('added')
  })

  it('evicts the offer expiring first beyond maxProviders', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now, maxProviders: 1 })
    book.add(offer(alice, c.now(), 1n, ['a'], 5000))
    book.add(offer(bob, c.now(), 1n, ['a'], 9000))
    expect(book.size).toBe(1)
    expect(book.offers('a')[0]?.provider).toEqual(bob)
  })
})

describe('nextSequence', () => {
  it('always grows, following the clock when it is ahead', () => {
    expect(nextSequence(0n, 1000)).toBe(1000n)
    expect(nextSequence(1000n, 1000)).toBe(1001n)
    expect(nextSequence(5000n, 1000)).toBe(5001n)
  })
})

describe('RateLimiter', () => {
  it('allows a burst then the sustained rate, per key', () => {
    const c = clock()
    const limiter = new RateLimiter({ now: c.now, ratePerSecond: 2, burst: 3 })
    expect([1, 2, 3, 4].map(() => limiter.take('p'))).toEqual([true, true, true, false])
    expect(limiter.take('q')).toBe(true)
    c.advance(500)
    expect(limiter.take('p')).toBe(true)
    expect(limiter.take('p')).toBe(false)
  })
})
