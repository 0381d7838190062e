import { describe, expect, it } from 'vitest'
import { crossCheck } from '../../src/crosscheck/index.js'
import { fidelityVerdict } from '../../src/crosscheck/verdict.js'

describe('cross-check against real libp2p peers', () => {
  it('the model and 50 real peers over the memory transport agree within every gated tolerance', async () => {
    // crossCheck stops every peer it started, also when it throws
    const result = await crossCheck({ peers: 50, seed: 3, messages: 5, latencyMs: 20, heartbeatMs: 500 })
    const verdict = fidelityVerdict(result)
    const failed = verdict.checks.filter((c) => c.pass === false)
    expect(failed, JSON.stringify(verdict.checks)).toEqual([])
    expect(verdict.pass).toBe(true)
    // the hops are measured on both sides, not assumed
    expect(result.hops.real.p50).toBeGreaterThan(0)
    expect(result.hops.simulated.p50).toBeGreaterThan(0)
  })
})
