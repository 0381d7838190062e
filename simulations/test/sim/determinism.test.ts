import { describe, expect, it } from 'vitest'
import { runScenario } from '../../src/sim/run.js'
import { small } from './helpers.js'

describe('determinism', () => {
  it('gives a byte-identical summary and series for the same scenario and seed', async () => {
    const scenario = small({ churn: { fraction: 0.3, session: { type: 'exponential', meanMs: 30_000 } } })
    const a = await runScenario(scenario, { seed: 11 })
    const b = await runScenario(scenario, { seed: 11 })
    expect(JSON.stringify(a.summary)).toBe(JSON.stringify(b.summary))
    expect(a.csv).toBe(b.csv)
    expect(a.summary.jobs.arrived).toBeGreaterThan(1000)
  })

  it('gives a different run for another seed', async () => {
    const scenario = small()
    const a = await runScenario(scenario, { seed: 1 })
    const b = await runScenario(scenario, { seed: 2 })
    expect(JSON.stringify(a.summary)).not.toBe(JSON.stringify(b.summary))
  })
})
