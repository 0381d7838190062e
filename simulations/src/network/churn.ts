import type { Rng } from '../engine/prng.js'

/**
 * Peer churn: each churning peer alternates online sessions and offline
 * gaps. Session lengths follow the chosen distribution (measurement studies of
 * P2P networks find heavy tails, hence lognormal/Weibull/Pareto besides the
 * memoryless exponential); offline gaps are exponential, and new peers join
 * at the rate implied by sessions ending (a steady state population).
 */
export type SessionDistribution =
  | { type: 'exponential'; meanMs: number }
  | { type: 'lognormal'; medianMs: number; sigma: number }
  | { type: 'weibull'; scaleMs: number; shape: number }
  | { type: 'pareto'; minMs: number; alpha: number }

export function sessionLength(dist: SessionDistribution, rng: Rng): number {
  switch (dist.type) {
    case 'exponential':
      return rng.exp(dist.meanMs)
    case 'lognormal':
      return rng.lognormal(dist.medianMs, dist.sigma)
    case 'weibull':
      return rng.weibull(dist.scaleMs, dist.shape)
    case 'pareto':
      return rng.pareto(dist.minMs, dist.alpha)
  }
}

/** Mean session length of a distribution, ms (for the steady-state online fraction). */
export function meanSession(dist: SessionDistribution): number {
  switch (dist.type) {
    case 'exponential':
      return dist.meanMs
    case 'lognormal':
      return dist.medianMs * Math.exp((dist.sigma * dist.sigma) / 2)
    case 'weibull':
      return dist.scaleMs * gamma(1 + 1 / dist.shape)
    case 'pareto':
      return dist.alpha > 1 ? (dist.alpha * dist.minMs) / (dist.alpha - 1) : Number.POSITIVE_INFINITY
  }
}

/** Long-run fraction of time a churning peer is online. */
export function onlineFraction(dist: SessionDistribution, offlineMeanMs: number): number {
  const on = meanSession(dist)
  return on === Number.POSITIVE_INFINITY ? 1 : on / (on + offlineMeanMs)
}

// Lanczos approximation, enough for Weibull means
function gamma(z: number): number {
  if (z < 0.5) return Math.PI / (Math.sin(Math.PI * z) * gamma(1 - z))
  const g = 7
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ]
  const x = z - 1
  let a = c[0] as number
  const t = x + g + 0.5
  for (let i = 1; i < g + 2; i++) a += (c[i] as number) / (x + i)
  return Math.sqrt(2 * Math.PI) * t ** (x + 0.5) * Math.exp(-t) * a
}
