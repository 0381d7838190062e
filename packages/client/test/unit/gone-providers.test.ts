import { describe, expect, it } from 'vitest'
import { GoneProviders } from '../../src/market/gone-providers.js'

describe('GoneProviders', () => {
  it('holds a provider for its ttl, forgets it when it is back, and keeps at most `max`', () => {
    let now = 1000
    const gone = new GoneProviders({ now: () => now, ttlMs: 100, max: 2 })
    gone.add('a')
    expect(gone.has('a')).toBe(true)
    now += 100
    expect(gone.has('a')).toBe(false)
    gone.add('a')
    gone.delete('a')
    expect(gone.has('a')).toBe(false)
    gone.add('a')
    gone.add('b')
    gone.add('c')
    expect(gone.size).toBe(2)
    expect(gone.has('a')).toBe(false)
    expect(gone.has('c')).toBe(true)
  })
})
