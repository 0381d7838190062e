import type { Scenario } from './types.js'

/** The honest providers a run places: `peers.providerFraction` of the peers, at least one. */
export function honestProviderCount(scenario: Scenario): number {
  return Math.max(1, Math.round(scenario.peers.count * scenario.peers.providerFraction))
}
