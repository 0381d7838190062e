import { pickWeighted, type Rng } from '../engine/prng.js'

/**
 * The peer table: one row per peer in typed arrays (region, NAT, upload
 * bandwidth, online flag, role), so 100k peers cost a few MB.
 */
export const ROLE_CLIENT = 0
export const ROLE_PROVIDER = 1
export const ROLE_RELAY = 2
export const ROLE_ADVERSARY = 3

export interface PeerTable {
  readonly count: number
  readonly region: Uint8Array
  /** 1 when the peer is behind NAT and can only be dialled through a relay. */
  readonly nat: Uint8Array
  readonly online: Uint8Array
  /** Simulated ms since which the peer has been in its current online state. */
  readonly since: Float64Array
  readonly role: Uint8Array
  /** Upload bandwidth, Mbit/s. */
  readonly bandwidth: Float32Array
  /** For NATed peers, the relay peer they hold a reservation on; -1 otherwise. */
  readonly relayOf: Int32Array
}

export interface PeerTableParameters {
  count: number
  regionWeights: readonly number[]
  natFraction: number
  bandwidthMedianMbps: number
  bandwidthSigma: number
}

export function createPeerTable(params: PeerTableParameters, rng: Rng): PeerTable {
  const { count } = params
  const table: PeerTable = {
    count,
    region: new Uint8Array(count),
    nat: new Uint8Array(count),
    online: new Uint8Array(count).fill(1),
    since: new Float64Array(count),
    role: new Uint8Array(count),
    bandwidth: new Float32Array(count),
    relayOf: new Int32Array(count).fill(-1),
  }
  for (let i = 0; i < count; i++) {
    table.region[i] = pickWeighted(params.regionWeights, rng)
    table.nat[i] = rng.chance(params.natFraction) ? 1 : 0
    table.bandwidth[i] = rng.lognormal(params.bandwidthMedianMbps, params.bandwidthSigma)
  }
  return table
}
