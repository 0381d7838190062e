/**
 * The run's distributions as cumulative curves for the report: offer spread,
 * DHT lookup time and price paid, each as at most CDF_POINTS + 1 points
 * (value, share of samples at or below it), so the report stays small
 * whatever the run's size.
 */

import { quantiles, round6 } from './stats.js'
import { paidPrices } from './summary.js'
import type { World } from './world.js'

export const CDF_POINTS = 100

/** `[value, cumulative share]` pairs, by rising value; empty without samples. */
export type Cdf = Array<[number, number]>

export interface Distributions {
  /** ms from publication to arrival, pooled over all peers sampled. */
  spreadMs: Cdf
  /** Simulated ms of each sampled DHT lookup. */
  lookupMs: Cdf
  /** nanoTON per 1000 completion tokens of each finished job. */
  pricePerK: Cdf
}

export function cdf(values: ArrayLike<number>): Cdf {
  if (values.length === 0) return []
  const qs = Array.from({ length: CDF_POINTS + 1 }, (_, i) => i / CDF_POINTS)
  return quantiles(values, qs).map((v, i) => [round6(v), qs[i] as number])
}

export function distributions(world: World): Distributions {
  return {
    spreadMs: cdf(world.metrics.propagation),
    lookupMs: cdf(world.metrics.dhtMs),
    pricePerK: cdf(paidPrices(world)),
  }
}
