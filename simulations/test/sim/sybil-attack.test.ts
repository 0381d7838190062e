import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/scenario/load.js'
import { runScenario } from '../../src/sim/run.js'

const file = fileURLToPath(new URL('../../scenarios/sybil-attack.json', import.meta.url))

describe('sybil-attack scenario', () => {
  it('reports jobs lost, time wasted on attackers and attempts per job, the same for a seed', async () => {
    const scenario = await loadScenario(file)
    expect(scenario.adversaries.sybil.count).toBeGreaterThan(0)
    expect(scenario.adversaries.stall.count).toBeGreaterThan(0)
    const a = await runScenario(scenario, { seed: 3 })
    const b = await runScenario(scenario, { seed: 3 })
    const impact = a.summary.attackImpact
    expect(a.summary.jobs.arrived).toBeGreaterThan(0)
    expect(impact.lostShare).toBeGreaterThanOrEqual(0)
    expect(impact.lostShare).toBeLessThanOrEqual(1)
    expect(impact.jobsLost).toBe(Object.values(a.summary.jobs.failures).reduce((s, n) => s + n, 0))
    expect(impact.wastedMsMean).toBeGreaterThanOrEqual(0)
    expect(impact.wastedMsP99).toBeGreaterThanOrEqual(0)
    expect(impact.attemptsMean).toBeGreaterThanOrEqual(1)
    expect(impact.attemptsP99).toBeLessThanOrEqual(scenario.jobs.maxAttempts)
    // the Sybils' offers were accepted by the real validation and reached the clients' ranking
    expect(a.summary.attackers.sybilDials).toBeGreaterThan(0)
    const header = a.csv.split('\n')[0]?.split(',') ?? []
    expect(header).toContain('attempts')
    expect(header).toContain('attacker_wasted_ms')
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary))
    expect(b.csv).toBe(a.csv)
  })
})
