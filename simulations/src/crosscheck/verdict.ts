/**
 * The cross-check's verdict: each figure compared with its tolerance. Gated
 * are the figures this machine's load cannot move (coverage, delivery hops)
 * and the bound on the median spread that follows from them (the real
 * median pays the same hops and link latency as the model, plus real work
 * per hop). The hop-calibrated milliseconds are reported beside them, not
 * gated: on two shared cores the work per hop varies with everything else
 * running, more than any tolerance worth stating.
 */
import type { CrossCheckResult } from './index.js'

export interface FidelityCheck {
  figure: string
  simulated: number
  real: number
  tolerance: string
  /** Undefined for a figure reported without a gate. */
  pass: boolean | undefined
}

export interface FidelityVerdict {
  pass: boolean
  checks: FidelityCheck[]
}

/** Delivery hops may differ by one: the real mesh is gossipsub's pick among the dialled links. */
export const HOP_TOLERANCE = 1
/** The real median spread is at least the model's and at most this many times it. */
export const SPREAD_P50_MAX_RATIO = 3

export function fidelityVerdict(result: CrossCheckResult): FidelityVerdict {
  const { simulated, real, hops, calibrated } = result
  const hopCheck = (figure: string, s: number, r: number): FidelityCheck => ({
    figure,
    simulated: s,
    real: r,
    tolerance: `±${HOP_TOLERANCE} hop`,
    pass: Math.abs(r - s) <= HOP_TOLERANCE,
  })
  const checks: FidelityCheck[] = [
    {
      figure: 'coverage',
      simulated: simulated.coverage,
      real: real.coverage,
      tolerance: 'both ≥ 0.99',
      pass: simulated.coverage >= 0.99 && real.coverage >= 0.99,
    },
    hopCheck('delivery hops p50', hops.simulated.p50, hops.real.p50),
    hopCheck('delivery hops p99', hops.simulated.p99, hops.real.p99),
    {
      figure: 'spread p50 ms',
      simulated: simulated.p50Ms,
      real: real.p50Ms,
      tolerance: `model ≤ real ≤ ${SPREAD_P50_MAX_RATIO}× model`,
      pass: real.p50Ms >= simulated.p50Ms && real.p50Ms <= SPREAD_P50_MAX_RATIO * simulated.p50Ms,
    },
    {
      figure: 'spread p50 ms, hop-calibrated',
      simulated: calibrated.p50Ms,
      real: real.p50Ms,
      tolerance: 'reported',
      pass: undefined,
    },
    {
      figure: 'spread p99 ms, hop-calibrated',
      simulated: calibrated.p99Ms,
      real: real.p99Ms,
      tolerance: 'reported',
      pass: undefined,
    },
  ]
  return { pass: checks.every((c) => c.pass !== false), checks }
}
