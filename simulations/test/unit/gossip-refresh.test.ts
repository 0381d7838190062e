import { describe, expect, it } from 'vitest'
import type { GossipRoundTask, GossipSampler } from '../../src/models/gossip-pool.js'
import { runGossipRound } from '../../src/models/gossip-round.js'
import { GossipRefresh } from '../../src/sim/gossip-refresh.js'
import { World } from '../../src/sim/world.js'
import { small } from '../sim/helpers.js'

const scenario = small({ gossip: { samples: 2, observers: 2, refreshMs: 30_000 } })

/** A sampler that runs rounds here and hands `ahead` to `prepare`, recording the rounds asked ahead. */
function sampler(prepare: (task: GossipRoundTask) => Promise<ReturnType<typeof runGossipRound>>) {
  const asked: number[] = []
  const s: GossipSampler = {
    run: async (task) => runGossipRound(task),
    ahead: (task) => {
      asked.push(task.round)
      return prepare(task)
    },
    close: async () => {},
  }
  return { s, asked }
}

describe('gossip refreshes prepared ahead', () => {
  it('takes the next round from the one prepared ahead', async () => {
    const world = new World(scenario, 1)
    const prepared = new Map<number, ReturnType<typeof runGossipRound>>()
    const { s, asked } = sampler(async (task) => {
      const results = runGossipRound(task)
      prepared.set(task.round, results)
      return results
    })
    const refresh = new GossipRefresh(world, s)
    await refresh.refresh(0)
    expect(asked).toEqual([1])
    await refresh.refresh(1)
    expect(asked).toEqual([1, 2])
    const first = prepared.get(1)?.[0]?.observerArrival ?? new Float32Array()
    expect(first.length).toBe(world.observers.length)
    expect(Array.from(world.gossipDelay.subarray(0, first.length))).toEqual(Array.from(first))
  })

  it('throws the failure of a round prepared ahead when its time comes, and not as unhandled before', async () => {
    const world = new World(scenario, 1)
    const { s } = sampler(() => Promise.reject(new Error('the worker thread died')))
    const refresh = new GossipRefresh(world, s)
    await refresh.refresh(0)
    // the rejection settles while nothing awaits it yet
    await new Promise((resolve) => setImmediate(resolve))
    await expect(refresh.refresh(1)).rejects.toThrow('the worker thread died')
  })
})
