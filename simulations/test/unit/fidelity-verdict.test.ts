import { describe, expect, it } from 'vitest'
import type { CrossCheckResult } from '../../src/crosscheck/index.js'
import { fidelityVerdict } from '../../src/crosscheck/verdict.js'

const figures = (p50Ms: number, p99Ms: number, coverage = 1) => ({ p50Ms, p99Ms, maxMs: p99Ms, coverage })
const hopsOf = (p50: number, p99: number) => ({ p50, p99, max: p99 })
const lookups = (p50: number, p99: number, lookups = 20) => ({
  lookups,
  hops: hopsOf(p50, p99),
  p50Ms: 80,
  p99Ms: 120,
  queryMs: 40,
})
const degrees = (p50: number) => ({ min: 4, p50, max: 8, mean: p50 })
const result = (over: Partial<CrossCheckResult> = {}): CrossCheckResult => ({
  simulated: figures(40, 60),
  real: figures(55, 90),
  hops: { simulated: hopsOf(2, 3), calibrated: hopsOf(2, 3), real: hopsOf(2, 4) },
  relativeError: { p50: 0.27, p99: 0.33 },
  meshDegree: { simulated: degrees(5), real: degrees(5) },
  hopOverheadMs: 2,
  calibrated: figures(44, 66),
  calibratedError: { p50: 0.2, p99: 0.27 },
  dht: { simulated: lookups(1, 2), calibrated: lookups(1, 2), real: lookups(2, 3) },
  ...over,
})
const failed = (r: CrossCheckResult) =>
  fidelityVerdict(r)
    .checks.filter((c) => c.pass === false)
    .map((c) => c.figure)

describe('fidelity verdict', () => {
  it('passes when hops agree within one and the real median is within 2x of the calibrated model', () => {
    expect(fidelityVerdict(result()).pass).toBe(true)
    expect(failed(result())).toEqual([])
  })

  it('fails the figure that is out: hops two apart from the calibrated model, a median past 2x either way, lost offers', () => {
    const hops = { simulated: hopsOf(2, 3), calibrated: hopsOf(2, 3), real: hopsOf(4, 5) }
    expect(failed(result({ hops }))).toEqual(['delivery hops p50'])
    expect(failed(result({ real: figures(21, 90) }))).toEqual(['spread p50 ms, hop-calibrated'])
    expect(failed(result({ real: figures(89, 200) }))).toEqual(['spread p50 ms, hop-calibrated'])
    expect(failed(result({ real: figures(55, 90, 0.9) }))).toEqual(['coverage'])
    expect(fidelityVerdict(result({ hops })).pass).toBe(false)
  })

  it('fails DHT lookups two hops apart, or lookups the real DHT did not finish', () => {
    const far = { simulated: lookups(1, 2), calibrated: lookups(1, 2), real: lookups(3, 4) }
    expect(failed(result({ dht: far }))).toEqual(['DHT lookup hops p50'])
    const lost = { simulated: lookups(1, 2), calibrated: lookups(1, 2), real: lookups(1, 2, 17) }
    expect(failed(result({ dht: lost }))).toEqual(['DHT lookups done'])
    // one lookup of twenty past its limit on a loaded machine is within the tolerance
    const slow = { simulated: lookups(1, 2), calibrated: lookups(1, 2), real: lookups(1, 2, 18) }
    expect(failed(result({ dht: slow }))).toEqual([])
  })

  it('reports the figures it does not gate: milliseconds, long chains, mesh degree', () => {
    const reported = fidelityVerdict(result()).checks.filter((c) => c.tolerance === 'reported')
    expect(reported.map((c) => c.figure)).toEqual([
      'delivery hops p99',
      'mesh degree p50',
      'mesh degree mean',
      'spread p99 ms, hop-calibrated',
      'spread p50 ms, links only',
      'DHT lookup hops p99',
      'DHT query ms (dial to answer)',
      'DHT lookup p50 ms, query-calibrated',
      'DHT lookup p99 ms, query-calibrated',
    ])
    expect(reported.every((c) => c.pass === undefined)).toBe(true)
  })
})
