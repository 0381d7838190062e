import { describe, expect, it } from 'vitest'
import { SimulationInvariantError } from '../../src/engine/errors.js'
import { Rng } from '../../src/engine/prng.js'
import { Channels } from '../../src/sim/channels.js'

describe('payment channels table', () => {
  it('finds every pair it opened, with its payments and claims, across growth', () => {
    const channels = new Channels(16)
    const rng = new Rng(11, 1)
    const pairs = new Map<string, { c: number; p: number; paid: number; claimedAt: number }>()
    for (let i = 0; i < 20_000; i++) {
      const c = rng.int(5000)
      const p = rng.int(300)
      const key = `${c}:${p}`
      let slot = channels.find(c, p)
      const known = pairs.get(key)
      expect(slot >= 0).toBe(known !== undefined)
      if (slot < 0) {
        slot = channels.open(c, p, i)
        pairs.set(key, { c, p, paid: 0, claimedAt: i })
      }
      const held = pairs.get(key) as { paid: number; claimedAt: number }
      expect(channels.pay(slot, 3)).toBe(held.paid + 3)
      held.paid += 3
      if (i % 7 === 0) {
        channels.claimed(slot, i)
        held.paid = 0
        held.claimedAt = i
      }
    }
    expect(channels.size).toBe(pairs.size)
    for (const { c, p, paid, claimedAt } of pairs.values()) {
      const slot = channels.find(c, p)
      expect(channels.lastClaimAt(slot)).toBe(claimedAt)
      expect(channels.pay(slot, 0)).toBe(paid)
    }
    expect(channels.find(5001, 0)).toBe(-1)
  })

  it('refuses to open a pair twice', () => {
    const channels = new Channels()
    channels.open(1, 2, 0)
    expect(() => channels.open(1, 2, 5)).toThrow(SimulationInvariantError)
  })
})
