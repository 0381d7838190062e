import { describe, expect, it } from 'vitest'
import type { CrossCheckResult } from '../../src/crosscheck/index.js'
import { fidelityVerdict } from '../../src/crosscheck/verdict.js'

const figures = (p50Ms: number, p99Ms: number, coverage = 1) => ({ p50Ms, p99Ms, maxMs: p99Ms, coverage })
const result = (over: Partial<CrossCheckResult> = {}): CrossCheckResult => ({
  simulated: figures(40, 60),
  real: figures(55, 90),
  hops: { simulated: { p50: 2, p99: 3, max: 3 }, real: { p50: 2, p99: 4, max: 4 } },
  relativeError: { p50: 0.27, p99: 0.33 },
  hopOverheadMs: 2,
  calibrated: figures(44, 66),
  calibratedError: { p50: 0.2, p99: 0.27 },
  ...over,
})
const failed = (r: CrossCheckResult) =>
  fidelityVerdict(r)
    .checks.filter((c) => c.pass === false)
    .map((c) => c.figure)

describe('fidelity verdict', () => {
  it('passes when hops agree within one and the real median is within 1-3x the model', () => {
    expect(fidelityVerdict(result()).pass).toBe(true)
    expect(failed(result())).toEqual([])
  })

  it('fails the figure that is out: two hops apart, a real median below the model or past 3x, lost offers', () => {
    const hops = { simulated: { p50: 2, p99: 3, max: 3 }, real: { p50: 4, p99: 5, max: 5 } }
    expect(failed(result({ hops }))).toEqual(['delivery hops p50', 'delivery hops p99'])
    expect(failed(result({ real: figures(30, 90) }))).toEqual(['spread p50 ms'])
    expect(failed(result({ real: figures(121, 200) }))).toEqual(['spread p50 ms'])
    expect(failed(result({ real: figures(55, 90, 0.9) }))).toEqual(['coverage'])
    expect(fidelityVerdict(result({ hops })).pass).toBe(false)
  })

  it('reports the hop-calibrated milliseconds without gating them', () => {
    const far = fidelityVerdict(result({ calibrated: figures(5, 6) }))
    expect(far.pass).toBe(true)
    expect(far.checks.filter((c) => c.tolerance === 'reported').map((c) => c.pass)).toEqual([
      undefined,
      undefined,
    ])
  })
})
