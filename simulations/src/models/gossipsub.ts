import { EventQueue, type PoppedEvent } from '../engine/event-queue.js'
import { IndexedHeap } from '../engine/indexed-heap.js'
import type { Rng } from '../engine/prng.js'
import { baseLatency, type LatencyModel, oneWay } from '../network/latency.js'
import type { PeerTable } from '../network/peers.js'

/**
 * A model of gossipsub v1.1 propagation on one topic (not the real router).
 *
 * - The mesh is a random graph of average degree `D` (each peer grafts D/2
 *   random peers, links are bidirectional), standing in for the D_lo..D_hi
 *   band the heartbeat maintains.
 * - Flood publishing (gossipsub `floodPublish`, on in Cocoon): the origin
 *   sends its own message to every topic peer it is connected to, not only
 *   to its mesh: its mesh peers and random others, `floodPeers` in all.
 * - Eager push: a peer that first receives a message forwards it to all its
 *   mesh peers after one one-way delay on each link (with jitter and loss).
 * - A peer's copies leave one after another through its upload: the k-th
 *   (mesh peers first, then the flooded ones) departs k × `messageBytes` ×
 *   8 / its bandwidth after the first, so a big flood from a slow uplink
 *   reaches its last targets late, and mesh copies can overtake it.
 * - Lazy pull: at each of its next `historyGossip` heartbeats (every
 *   `heartbeatMs`, with a random per-peer phase) a peer holding the message
 *   sends IHAVE to `Dlazy` random peers; one that still lacks it replies
 *   IWANT and gets the message: 3 one-way delays after the heartbeat.
 * - Offline peers neither receive nor forward. A message that fails
 *   validation at a peer (the relay decision) is not forwarded by it.
 *
 * - The mesh is rebuilt over the online peers every `refreshMs` of simulated
 *   time (the heartbeats' repair after churn, at that granularity).
 *
 * Not modelled: peer scoring, PRUNE/GRAFT dynamics during the message's
 * flight, per-peer queues.
 */
export interface Mesh {
  readonly offsets: Int32Array
  readonly edges: Int32Array
  /** Heartbeat phase of each peer, ms in [0, heartbeatMs). */
  readonly phase: Float32Array
}

export interface GossipParameters {
  D: number
  Dlazy: number
  heartbeatMs: number
  historyGossip: number
  /** Topic peers an origin is connected to and floods its own message to (0: its mesh alone). */
  floodPeers: number
}

/**
 * A random mesh over `count` peers. With `online`, only the peers marked 1
 * there take part (the mesh the heartbeats have repaired after churn: no
 * link to a peer that is gone); without it, all of them.
 */
export function buildMesh(count: number, params: GossipParameters, rng: Rng, online?: Uint8Array): Mesh {
  const half = Math.max(1, Math.round(params.D / 2))
  const members = meshMembers(count, online)
  const n = members.length
  const degree = new Int32Array(count)
  const from = new Int32Array(n * half)
  const to = new Int32Array(n * half)
  let m = 0
  for (let k = 0; k < n && n > 1; k++) {
    const i = members[k] as number
    for (let j = 0; j < half; j++) {
      let pick = rng.int(n - 1)
      if (pick >= k) pick++
      const peer = members[pick] as number
      from[m] = i
      to[m] = peer
      m++
      degree[i] = (degree[i] as number) + 1
      degree[peer] = (degree[peer] as number) + 1
    }
  }
  const offsets = new Int32Array(count + 1)
  for (let i = 0; i < count; i++) offsets[i + 1] = (offsets[i] as number) + (degree[i] as number)
  const fill = offsets.slice(0, count)
  const edges = new Int32Array(offsets[count] as number)
  for (let e = 0; e < m; e++) {
    const a = from[e] as number
    const b = to[e] as number
    edges[fill[a] as number] = b
    fill[a] = (fill[a] as number) + 1
    edges[fill[b] as number] = a
    fill[b] = (fill[b] as number) + 1
  }
  const phase = new Float32Array(count)
  for (let i = 0; i < count; i++) phase[i] = rng.next() * params.heartbeatMs
  return { offsets, edges, phase }
}

/** The topic peers beyond its mesh that an origin floods: random others, up to `floodPeers` with the mesh. */
function floodTargets(mesh: Mesh, n: number, origin: number, floodPeers: number, rng: Rng): Set<number> {
  const own = new Set(mesh.edges.subarray(mesh.offsets[origin] as number, mesh.offsets[origin + 1] as number))
  const extra = new Set<number>()
  const want = Math.min(floodPeers, n - 1) - own.size
  for (let tries = 0; extra.size < want && tries < 4 * want; tries++) {
    const v = rng.int(n)
    if (v !== origin && !own.has(v)) extra.add(v)
  }
  return extra
}

/** The peers that take part in a mesh, in index order. */
function meshMembers(count: number, online: Uint8Array | undefined): Int32Array {
  if (online === undefined) return Int32Array.from({ length: count }, (_, i) => i)
  let n = 0
  for (let i = 0; i < count; i++) if (online[i] === 1) n++
  const members = new Int32Array(n)
  let k = 0
  for (let i = 0; i < count; i++) if (online[i] === 1) members[k++] = i
  return members
}

export interface Propagation {
  /** ms after publication at which each peer first holds the message; Infinity if never. */
  readonly arrival: Float32Array
  /** Copies sent on mesh links (including duplicates). */
  readonly meshSends: number
  /** Messages fetched through IHAVE/IWANT. */
  readonly pulled: number
  /** Hops of the copy that reached each peer first (0 at the origin; meaningless where never reached). */
  readonly hops: Uint16Array
}

export interface PropagateOptions {
  /** False when every honest peer's validator rejects it: the origin's peers receive it but do not forward it (gossipsub REJECT). */
  valid?: boolean
  /** Encoded size of the message, bytes (default 0: copies leave at once). */
  messageBytes?: number
}

/**
 * Spreads one message from `origin`: Dijkstra over the mesh and the lazy
 * pulls, where each peer keeps only its earliest copy on the way (a later
 * one would be a duplicate it drops), so each peer is settled once. A
 * holder's IHAVEs are drawn when its heartbeat comes, by which time most
 * peers hold the message; once every online peer does, nothing is left to do.
 */
export function propagate(
  mesh: Mesh,
  peers: PeerTable,
  latency: LatencyModel,
  params: GossipParameters,
  rng: Rng,
  origin: number,
  options: PropagateOptions = {},
): Propagation {
  const valid = options.valid ?? true
  const bits = (options.messageBytes ?? 0) * 8
  const n = peers.count
  const arrival = new Float32Array(n).fill(Number.POSITIVE_INFINITY)
  const done = new Uint8Array(n)
  const hops = new Uint16Array(n)
  // who sent each peer its earliest copy so far, and whether that copy is a pull
  const sender = new Int32Array(n).fill(-1)
  const viaPull = new Uint8Array(n)
  const heap = new IndexedHeap(n)
  const best = heap.time
  // heartbeats of holders still to send IHAVE: (time, holder, heartbeats left)
  const heartbeats = new EventQueue(1024)
  const beat: PoppedEvent = { time: 0, kind: 0, a: 0, b: 0 }
  let online = 0
  for (let i = 0; i < n; i++) if (peers.online[i] === 1) online++
  let settled = 0
  let meshSends = 0
  let pulled = 0
  heap.offer(origin, 0)
  while (settled < online) {
    const u = heap.peek()
    if (heartbeats.peekTime() < (u < 0 ? Number.POSITIVE_INFINITY : (best[u] as number))) {
      heartbeats.pop(beat)
      pull(beat.a, beat.time)
      if (beat.b > 1) heartbeats.push(beat.time + params.heartbeatMs, 0, beat.a, beat.b - 1)
      continue
    }
    if (u < 0) break
    heap.pop()
    const now = best[u] as number
    done[u] = 1
    // the origin may have gone offline after publishing; only online peers are waited for
    if (peers.online[u] === 1) settled++
    arrival[u] = now
    const from = sender[u] as number
    if (from >= 0) hops[u] = (hops[from] as number) + 1
    if (viaPull[u] === 1) pulled++
    if (!valid && u !== origin) continue
    const ru = peers.region[u] as number
    // ms one copy takes through u's upload (bandwidth in Mbit/s = bits per µs)
    const copyMs = bits === 0 ? 0 : bits / ((peers.bandwidth[u] as number) * 1000)
    let copies = 0
    const send = (v: number): void => {
      meshSends++
      const departs = now + copyMs * copies++
      if (done[v] === 1 || peers.online[v] !== 1) return
      if (latency.loss > 0 && rng.chance(latency.loss)) return
      if (heap.offer(v, departs + oneWay(latency, rng, ru, peers.region[v] as number))) {
        sender[v] = u
        viaPull[v] = 0
      }
    }
    for (let e = mesh.offsets[u] as number; e < (mesh.offsets[u + 1] as number); e++) {
      const v = mesh.edges[e] as number
      if (v !== from) send(v)
    }
    if (u === origin) for (const v of floodTargets(mesh, n, origin, params.floodPeers, rng)) send(v)
    if (valid && params.Dlazy > 0 && params.historyGossip > 0) {
      const phase = mesh.phase[u] as number
      let hb = Math.ceil((now - phase) / params.heartbeatMs) * params.heartbeatMs + phase
      if (hb <= now) hb += params.heartbeatMs
      heartbeats.push(hb, 0, u, params.historyGossip)
    }
  }
  return { arrival, meshSends, pulled, hops }

  /** u's IHAVE at heartbeat `hb`, each answered by IWANT and the message. */
  function pull(u: number, hb: number): void {
    const ru = peers.region[u] as number
    for (let k = 0; k < params.Dlazy; k++) {
      const v = rng.int(n)
      if (v === u || done[v] === 1 || peers.online[v] !== 1) continue
      if (latency.loss > 0 && rng.chance(latency.loss)) continue
      const rv = peers.region[v] as number
      // jitter only adds delay, so the base latencies bound the pull from below: one that
      // cannot beat the copy already on its way is left out before any jitter is drawn
      const least = hb + 2 * baseLatency(latency, ru, rv) + baseLatency(latency, rv, ru)
      if (!(least < (best[v] as number))) continue
      const t =
        hb + oneWay(latency, rng, ru, rv) + oneWay(latency, rng, rv, ru) + oneWay(latency, rng, ru, rv)
      if (heap.offer(v, t)) {
        sender[v] = u
        viaPull[v] = 1
      }
    }
  }
}
