import type { Rng } from '../engine/prng.js'

/**
 * The peers' connections on one topic, and the mesh gossipsub keeps over
 * them. The mesh is not drawn as a random graph: it is grown by the rules of
 * the installed gossipsub, run over the connections.
 *
 * - Graft on subscribe: as connections form, in random order, each end whose
 *   mesh is below `Dlo` grafts the other at once.
 * - Heartbeats, each peer at its own phase, until a whole round changes
 *   nothing: a mesh below `Dlo` grafts random connected peers up to `D`; one
 *   above `Dhi` prunes random members down to `D`, keeping `Dout` of the
 *   links it dialled; one with `Dlo` or more but fewer than `Dout` dialled
 *   links grafts dialled ones.
 * - A GRAFT is refused by a peer whose mesh already holds `Dhi`, unless it
 *   dialled the grafting peer. A refused or pruned link backs off: neither
 *   end grafts it again (the backoff outlasts the build).
 *
 * Not modelled: scores (all peers score 0, so pruning is random), which an
 * invalid sender would lower; opportunistic grafting, which needs scores.
 */
export interface Overlay {
  /** Peer i's connections are `edges[offsets[i]]` to `edges[offsets[i + 1] - 1]`, ascending. */
  readonly offsets: Int32Array
  readonly edges: Int32Array
  /** 1 where the connection at that entry was dialled by its owner. */
  readonly outbound: Uint8Array
  /** 1 where the connection at that entry is a mesh link (the same at both ends). */
  readonly meshed: Uint8Array
  /** Heartbeat phase of each peer, ms in [0, heartbeatMs). */
  readonly phase: Float32Array
  /** The most connections any one peer holds. */
  readonly widest: number
}

export interface OverlayParameters {
  /** Topic peers each peer is connected to on average; each dials half of them. */
  connections: number
  D: number
  Dlo: number
  Dhi: number
  Dout: number
  heartbeatMs: number
}

/** A build that has not settled after this many heartbeat rounds is left as it is. */
const MAX_ROUNDS = 32

/**
 * Connections over `count` peers and the mesh over them. With `online`,
 * only the peers marked 1 there take part (the network the heartbeats have
 * repaired after churn: no link to a peer that is gone); without it, all.
 */
export function buildOverlay(
  count: number,
  params: OverlayParameters,
  rng: Rng,
  online?: Uint8Array,
): Overlay {
  const members = overlayMembers(count, online)
  const links = dialLinks(members, Math.max(1, Math.round(params.connections / 2)), rng)
  const graph = adjacency(count, links)
  const phase = new Float32Array(count)
  for (let i = 0; i < count; i++) phase[i] = rng.next() * params.heartbeatMs
  let widest = 0
  for (let i = 0; i < count; i++) {
    widest = Math.max(widest, (graph.offsets[i + 1] as number) - (graph.offsets[i] as number))
  }
  const overlay: Overlay = { ...graph, meshed: new Uint8Array(graph.edges.length), phase, widest }
  const upkeep = new MeshUpkeep(overlay, params, rng)
  for (let l = 0; l < links.from.length; l++) upkeep.connected(links.from[l] as number, links.to[l] as number)
  const order = byPhase(members, phase)
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false
    for (const u of order) if (upkeep.heartbeat(u)) changed = true
    if (!changed) break
  }
  return overlay
}

/** Which Uint32 of a 64-bit word holds its high half: the second on a little-endian machine. */
const WORD_HIGH_HALF = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0

/**
 * The members in heartbeat order: by phase, ties by index. Each is sorted as
 * one 64-bit word, its phase's float bits high (a non-negative float's bits
 * order as the float does) and its index low, by the native numeric sort: a
 * comparator over a million peers costs seconds a rebuild.
 */
function byPhase(members: Int32Array, phase: Float32Array): Int32Array {
  const words = new BigUint64Array(members.length)
  const halves = new Uint32Array(words.buffer)
  const bits = new Uint32Array(phase.buffer, phase.byteOffset, phase.length)
  for (let k = 0; k < members.length; k++) {
    const u = members[k] as number
    halves[2 * k + WORD_HIGH_HALF] = bits[u] as number
    halves[2 * k + 1 - WORD_HIGH_HALF] = u
  }
  words.sort()
  const order = new Int32Array(members.length)
  for (let k = 0; k < members.length; k++) order[k] = halves[2 * k + 1 - WORD_HIGH_HALF] as number
  return order
}

/** Mesh links of peer `u`: the mesh neighbours, in entry order. */
export function meshPeers(overlay: Overlay, u: number): number[] {
  const out: number[] = []
  for (let e = overlay.offsets[u] as number; e < (overlay.offsets[u + 1] as number); e++) {
    if (overlay.meshed[e] === 1) out.push(overlay.edges[e] as number)
  }
  return out
}

/** The entry of `v` in `u`'s sorted connection list, or -1 when they are not connected. */
export function connectionEntry(overlay: Overlay, u: number, v: number): number {
  const { offsets, edges } = overlay
  let lo = offsets[u] as number
  let hi = (offsets[u + 1] as number) - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const at = edges[mid] as number
    if (at === v) return mid
    if (at < v) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/** The peers that take part, in index order. */
function overlayMembers(count: number, online: Uint8Array | undefined): Int32Array {
  if (online === undefined) return Int32Array.from({ length: count }, (_, i) => i)
  let n = 0
  for (let i = 0; i < count; i++) if (online[i] === 1) n++
  const members = new Int32Array(n)
  let k = 0
  for (let i = 0; i < count; i++) if (online[i] === 1) members[k++] = i
  return members
}

interface Links {
  from: Int32Array
  to: Int32Array
}

/** Each member dials `half` distinct random others, in random order overall. */
function dialLinks(members: Int32Array, half: number, rng: Rng): Links {
  const n = members.length
  const dials = n > 1 ? Math.min(half, n - 1) : 0
  const from = new Int32Array(n * dials)
  const to = new Int32Array(n * dials)
  let m = 0
  for (let k = 0; k < n; k++) {
    const start = m
    while (m - start < dials) {
      let pick = rng.int(n - 1)
      if (pick >= k) pick++
      const peer = members[pick] as number
      if (dialled(to, start, m, peer)) continue
      from[m] = members[k] as number
      to[m] = peer
      m++
    }
  }
  // connections form in no particular order: grafts on subscribe follow it
  for (let i = m - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    swap(from, i, j)
    swap(to, i, j)
  }
  return { from, to }
}

/** Whether `peer` is among `to[start..end)`: the peers this member has dialled so far. */
function dialled(to: Int32Array, start: number, end: number, peer: number): boolean {
  for (let i = start; i < end; i++) if (to[i] === peer) return true
  return false
}

/** Adds `by` to `a[i]`; returns the value it had. */
function bump(a: Int32Array, i: number, by: number): number {
  const was = a[i] as number
  a[i] = was + by
  return was
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i] as number
  a[i] = a[j] as number
  a[j] = t
}

/**
 * Connections as sorted adjacency lists. Two peers that dialled each other
 * hold one connection, outbound for both (as either end has a stream it opened).
 */
function adjacency(count: number, links: Links): Pick<Overlay, 'offsets' | 'edges' | 'outbound'> {
  const degree = new Int32Array(count + 1)
  for (let l = 0; l < links.from.length; l++) {
    bump(degree, (links.from[l] as number) + 1, 1)
    bump(degree, (links.to[l] as number) + 1, 1)
  }
  for (let i = 0; i < count; i++) degree[i + 1] = (degree[i + 1] as number) + (degree[i] as number)
  // entries are coded peer × 2 + (1 if dialled by the owner), so sorting groups a peer's two codes
  const codes = new Int32Array(degree[count] as number)
  const fill = degree.slice(0, count)
  for (let l = 0; l < links.from.length; l++) {
    const a = links.from[l] as number
    const b = links.to[l] as number
    codes[bump(fill, a, 1)] = b * 2 + 1
    codes[bump(fill, b, 1)] = a * 2
  }
  const offsets = new Int32Array(count + 1)
  const edges = new Int32Array(codes.length)
  const outbound = new Uint8Array(codes.length)
  let m = 0
  for (let i = 0; i < count; i++) {
    const list = codes.subarray(degree[i] as number, degree[i + 1] as number).sort()
    for (let k = 0; k < list.length; k++) {
      const peer = (list[k] as number) >> 1
      if (m > (offsets[i] as number) && edges[m - 1] === peer) outbound[m - 1] = 1
      else {
        edges[m] = peer
        outbound[m] = (list[k] as number) & 1
        m++
      }
    }
    offsets[i + 1] = m
  }
  return { offsets, edges: edges.slice(0, m), outbound: outbound.slice(0, m) }
}

/** Gossipsub's mesh rules over an overlay, with every peer scoring 0. */
class MeshUpkeep {
  private readonly size: Int32Array
  private readonly backoff: Uint8Array
  private readonly scratch: Int32Array
  /**
   * 1 for a peer whose last heartbeat changed nothing and whose links and
   * backoffs have not changed since: its next heartbeat would change
   * nothing either (and draw nothing), so it is skipped.
   */
  private readonly quiet: Uint8Array

  constructor(
    private readonly overlay: Overlay,
    private readonly params: OverlayParameters,
    private readonly rng: Rng,
  ) {
    this.size = new Int32Array(overlay.phase.length)
    this.backoff = new Uint8Array(overlay.edges.length)
    this.scratch = new Int32Array(overlay.widest)
    this.quiet = new Uint8Array(overlay.phase.length)
  }

  /** A new connection: each end below `Dlo` grafts the other as its subscription arrives. */
  connected(a: number, b: number): void {
    const ab = this.entry(a, b)
    // a pair that dialled each other holds one connection, met here twice
    if (this.overlay.meshed[ab] === 1 || this.backoff[ab] === 1) return
    if ((this.size[a] as number) < this.params.Dlo) this.graft(a, ab)
    if (this.overlay.meshed[ab] === 0 && (this.size[b] as number) < this.params.Dlo)
      this.graft(b, this.entry(b, a))
  }

  /** One heartbeat of `u`; true if its mesh changed. */
  heartbeat(u: number): boolean {
    if (this.quiet[u] === 1) return false
    const { D, Dlo, Dhi, Dout } = this.params
    const before = this.size[u] as number
    let changed = false
    if (before < Dlo) changed = this.graftRandom(u, D - before, false) > 0
    if ((this.size[u] as number) > Dhi) {
      this.pruneExcess(u)
      changed = true
    }
    const dialled = this.dialledInMesh(u)
    if ((this.size[u] as number) >= Dlo && dialled < Dout) {
      if (this.graftRandom(u, Dout - dialled, true) > 0) changed = true
    }
    if (!changed) this.quiet[u] = 1
    return changed
  }

  /** Grafts up to `want` random connections of `u` that are not meshed or backed off; returns how many it tried. */
  private graftRandom(u: number, want: number, dialledOnly: boolean): number {
    const { offsets, meshed, outbound } = this.overlay
    let n = 0
    for (let e = offsets[u] as number; e < (offsets[u + 1] as number); e++) {
      if (meshed[e] === 0 && this.backoff[e] === 0 && (!dialledOnly || outbound[e] === 1))
        this.scratch[n++] = e
    }
    const picks = Math.min(want, n)
    for (let k = 0; k < picks; k++) {
      const j = k + this.rng.int(n - k)
      swap(this.scratch, k, j)
      this.graft(u, this.scratch[k] as number)
    }
    return picks
  }

  /** `u` grafts the connection at entry `e`; the other end accepts unless its mesh is full and it did not dial `u`. */
  private graft(u: number, e: number): void {
    const { edges, outbound } = this.overlay
    const v = edges[e] as number
    const back = this.entry(v, u)
    if ((this.size[v] as number) >= this.params.Dhi && outbound[back] === 0) {
      this.backoff[e] = 1
      this.backoff[back] = 1
      this.quiet[u] = 0
      this.quiet[v] = 0
      return
    }
    this.link(u, e, v, back, 1)
  }

  /** Prunes `u`'s mesh to `D` random members, keeping up to `Dout` it dialled. */
  private pruneExcess(u: number): void {
    const { offsets, edges, meshed, outbound } = this.overlay
    const { D, Dout } = this.params
    let n = 0
    for (let e = offsets[u] as number; e < (offsets[u + 1] as number); e++)
      if (meshed[e] === 1) this.scratch[n++] = e
    for (let i = n - 1; i > 0; i--) swap(this.scratch, i, this.rng.int(i + 1))
    // bring dialled links beyond the first D forward, over undialled ones, until Dout are kept
    let kept = 0
    for (let k = 0; k < D; k++) kept += outbound[this.scratch[k] as number] as number
    for (let j = D, k = 0; j < n && kept < Dout; j++) {
      if (outbound[this.scratch[j] as number] === 0) continue
      while (k < D && outbound[this.scratch[k] as number] === 1) k++
      if (k === D) break
      swap(this.scratch, j, k)
      kept++
    }
    for (let k = D; k < n; k++) {
      const e = this.scratch[k] as number
      const v = edges[e] as number
      const back = this.entry(v, u)
      this.link(u, e, v, back, 0)
      this.backoff[e] = 1
      this.backoff[back] = 1
    }
  }

  /** Meshes (1) or unmeshes (0) the connection between `u` and `v`, at entries `e` and `back`, at both ends. */
  private link(u: number, e: number, v: number, back: number, on: 0 | 1): void {
    this.overlay.meshed[e] = on
    this.overlay.meshed[back] = on
    const by = on === 1 ? 1 : -1
    bump(this.size, u, by)
    bump(this.size, v, by)
    this.quiet[u] = 0
    this.quiet[v] = 0
  }

  private dialledInMesh(u: number): number {
    const { offsets, meshed, outbound } = this.overlay
    let count = 0
    for (let e = offsets[u] as number; e < (offsets[u + 1] as number); e++) {
      if (meshed[e] === 1 && outbound[e] === 1) count++
    }
    return count
  }

  private entry(u: number, v: number): number {
    const e = connectionEntry(this.overlay, u, v)
    if (e < 0) throw new RangeError(`peer ${v} is not connected to peer ${u}`)
    return e
  }
}
