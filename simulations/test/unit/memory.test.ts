import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseScenario } from '../../src/scenario/load.js'
import {
  assertFitsInMemory,
  BASE_BYTES,
  estimateRunBytes,
  MemoryLimitError,
  PER_CONNECTION_BYTES,
  PER_JOB_BYTES,
  PER_OBSERVER_OFFER_BYTES,
  PER_PEER_BYTES,
} from '../../src/scenario/memory.js'

const MIB = 2 ** 20
const sized = (peers: number, jobs: number, observers = 1) =>
  parseScenario({
    name: `p${peers}`,
    peers: { count: peers, providerFraction: 0.02 },
    jobs: { total: jobs },
    gossip: { observers },
  })

describe('memory estimate of a run', () => {
  it('grows with peers, their connections, jobs and observer books from the fitted base', () => {
    // 20 connections per peer by default
    const perPeer = PER_PEER_BYTES + 20 * PER_CONNECTION_BYTES
    expect(estimateRunBytes(sized(2, 0))).toBe(BASE_BYTES + 2 * perPeer + PER_OBSERVER_OFFER_BYTES)
    expect(estimateRunBytes(sized(1000, 10, 3))).toBe(
      BASE_BYTES + 1000 * perPeer + 10 * PER_JOB_BYTES + 3 * 20 * PER_OBSERVER_OFFER_BYTES,
    )
  })

  it('sits above the peak RSS measured with 200 connections per peer at 100k peers (928 MiB)', async () => {
    const file = join(import.meta.dirname, '../../scenarios/scale-100k.json')
    const scenario = JSON.parse(await readFile(file, 'utf8'))
    const dense = parseScenario({ ...scenario, gossip: { ...scenario.gossip, connections: 200 } })
    expect(estimateRunBytes(dense)).toBeGreaterThan(928 * MIB)
    expect(estimateRunBytes(dense)).toBeLessThan(1.5 * 928 * MIB)
  })

  it('sits above the peak RSS measured with 64 observer books at 100k peers (2362 MiB)', () => {
    const run = sized(100_000, 1_000_000, 64)
    expect(estimateRunBytes(run)).toBeGreaterThan(2362 * MIB)
    expect(estimateRunBytes(run)).toBeLessThan(1.2 * 2362 * MIB)
  })

  it('sits above the peak RSS measured for the shipped 100k-peer scenario (747 MiB)', async () => {
    const file = join(import.meta.dirname, '../../scenarios/scale-100k.json')
    const scenario = parseScenario(JSON.parse(await readFile(file, 'utf8')))
    expect(estimateRunBytes(scenario)).toBeGreaterThan(747 * MIB)
    expect(estimateRunBytes(scenario)).toBeLessThan(1.5 * 747 * MIB)
  })

  it('counts the gossip sample threads: above the 886 MiB scale-100k peaked at with 2 of them', async () => {
    const file = join(import.meta.dirname, '../../scenarios/scale-100k.json')
    const scenario = parseScenario(JSON.parse(await readFile(file, 'utf8')))
    const two = estimateRunBytes(scenario, 2)
    expect(two).toBeGreaterThan(886 * MIB)
    expect(two).toBeLessThan(1.5 * 886 * MIB)
    // one thread is the run's own: nothing beside it
    expect(estimateRunBytes(scenario, 1)).toBe(estimateRunBytes(scenario))
    // never more threads than samples
    expect(estimateRunBytes(scenario, 64)).toBe(estimateRunBytes(scenario, scenario.gossip.samples))
    expect(() => assertFitsInMemory([scenario], two - MIB, { gossipThreads: 2 })).toThrow(
      /--gossip-threads 1/,
    )
    expect(() => assertFitsInMemory([scenario], two - MIB)).not.toThrow()
  })

  it('refuses a run over the limit, naming the fields to lower and how to raise the limit', () => {
    const big = sized(2_000_000, 10, 8)
    const error = (() => {
      try {
        assertFitsInMemory([big], 4096 * MIB)
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(MemoryLimitError)
    const e = error as MemoryLimitError
    expect(e.code).toBe('ERR_MEMORY_LIMIT')
    expect(e.estimateBytes).toBe(estimateRunBytes(big))
    expect(e.shortMessage).toContain('more than the limit of 4096 MiB')
    expect(e.details).toContain('2000000 peers (peers.count)')
    expect(e.details).toContain('observers (gossip.observers)')
    expect(e.details).toContain('connections (gossip.connections)')
    expect(e.details).toContain('--max-memory')
    expect(() => assertFitsInMemory([big], 8192 * MIB)).not.toThrow()
  })

  it('counts a sweep by its largest run times the runs side by side', () => {
    const runs = [sized(100_000, 1000), sized(400_000, 1000)]
    const one = estimateRunBytes(runs[1] as ReturnType<typeof sized>)
    expect(() => assertFitsInMemory(runs, one + MIB, { concurrent: 1 })).not.toThrow()
    expect(() => assertFitsInMemory(runs, one + MIB, { concurrent: 2 })).toThrow(/× 2 concurrent runs/)
    // no more runs side by side than there are runs
    expect(() => assertFitsInMemory(runs, 2 * one + MIB, { concurrent: 8 })).not.toThrow()
  })
})
