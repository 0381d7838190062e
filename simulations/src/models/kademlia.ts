import type { Rng } from '../engine/prng.js'
import { type LatencyModel, roundTrip } from '../network/latency.js'
import type { PeerTable } from '../network/peers.js'

/**
 * A model of Kademlia routing (not the real @libp2p/kad-dht).
 *
 * - Keys are 32-bit (the top bits of the real 256-bit keys): at 100k DHT
 *   servers only the top ~17 bits decide bucket membership, so the routing
 *   structure is the same.
 * - Only public peers are DHT servers; NATed peers are clients (as in
 *   js-libp2p, which runs the DHT in client mode without a public address).
 * - A server's bucket b (peers whose XOR distance has its top set bit at b)
 *   holds up to `k` peers of that range, picked deterministically. Tables are
 *   not stored: bucket b is a contiguous range of the sorted key array, so a
 *   table costs nothing until it is read.
 * - Offline entries stay in tables (stale contacts); querying one costs a
 *   timeout in that round.
 * - Iterative lookup with parallelism `alpha`: query the alpha closest
 *   unqueried peers of the shortlist; each answers with the k closest it knows
 *   to the target; stop when the k closest known have all answered.
 *   `hops` is the length of the referral chain that led to the closest peer
 *   found (1 = it was in our own table); `rounds` the number of alpha-rounds;
 *   `ms` the sum of each round's slowest answer (or the timeout).
 */
export interface Dht {
  /** Sorted server keys and the peer that holds each. */
  readonly keys: Uint32Array
  readonly peerOf: Int32Array
  /** Key of every peer (clients too, used as lookup targets). */
  readonly keyOfPeer: Uint32Array
  readonly k: number
  readonly alpha: number
  readonly timeoutMs: number
}

export function buildDht(peers: PeerTable, rng: Rng, k: number, alpha: number, timeoutMs: number): Dht {
  const keyOfPeer = new Uint32Array(peers.count)
  for (let i = 0; i < peers.count; i++) keyOfPeer[i] = rng.nextU32()
  const servers: number[] = []
  for (let i = 0; i < peers.count; i++) if (peers.nat[i] === 0) servers.push(i)
  servers.sort((a, b) => (keyOfPeer[a] as number) - (keyOfPeer[b] as number) || a - b)
  const keys = new Uint32Array(servers.length)
  const peerOf = new Int32Array(servers.length)
  servers.forEach((p, i) => {
    keys[i] = keyOfPeer[p] as number
    peerOf[i] = p
  })
  return { keys, peerOf, keyOfPeer, k, alpha, timeoutMs }
}

function lowerBound(keys: Uint32Array, key: number): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((keys[mid] as number) < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The peers in `self`'s routing table (indices into dht.keys). */
export function routingTable(dht: Dht, self: number): number[] {
  const key = dht.keyOfPeer[self] as number
  const out: number[] = []
  for (let b = 31; b >= 0; b--) {
    const span = 2 ** b
    const start = Math.floor(((key ^ span) >>> 0) / span) * span
    const lo = lowerBound(dht.keys, start)
    const hi = lowerBound(dht.keys, start + span)
    const count = hi - lo
    if (count <= 0) continue
    if (count <= dht.k) {
      for (let i = lo; i < hi; i++) if (dht.peerOf[i] !== self) out.push(i)
    } else {
      // deterministic spread over the range, offset by a hash of (self, bucket)
      const off = Math.imul(self + 1, 0x9e3779b1) ^ (b * 0x85ebca6b)
      const stride = count / dht.k
      for (let j = 0; j < dht.k; j++) {
        const i = lo + ((Math.floor(j * stride) + (off >>> 0)) % count)
        if (dht.peerOf[i] !== self) out.push(i)
      }
    }
  }
  return out
}

function closest(dht: Dht, candidates: number[], target: number, count: number): number[] {
  return candidates
    .map((i) => [i, ((dht.keys[i] as number) ^ target) >>> 0] as const)
    .sort((a, b) => a[1] - b[1] || a[0] - b[0])
    .slice(0, count)
    .map(([i]) => i)
}

export interface LookupResult {
  hops: number
  rounds: number
  queries: number
  timeouts: number
  ms: number
  /** True when the closest server found is the closest online server to the target. */
  found: boolean
}

/** An iterative lookup for `target` (a key) started by peer `from`. */
export function lookup(
  dht: Dht,
  peers: PeerTable,
  latency: LatencyModel,
  rng: Rng,
  from: number,
  target: number,
): LookupResult {
  const depth = new Map<number, number>()
  const queried = new Set<number>()
  for (const i of closest(dht, routingTable(dht, from), target, dht.k)) depth.set(i, 1)
  let rounds = 0
  let queries = 0
  let timeouts = 0
  let ms = 0
  const rf = peers.region[from] as number
  for (;;) {
    const known = closest(dht, [...depth.keys()], target, dht.k)
    const pending = known.filter((i) => !queried.has(i))
    if (pending.length === 0 || rounds >= 32) break
    const batch = pending.slice(0, dht.alpha)
    rounds++
    let slowest = 0
    for (const i of batch) {
      queried.add(i)
      queries++
      const p = dht.peerOf[i] as number
      if (peers.online[p] !== 1) {
        timeouts++
        slowest = Math.max(slowest, dht.timeoutMs)
        depth.delete(i)
        continue
      }
      slowest = Math.max(slowest, roundTrip(latency, rng, rf, peers.region[p] as number))
      const d = (depth.get(i) ?? 1) + 1
      for (const j of closest(dht, routingTable(dht, p), target, dht.k)) {
        if (!depth.has(j) && !queried.has(j)) depth.set(j, d)
      }
    }
    ms += slowest
  }
  const answered = closest(
    dht,
    [...depth.keys()].filter((i) => queried.has(i)),
    target,
    1,
  )
  const best = answered[0]
  // ground truth: the closest online server
  let truth = -1
  let truthDist = Number.POSITIVE_INFINITY
  const at = lowerBound(dht.keys, target)
  for (let w = 0; w < 64; w++) {
    for (const i of [at + w, at - 1 - w]) {
      if (i < 0 || i >= dht.keys.length || peers.online[dht.peerOf[i] as number] !== 1) continue
      const dist = ((dht.keys[i] as number) ^ target) >>> 0
      if (dist < truthDist) {
        truthDist = dist
        truth = i
      }
    }
  }
  return {
    hops: best === undefined ? 0 : (depth.get(best) ?? 0),
    rounds,
    queries,
    timeouts,
    ms,
    found: best !== undefined && (truth === -1 || ((dht.keys[best] as number) ^ target) >>> 0 <= truthDist),
  }
}
