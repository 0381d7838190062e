import type { Rng } from '../engine/prng.js'
import { connectionEntry, type Overlay } from '../models/overlay.js'
import { GOSSIPSUB_DEFAULTS } from '../scenario/schema.js'
import type { LookupSamples } from './dht.js'
import { CrossCheckSetupError } from './errors.js'
import { createNetemNamespace, type NetemNamespace } from './netem.js'
import { type Group, LocalGroup } from './peer-group.js'
import { RemoteGroup } from './remote-group.js'

/**
 * The real side of the cross-check: `n` Cocoon peers, either all in this
 * process over the memory transport (`processes` 1), or dealt round-robin
 * over `processes` child processes talking real TCP on 127.0.0.1: inside a
 * network namespace whose loopback delays every packet by the latency (tc
 * netem) when the latency is above 0, on the host's loopback otherwise.
 */
export interface RealNetworkParameters {
  peers: number
  processes: number
  latencyMs: number
  loss: number
  heartbeatMs: number
}

export class RealNetwork {
  private readonly addrs: string[] = []
  private readonly indexOf = new Map<string, number>()

  private constructor(
    private readonly groups: Group[],
    private readonly namespace: NetemNamespace | undefined,
  ) {}

  /** Starts every peer; on failure stops what started, the host processes and the namespace included. */
  static async start(params: RealNetworkParameters): Promise<RealNetwork> {
    const { processes } = params
    // loopback TCP adds no latency of its own: netem delays it when asked to
    const namespace = processes > 1 && params.latencyMs > 0 ? createNetemNamespace(params) : undefined
    const groups: Group[] =
      processes === 1
        ? [new LocalGroup({ kind: 'memory', latencyMs: params.latencyMs })]
        : Array.from({ length: processes }, () => RemoteGroup.spawn(namespace?.exec ?? []))
    const network = new RealNetwork(groups, namespace)
    try {
      const started = await Promise.all(
        groups.map((g, h) =>
          g.start(
            Array.from({ length: params.peers }, (_, i) => i).filter((i) => i % groups.length === h),
            params.heartbeatMs,
          ),
        ),
      )
      for (const { peers } of started)
        for (const p of peers) {
          network.addrs[p.index] = p.addr
          network.indexOf.set(p.id, p.index)
        }
      return network
    } catch (error) {
      await network.stop()
      throw error
    }
  }

  private groupOf(index: number): Group {
    return this.groups[index % this.groups.length] as Group
  }

  /**
   * Dials the overlay's connections between the real peers, each from the
   * peer that dialled it in the model (gossipsub keeps `Dout` of those in a
   * mesh); a pair that dialled each other is dialled once, from its lower end.
   */
  async connectAlong(overlay: Overlay): Promise<void> {
    const edges: Array<Array<[number, string]>> = this.groups.map(() => [])
    for (let u = 0; u < this.addrs.length; u++) {
      for (let e = overlay.offsets[u] as number; e < (overlay.offsets[u + 1] as number); e++) {
        const v = overlay.edges[e] as number
        if (overlay.outbound[e] === 1 && (v > u || overlay.outbound[connectionEntry(overlay, v, u)] === 0))
          edges[u % this.groups.length]?.push([u, this.addrs[v] as string])
      }
    }
    const results = await Promise.all(this.groups.map((g, h) => g.dial(edges[h] ?? [])))
    const failed = results.reduce((sum, r) => sum + r.failed, 0)
    if (failed > 0) {
      const total = edges.reduce((sum, e) => sum + e.length, 0)
      throw new CrossCheckSetupError(`${failed} of ${total} dials between the real peers failed`, {
        details: `first failure: ${results.find((r) => r.firstError !== undefined)?.firstError}`,
      })
    }
  }

  /**
   * Waits until every peer sees a subscriber on the topic and has grafted
   * them into its mesh (up to gossipsub's D_lo, where its heartbeat stops
   * grafting), and returns each peer's mesh size then, by peer index. On a
   * busy machine that takes more heartbeats than on an idle one. The wait
   * grows with the peers, which share this machine's cores.
   * @throws {CrossCheckSetupError} naming the peers still waiting at the limit
   */
  async waitForMeshes(heartbeatMs: number): Promise<number[]> {
    const limitMs = Math.max(30_000, 250 * this.addrs.length, 20 * heartbeatMs)
    let peers: MeshState[] = []
    const ready = await waitUntil(async () => {
      const answers = await Promise.all(this.groups.map((g) => g.subscribed()))
      peers = answers.flatMap((a) => a.peers).sort((x, y) => x[0] - y[0])
      return peers.every(meshReady)
    }, limitMs)
    if (!ready) {
      const lonely = peers.filter(([, subscribers]) => subscribers === 0).map(([i]) => i)
      const thin = peers.filter((p) => p[1] > 0 && !meshReady(p)).map(([i, s, m]) => `${i} (${m} of ${s})`)
      throw new CrossCheckSetupError(
        `not every peer saw a subscriber on the order-book topic and grafted its mesh within ${limitMs} ms`,
        {
          details:
            `${lonely.length} peers saw no subscriber${listSome(lonely)}; ${thin.length} had a mesh below ` +
            `min(subscribers, D_lo = ${GOSSIPSUB_DEFAULTS.Dlo})${listSome(thin)}`,
        },
      )
    }
    return peers.map(([, , mesh]) => mesh)
  }

  /**
   * The provider publishes offer `m`; returns the ms until it entered each
   * other peer's real order book, by peer index, and each reached peer's
   * first-copy source (by index). A peer it has not reached within 10 s is
   * left out: it counts as undelivered in the figures.
   */
  async round(m: number): Promise<{ arrivals: Map<number, number>; sources: Map<number, number> }> {
    await Promise.all(this.groups.map((g) => g.begin()))
    const { sequence, startedAt } = await this.groupOf(0).publish(m)
    const arrivals = new Map<number, number>()
    const sources = new Map<number, number>()
    await waitUntil(async () => {
      for (const part of await Promise.all(this.groups.map((g) => g.collect(sequence)))) {
        for (const [i, at] of part.arrivals) if (i !== 0) arrivals.set(i, at - startedAt)
        for (const [i, from] of part.sources) {
          const source = this.indexOf.get(from)
          if (source !== undefined) sources.set(i, source)
        }
      }
      return arrivals.size >= this.addrs.length - 1
    }, 10_000)
    return { arrivals, sources }
  }

  /** `count` real lookups for random keys, each from a random peer, one after the other. */
  async lookups(count: number, rng: Rng): Promise<LookupSamples> {
    const samples: LookupSamples = { hops: [], ms: [], queryMs: [] }
    for (let l = 0; l < count; l++) {
      const from = rng.int(this.addrs.length)
      const key = Array.from({ length: 32 }, () => rng.int(256))
      const result = await this.groupOf(from).lookup(from, key)
      samples.queryMs.push(...result.queryMs)
      if (result.hops === undefined) continue
      samples.hops.push(result.hops)
      samples.ms.push(result.ms)
    }
    return samples
  }

  /** Stops every peer and host process, then removes the namespace. */
  async stop(): Promise<void> {
    try {
      await Promise.allSettled(this.groups.map((g) => g.stop()))
    } finally {
      this.namespace?.remove()
    }
  }
}

type MeshState = [index: number, subscribers: number, mesh: number]

/**
 * A peer's mesh is grafted as far as the heartbeat grafts: every connected
 * subscriber, up to D_lo (a mesh below it grafts more at the next
 * heartbeat, one at least as large is left as it is).
 */
function meshReady([, subscribers, mesh]: MeshState): boolean {
  return subscribers > 0 && mesh >= Math.min(subscribers, GOSSIPSUB_DEFAULTS.Dlo)
}

/** `: a, b, c` for the first few of `items`, with the count of the rest. */
function listSome(items: ReadonlyArray<number | string>): string {
  if (items.length === 0) return ''
  const more = items.length > 8 ? `, and ${items.length - 8} more` : ''
  return `: ${items.slice(0, 8).join(', ')}${more}`
}

/** Polls `condition` every 50 ms; false when it did not hold within `timeoutMs`. */
async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!(await condition())) {
    if (performance.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return true
}
