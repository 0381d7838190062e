import { describe, expect, it } from 'vitest'
import { parseScenario } from '../../src/scenario/load.js'
import { runScenario } from '../../src/sim/run.js'

describe('job accounting', () => {
  it('reports jobs in flight at the end apart from failures, and arrivals the jobs.total cap turned away', async () => {
    const scenario = parseScenario({
      name: 'accounting',
      durationMs: 30_000,
      peers: { count: 60, providerFraction: 0.2 },
      crypto: { mode: 'table' },
      jobs: { total: 200, rankRefreshMs: 500 },
      dht: { lookups: 5 },
      providers: [{ strategy: { type: 'fixed', price: 200000 }, maxConcurrency: 1, share: 1 }],
    })
    const { jobs } = (await runScenario(scenario)).summary
    const failed = Object.values(jobs.failures).reduce((s, n) => s + n, 0)
    expect(jobs.arrived).toBe(jobs.succeeded + failed + jobs.inFlightAtEnd)
    expect(jobs.arrived).toBe(200)
    expect(jobs.overCap).toBeGreaterThan(0)
    expect(jobs.inFlightAtEnd).toBeGreaterThan(0)
    expect(jobs.finishedSuccessRate).toBeGreaterThan(jobs.successRate)
  })
})
