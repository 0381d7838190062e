import { EventQueue, type PoppedEvent } from '../engine/event-queue.js'
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
 * - Bucket upkeep as kad-dht 16 does it: every `refreshMs` (its
 *   TABLE_REFRESH_INTERVAL, at a phase of each peer's own) a peer's refresh
 *   walks bring it new contacts; a full bucket then pings its old contacts
 *   and evicts the dead ones, so a full bucket holds `k` of the servers that
 *   were online at the peer's last refresh. A bucket that is not full keeps
 *   every server of its range, dead ones too (kad-dht pings only to make
 *   room). A contact that went offline since the last refresh is stale and
 *   querying it costs a timeout; one that joined since is not yet in full
 *   buckets. `refreshMs` 0: tables never change (every server, online or not).
 * - Lookups as kad-dht 16 runs them (`query/manager.ts`, `query-path.ts`):
 *   the k closest peers of our own table are dealt round-robin onto
 *   `disjointPaths` paths; each path keeps up to `alpha` queries in flight,
 *   nearest first, with no round barrier; a peer is queried at most once
 *   over all paths; an answer's peers join its path only when closer to the
 *   target than the peer that named them and able to enter the path's k
 *   closest answered; a path ends when nothing it holds can still enter
 *   them, the lookup when every path has ended.
 *   `hops` is the length of the referral chain that led to the closest peer
 *   found (1 = it was in our own table); `rounds` the longest such chain
 *   queried; `ms` the time from the first query to the last answer (or
 *   timeout).
 */
export interface Dht {
  /** Sorted server keys and the peer that holds each. */
  readonly keys: Uint32Array
  readonly peerOf: Int32Array
  /** Key of every peer (clients too, used as lookup targets). */
  readonly keyOfPeer: Uint32Array
  readonly k: number
  readonly alpha: number
  readonly disjointPaths: number
  readonly timeoutMs: number
  readonly refreshMs: number
}

export interface DhtParameters {
  k: number
  alpha: number
  disjointPaths: number
  timeoutMs: number
  refreshMs: number
}

/** Tables as read at one moment: who is online now, since when, and the time. */
export interface DhtView {
  readonly dht: Dht
  readonly peers: PeerTable
  readonly now: number
}

export function buildDht(peers: PeerTable, rng: Rng, params: DhtParameters): Dht {
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
  return { keys, peerOf, keyOfPeer, ...params }
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

/** When `self` last refreshed its table at or before `now`: every `refreshMs`, at a phase of its own. */
function lastRefresh(dht: Dht, self: number, now: number): number {
  const phase = (Math.imul(self + 1, 0x2c1b3c6d) >>> 0) % dht.refreshMs
  return Math.max(0, now - ((now + phase) % dht.refreshMs))
}

/**
 * Whether server `i` survived `self`'s last refresh in a full bucket: online
 * then (online since before it, or gone offline after it).
 */
function keptAtRefresh(view: DhtView, i: number, refreshedAt: number): boolean {
  const peer = view.dht.peerOf[i] as number
  return (view.peers.online[peer] === 1) === (view.peers.since[peer] as number) <= refreshedAt
}

/** The entries of `self`'s bucket `b` (indices into dht.keys): up to k servers of that range. */
function bucket(view: DhtView, self: number, b: number): number[] {
  const { dht } = view
  const key = dht.keyOfPeer[self] as number
  const span = 2 ** b
  const start = Math.floor(((key ^ span) >>> 0) / span) * span
  const lo = lowerBound(dht.keys, start)
  const hi = lowerBound(dht.keys, start + span)
  const count = hi - lo
  const out: number[] = []
  if (count <= 0) return out
  if (count <= dht.k) {
    for (let i = lo; i < hi; i++) if (dht.peerOf[i] !== self) out.push(i)
    return out
  }
  const off = Math.imul(self + 1, 0x9e3779b1) ^ (b * 0x85ebca6b)
  const stride = count / dht.k
  const refreshedAt = dht.refreshMs > 0 ? lastRefresh(dht, self, view.now) : -1
  const picked = pickMarks(dht.keys.length)
  // deterministic spread over the range, offset by a hash of (self, bucket); a pick
  // evicted at the last refresh moves on to the next survivor of the range
  for (let j = 0; j < dht.k; j++) {
    let at = (Math.floor(j * stride) + (off >>> 0)) % count
    for (let tries = 0; tries < count; tries++, at = (at + 1) % count) {
      const i = lo + at
      if (picked.marks[i] === picked.stamp || (refreshedAt >= 0 && !keptAtRefresh(view, i, refreshedAt)))
        continue
      picked.marks[i] = picked.stamp
      if (dht.peerOf[i] !== self) out.push(i)
      break
    }
  }
  return out
}

/**
 * The servers one bucket read has picked: `marks[i] === stamp`. A new stamp
 * per read clears the set in O(1); lookups read thousands of buckets, so
 * this is the hot path of the DHT model.
 */
const picks = { marks: new Int32Array(0), stamp: 0 }

function pickMarks(servers: number): typeof picks {
  if (picks.marks.length < servers || picks.stamp === 0x7fffffff) {
    picks.marks = new Int32Array(Math.max(servers, picks.marks.length))
    picks.stamp = 0
  }
  picks.stamp++
  return picks
}

/** The peers in `self`'s routing table (indices into dht.keys). */
export function routingTable(view: DhtView, self: number): number[] {
  const out: number[] = []
  for (let b = 31; b >= 0; b--) out.push(...bucket(view, self, b))
  return out
}

/**
 * The `count` entries of `self`'s table closest to `target`, reading only
 * the buckets that can hold them, nearest bucket first (see `bucketOrder`).
 * Equal to `closest(routingTable(self))`, at a fraction of the cost.
 */
export function closestInTable(view: DhtView, self: number, target: number, count: number): number[] {
  const { dht } = view
  const out: number[] = []
  for (const b of bucketOrder(((dht.keyOfPeer[self] as number) ^ target) >>> 0)) {
    if (out.length >= count) break
    out.push(...closest(dht, bucket(view, self, b), target, count - out.length))
  }
  return out
}

/**
 * Bucket numbers ordered by their entries' XOR distance to a target that is
 * at distance `x` from self, so that every entry of a bucket is nearer than
 * any entry of a later one. The target's own bucket (x's top bit) comes
 * first. Below it, an entry of bucket b and one of a lower bucket first
 * differ at bit b, where only the former flips x: bucket b is the nearer
 * when x has bit b set. Above it, a higher bucket is farther.
 */
function bucketOrder(x: number): number[] {
  const own = x === 0 ? -1 : 31 - Math.clz32(x)
  const order: number[] = own >= 0 ? [own] : []
  for (let b = own - 1; b >= 0; b--) if (((x >>> b) & 1) === 1) order.push(b)
  for (let b = 0; b < own; b++) if (((x >>> b) & 1) === 0) order.push(b)
  for (let b = own + 1; b < 32; b++) order.push(b)
  return order
}

/** The `count` candidates nearest `target`, nearest first (ties: lower index first). */
function closest(dht: Dht, candidates: readonly number[], target: number, count: number): number[] {
  const out: number[] = []
  const dist: number[] = []
  for (const i of candidates) {
    const d = distance(dht, i, target)
    let at = out.length
    while (at > 0 && ((dist[at - 1] as number) > d || (dist[at - 1] === d && (out[at - 1] as number) > i)))
      at--
    if (at >= count) continue
    out.splice(at, 0, i)
    dist.splice(at, 0, d)
    if (out.length > count) {
      out.length = count
      dist.length = count
    }
  }
  return out
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

/** XOR distance of server `i`'s key to `target`. */
function distance(dht: Dht, i: number, target: number): number {
  return ((dht.keys[i] as number) ^ target) >>> 0
}

/** One disjoint path: its queue (nearest first), queries in flight, and the k closest that answered. */
interface Path {
  queue: number[]
  running: number
  closest: number[]
}

/** Whether server `i` could still enter the path's k closest answered. */
function canAdd(dht: Dht, path: Path, i: number, target: number): boolean {
  if (path.closest.length < dht.k) return true
  return distance(dht, i, target) < distance(dht, path.closest[path.closest.length - 1] as number, target)
}

function insertByDistance(dht: Dht, list: number[], i: number, target: number, max: number): void {
  const d = distance(dht, i, target)
  let at = list.length
  while (at > 0 && distance(dht, list[at - 1] as number, target) > d) at--
  list.splice(at, 0, i)
  if (list.length > max) list.length = max
}

/** What a lookup's walk did: the hops at which each server was learned, who was queried, and the cost. */
interface Walk {
  depth: Map<number, number>
  queried: Set<number>
  queries: number
  timeouts: number
  ms: number
}

/** The disjoint paths of a lookup for `target` from peer `from`, run to their end on simulated time. */
function walkPaths(view: DhtView, latency: LatencyModel, rng: Rng, from: number, target: number): Walk {
  const { dht, peers } = view
  const walk: Walk = { depth: new Map(), queried: new Set(), queries: 0, timeouts: 0, ms: 0 }
  const start = closestInTable(view, from, target, dht.k)
  const paths: Path[] = Array.from(
    { length: Math.max(1, Math.min(dht.disjointPaths, start.length)) },
    () => ({
      queue: [],
      running: 0,
      closest: [],
    }),
  )
  start.forEach((i, n) => {
    walk.depth.set(i, 1)
    ;(paths[n % paths.length] as Path).queue.push(i)
  })
  const inFlight = new EventQueue(64)
  const rf = peers.region[from] as number
  const pump = (p: number, now: number): void => {
    const path = paths[p] as Path
    while (path.running < dht.alpha && path.queue.length > 0) {
      const i = path.queue.shift() as number
      if (!canAdd(dht, path, i, target)) continue
      walk.queried.add(i)
      walk.queries++
      path.running++
      const peer = dht.peerOf[i] as number
      const online = peers.online[peer] === 1
      const took = online ? roundTrip(latency, rng, rf, peers.region[peer] as number) : dht.timeoutMs
      inFlight.push(now + took, p, i, online ? 1 : 0)
    }
  }
  paths.forEach((_, p) => {
    pump(p, 0)
  })
  const ev: PoppedEvent = { time: 0, kind: 0, a: 0, b: 0 }
  while (inFlight.pop(ev)) {
    const path = paths[ev.kind] as Path
    path.running--
    walk.ms = ev.time
    if (ev.b === 0) {
      walk.timeouts++
      walk.depth.delete(ev.a)
    } else answered(view, walk, path, ev.a, target)
    pump(ev.kind, ev.time)
  }
  return walk
}

/** Server `i` answered on `path`: it joins the path's closest, and the closer peers it names join its queue. */
function answered(view: DhtView, walk: Walk, path: Path, i: number, target: number): void {
  const { dht } = view
  insertByDistance(dht, path.closest, i, target, dht.k)
  const d = (walk.depth.get(i) ?? 1) + 1
  const own = distance(dht, i, target)
  for (const j of closestInTable(view, dht.peerOf[i] as number, target, dht.k)) {
    if (walk.depth.has(j) || walk.queried.has(j) || distance(dht, j, target) >= own) continue
    if (!canAdd(dht, path, j, target)) continue
    walk.depth.set(j, d)
    insertByDistance(dht, path.queue, j, target, Number.POSITIVE_INFINITY)
  }
}

/** Ground truth: the distance of the closest online server to `target` (Infinity when none is near). */
function closestOnlineDistance(dht: Dht, peers: PeerTable, target: number): number {
  let best = Number.POSITIVE_INFINITY
  const at = lowerBound(dht.keys, target)
  for (let w = 0; w < 64; w++) {
    for (const i of [at + w, at - 1 - w]) {
      if (i < 0 || i >= dht.keys.length || peers.online[dht.peerOf[i] as number] !== 1) continue
      best = Math.min(best, distance(dht, i, target))
    }
  }
  return best
}

/**
 * A lookup for `target` (a key) started by peer `from` at `view.now`, as
 * kad-dht runs it (see the module comment).
 */
export function lookup(
  view: DhtView,
  latency: LatencyModel,
  rng: Rng,
  from: number,
  target: number,
): LookupResult {
  const { dht, peers } = view
  const walk = walkPaths(view, latency, rng, from, target)
  const [best] = closest(
    dht,
    [...walk.depth.keys()].filter((i) => walk.queried.has(i)),
    target,
    1,
  )
  return {
    hops: best === undefined ? 0 : (walk.depth.get(best) ?? 0),
    rounds: Math.max(0, ...[...walk.queried].map((i) => walk.depth.get(i) ?? 0)),
    queries: walk.queries,
    timeouts: walk.timeouts,
    ms: walk.ms,
    found: best !== undefined && distance(dht, best, target) <= closestOnlineDistance(dht, peers, target),
  }
}
