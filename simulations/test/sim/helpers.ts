import { parseScenario } from '../../src/scenario/load.js'
import type { Scenario } from '../../src/scenario/types.js'

/** A small scenario (CI-cheap): 200 peers, 2 simulated minutes, with overrides merged one level deep. */
export function small(overrides: Record<string, unknown> = {}): Scenario {
  return parseScenario(smallSpec(overrides))
}

/** The scenario file behind {@link small}: JSON as a researcher writes it, before validation. */
export function smallSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    name: 'small',
    durationMs: 120_000,
    peers: { count: 200, providerFraction: 0.1 },
    crypto: { mode: 'real' },
    jobs: { total: 1500, rankRefreshMs: 500 },
    dht: { lookups: 50 },
    gossip: { samples: 4, observers: 3 },
    output: { bucketMs: 10_000, priceSamples: 200 },
    providers: [{ strategy: { type: 'fixed', price: 200000 }, maxConcurrency: 4, share: 1 }],
  }
  const merged: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(overrides)) {
    const b = base[k]
    merged[k] =
      b !== undefined &&
      typeof b === 'object' &&
      !Array.isArray(b) &&
      typeof v === 'object' &&
      !Array.isArray(v)
        ? { ...(b as object), ...(v as object) }
        : v
  }
  return merged
}
