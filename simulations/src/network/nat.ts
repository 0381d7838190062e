import type { Rng } from '../engine/prng.js'
import { type LatencyModel, oneWay, transferMs } from './latency.js'
import { type PeerTable, ROLE_RELAY } from './peers.js'

/**
 * NAT traversal: a NATed peer cannot be dialled directly. It holds a
 * reservation on a public relay (circuit relay v2), and every connection to
 * it goes client → relay → peer, so it pays both legs of latency and the
 * relay's bandwidth limit. Hole punching (DCUtR) is not modelled: a NATed
 * peer stays relayed for the whole job, which is the pessimistic case.
 */
export function assignRelays(peers: PeerTable, relayCount: number, rng: Rng): Int32Array {
  const publics: number[] = []
  for (let i = 0; i < peers.count; i++) if (peers.nat[i] === 0) publics.push(i)
  const relays = new Int32Array(Math.min(relayCount, publics.length))
  for (let r = 0; r < relays.length; r++) {
    const pick = r + rng.int(publics.length - r)
    const tmp = publics[r] as number
    publics[r] = publics[pick] as number
    publics[pick] = tmp
    relays[r] = publics[r] as number
    peers.role[relays[r] as number] = ROLE_RELAY
  }
  // a NATed peer reserves a slot on a relay in its own region when there is one
  const byRegion = new Map<number, number[]>()
  for (const relay of relays) {
    const region = peers.region[relay] as number
    const list = byRegion.get(region) ?? []
    list.push(relay)
    byRegion.set(region, list)
  }
  for (let i = 0; i < peers.count; i++) {
    if (peers.nat[i] !== 1 || relays.length === 0) continue
    const local = byRegion.get(peers.region[i] as number)
    peers.relayOf[i] =
      local !== undefined && local.length > 0
        ? (local[rng.int(local.length)] as number)
        : (relays[rng.int(relays.length)] as number)
  }
  return relays
}

/** Whether `to` can be reached at all: public, or NATed with an online relay. */
export function reachable(peers: PeerTable, to: number): boolean {
  if (peers.online[to] !== 1) return false
  if (peers.nat[to] === 0) return true
  const relay = peers.relayOf[to] as number
  return relay >= 0 && peers.online[relay] === 1
}

/** One-way delay from `from` to `to`, through the relay when `to` is NATed. */
export function pathOneWay(
  model: LatencyModel,
  peers: PeerTable,
  rng: Rng,
  from: number,
  to: number,
): number {
  const rf = peers.region[from] as number
  const rt = peers.region[to] as number
  if (peers.nat[to] === 0) return oneWay(model, rng, rf, rt)
  const relay = peers.relayOf[to] as number
  const rr = relay >= 0 ? (peers.region[relay] as number) : rt
  return oneWay(model, rng, rf, rr) + oneWay(model, rng, rr, rt)
}

/** Bandwidth available for a stream from `from` to `to`, Mbit/s: the slowest hop. */
export function pathBandwidth(peers: PeerTable, from: number, to: number, relayLimitMbps: number): number {
  const direct = Math.min(peers.bandwidth[from] as number, peers.bandwidth[to] as number)
  return peers.nat[to] === 1 || peers.nat[from] === 1 ? Math.min(direct, relayLimitMbps) : direct
}

/** Time to stream `bytes` between two peers, relays included, ms. */
export function pathTransferMs(
  peers: PeerTable,
  from: number,
  to: number,
  bytes: number,
  relayLimitMbps: number,
): number {
  return transferMs(bytes, pathBandwidth(peers, from, to, relayLimitMbps))
}
