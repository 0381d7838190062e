import { EventQueue, type PoppedEvent } from '../engine/event-queue.js'
import { IndexedHeap } from '../engine/indexed-heap.js'
import type { Rng } from '../engine/prng.js'
import { baseLatency, type LatencyModel, oneWay } from '../network/latency.js'
import type { PeerTable } from '../network/peers.js'
import type { Overlay, OverlayParameters } from './overlay.js'

/**
 * A model of gossipsub v1.1 propagation on one topic (not the real router),
 * over an {@link Overlay}: the peers' connections and the mesh gossipsub's
 * rules keep over them.
 *
 * - Flood publishing (gossipsub `floodPublish`, on in Cocoon): the origin
 *   sends its own message to every topic peer it is connected to, not only
 *   to its mesh, and to random others up to `floodPeers` in all (a busy
 *   provider holds more connections than an ordinary peer).
 * - Eager push: a peer that first receives a message forwards it to all its
 *   mesh peers after one one-way delay on each link (with jitter and loss).
 * - A peer's copies leave one after another through its upload: the k-th
 *   (mesh peers first, then the flooded ones) departs k × `messageBytes` ×
 *   8 / its bandwidth after the first, so a big flood from a slow uplink
 *   reaches its last targets late, and mesh copies can overtake it.
 * - Lazy pull: at each of its next `historyGossip` heartbeats (every
 *   `heartbeatMs`, at the peer's phase) a peer holding the message sends
 *   IHAVE to random connected peers outside its mesh, max(`Dlazy`,
 *   `gossipFactor` × those peers) of them; one that still lacks it replies
 *   IWANT and gets the message: 3 one-way delays after the heartbeat.
 * - Offline peers neither receive nor forward. A message that fails
 *   validation at a peer (the relay decision) is not forwarded by it.
 *
 * Not modelled: peer scoring, PRUNE/GRAFT during the message's flight,
 * per-peer queues.
 */
export interface GossipParameters extends OverlayParameters {
  Dlazy: number
  /** Share of the connected peers outside the mesh that receive IHAVE, when more than `Dlazy`. */
  gossipFactor: number
  historyGossip: number
  /** Topic peers an origin floods its own message to: its connections, then random others (0: its mesh alone). */
  floodPeers: number
}

/** What propagation reads of the peer table. */
export type GossipPeers = Pick<PeerTable, 'count' | 'online' | 'region' | 'bandwidth'>
/** What propagation reads of the overlay (not who dialled whom). */
export type GossipOverlay = Pick<Overlay, 'offsets' | 'edges' | 'meshed' | 'phase' | 'widest'>

/** The topic peers beyond its connections that an origin floods: random others, up to `floodPeers` with them. */
function floodExtras(
  overlay: GossipOverlay,
  n: number,
  origin: number,
  floodPeers: number,
  rng: Rng,
): Set<number> {
  const own = new Set(
    overlay.edges.subarray(overlay.offsets[origin] as number, overlay.offsets[origin + 1] as number),
  )
  const extra = new Set<number>()
  const want = Math.min(floodPeers, n - 1) - own.size
  for (let tries = 0; extra.size < want && tries < 4 * want; tries++) {
    const v = rng.int(n)
    if (v !== origin && !own.has(v)) extra.add(v)
  }
  return extra
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
 * Spreads one message from `origin`: Dijkstra over the mesh links and the lazy
 * pulls, where each peer keeps only its earliest copy on the way (a later
 * one would be a duplicate it drops), so each peer is settled once. A
 * holder's IHAVEs are drawn when its heartbeat comes, by which time most
 * peers hold the message; once every online peer does, nothing is left to do.
 */
export function propagate(
  overlay: GossipOverlay,
  peers: GossipPeers,
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
  // a holder's connected peers outside its mesh, drawn from for its IHAVEs
  const lazy = new Int32Array(overlay.widest)
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
    const first = overlay.offsets[u] as number
    const last = overlay.offsets[u + 1] as number
    for (let e = first; e < last; e++) {
      const v = overlay.edges[e] as number
      if (overlay.meshed[e] === 1 && v !== from) send(v)
    }
    if (u === origin && params.floodPeers > 0) {
      for (let e = first; e < last; e++) if (overlay.meshed[e] === 0) send(overlay.edges[e] as number)
      for (const v of floodExtras(overlay, n, origin, params.floodPeers, rng)) send(v)
    }
    if (valid && params.Dlazy > 0 && params.historyGossip > 0) {
      const phase = overlay.phase[u] as number
      let hb = Math.ceil((now - phase) / params.heartbeatMs) * params.heartbeatMs + phase
      if (hb <= now) hb += params.heartbeatMs
      heartbeats.push(hb, 0, u, params.historyGossip)
    }
  }
  return { arrival, meshSends, pulled, hops }

  /** u's IHAVE at heartbeat `hb` to connected peers outside its mesh, each answered by IWANT and the message. */
  function pull(u: number, hb: number): void {
    const ru = peers.region[u] as number
    let candidates = 0
    for (let e = overlay.offsets[u] as number; e < (overlay.offsets[u + 1] as number); e++) {
      if (overlay.meshed[e] === 0) lazy[candidates++] = overlay.edges[e] as number
    }
    const target = Math.min(candidates, Math.max(params.Dlazy, Math.floor(params.gossipFactor * candidates)))
    for (let k = 0; k < target; k++) {
      const j = k + rng.int(candidates - k)
      const v = lazy[j] as number
      lazy[j] = lazy[k] as number
      lazy[k] = v
      if (done[v] === 1 || peers.online[v] !== 1) continue
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
