import { type CocoonPeer, type CreatePeerOptions, createPeer } from '@cocoon-mesh/client/internal'
import { canonicalModelId, orderBookTopic } from '@cocoon-mesh/protocol'
import type { PeerId } from '@libp2p/interface'
import { substream } from '../engine/prng.js'
import { buildMesh, type GossipParameters, type Mesh, propagate } from '../models/gossipsub.js'
import type { LatencyModel } from '../network/latency.js'
import { createPeerTable } from '../network/peers.js'
import { quantiles, round6 } from '../sim/stats.js'

/**
 * Cross-check: the same small network run twice. Once in the gossipsub
 * model, once as real Cocoon peers (`createPeer` over the in-process memory
 * transport with the same one-way latency), connected along the very same
 * random graph. A provider publishes `messages` offers; each peer records
 * when the offer entered its real order book.
 */
export interface CrossCheckOptions {
  peers: number
  seed: number
  messages: number
  /** One-way latency of every link, ms (memory transport `latency`). */
  latencyMs?: number
  heartbeatMs?: number
  /** Mesh degree: each peer dials D/2 others, as the model's mesh. */
  D?: number
}

export interface PropagationFigures {
  p50Ms: number
  p99Ms: number
  maxMs: number
  coverage: number
}

/** Delivery hops: how many peers the first copy to reach a peer passed through, origin excluded. */
export interface HopFigures {
  p50: number
  p99: number
  max: number
}

export interface CrossCheckResult {
  simulated: PropagationFigures
  real: PropagationFigures
  /** Hops of the model and of the real gossip (from each message's propagation source): load does not change them. */
  hops: { simulated: HopFigures; real: HopFigures }
  /** |real − simulated| / real for p50 and p99. */
  relativeError: { p50: number; p99: number }
  /**
   * Real time per hop beyond the link latency, measured in the same run: the
   * median arrival at the provider's own mesh peers (one hop) minus the
   * latency. It is what this machine spends per hop (decode, verify, book,
   * re-encode, the memory transport's queueing), and grows with its load.
   */
  hopOverheadMs: number
  /** The model again with that overhead added to every link: compares hop structure, not machine speed. */
  calibrated: PropagationFigures
  /** |real − calibrated| / real for p50 and p99. */
  calibratedError: { p50: number; p99: number }
}

const MODEL = 'llama-3.1-8b'

function figures(samples: number[], expected: number): PropagationFigures {
  const [p50, p99, max] = quantiles(samples, [0.5, 0.99, 1])
  return {
    p50Ms: round6(p50 ?? 0),
    p99Ms: round6(p99 ?? 0),
    maxMs: round6(max ?? 0),
    coverage: round6(expected === 0 ? 0 : samples.length / expected),
  }
}

export async function crossCheck(options: CrossCheckOptions): Promise<CrossCheckResult> {
  const latencyMs = options.latencyMs ?? 20
  const heartbeatMs = options.heartbeatMs ?? 1000
  const n = options.peers
  const params: GossipParameters = { D: options.D ?? 6, Dlazy: 6, heartbeatMs, historyGossip: 3 }
  const mesh = buildMesh(n, params, substream(options.seed, 'crosscheck-mesh'))
  const simSamples = modelArrivals(mesh, params, latencyMs, options)
  const peers: CocoonPeer[] = []
  const realSamples: Array<Map<number, number>> = []
  const realHops: number[] = []
  try {
    for (let i = 0; i < n; i++) peers.push(await createPeer(peerInit(i, latencyMs, heartbeatMs)))
    await connectAlong(mesh, peers)
    await waitForMeshes(peers, heartbeatMs)
    const publisher = (peers[0] as CocoonPeer).libp2p.services.offerPublisher
    if (publisher === undefined) throw new Error('the provider has no offer publisher')
    for (let m = 0; m < options.messages; m++) {
      const { arrivals, hops } = await realArrivals(peers, publisher, m)
      realSamples.push(arrivals)
      realHops.push(...hops)
    }
  } finally {
    await Promise.allSettled(peers.map((p) => p.stop()))
  }
  const expected = (n - 1) * options.messages
  const simulated = figures(simSamples.arrivals, expected)
  const real = figures(
    realSamples.flatMap((arrivals) => [...arrivals.values()]),
    expected,
  )
  const hopOverheadMs = round6(Math.max(0, oneHopMedian(mesh, realSamples) - latencyMs))
  const calibrated = figures(
    modelArrivals(mesh, params, latencyMs + hopOverheadMs, options).arrivals,
    expected,
  )
  return {
    simulated,
    real,
    hops: { simulated: hopFigures(simSamples.hops), real: hopFigures(realHops) },
    relativeError: relativeErrors(real, simulated),
    hopOverheadMs,
    calibrated,
    calibratedError: relativeErrors(real, calibrated),
  }
}

function relativeErrors(real: PropagationFigures, model: PropagationFigures): { p50: number; p99: number } {
  const error = (r: number, m: number): number => round6(r === 0 ? 0 : Math.abs(r - m) / r)
  return { p50: error(real.p50Ms, model.p50Ms), p99: error(real.p99Ms, model.p99Ms) }
}

/** The median real arrival, ms, at the provider's (peer 0's) own mesh peers. */
function oneHopMedian(mesh: Mesh, arrivals: ReadonlyArray<ReadonlyMap<number, number>>): number {
  const neighbours = mesh.edges.subarray(mesh.offsets[0] as number, mesh.offsets[1] as number)
  const samples = arrivals.flatMap((a) =>
    [...neighbours].flatMap((v) => {
      const t = a.get(v)
      return t === undefined ? [] : [t]
    }),
  )
  return quantiles(samples, [0.5])[0] ?? 0
}

function hopFigures(samples: number[]): HopFigures {
  const [p50, p99, max] = quantiles(samples, [0.5, 0.99, 1])
  return { p50: p50 ?? 0, p99: p99 ?? 0, max: max ?? 0 }
}

/** Arrival times (ms) and delivery hops of each message from peer 0 at every other peer, in the gossipsub model. */
function modelArrivals(
  mesh: Mesh,
  params: GossipParameters,
  latencyMs: number,
  options: CrossCheckOptions,
): { arrivals: number[]; hops: number[] } {
  const n = options.peers
  const table = createPeerTable(
    { count: n, regionWeights: [1], natFraction: 0, bandwidthMedianMbps: 100, bandwidthSigma: 0 },
    substream(options.seed, 'crosscheck-peers'),
  )
  const latency: LatencyModel = { matrix: [[latencyMs]], jitter: 0, loss: 0 }
  const arrivals: number[] = []
  const hops: number[] = []
  for (let m = 0; m < options.messages; m++) {
    const prop = propagate(mesh, table, latency, params, substream(options.seed, `crosscheck-${m}`), 0)
    for (let i = 1; i < n; i++) {
      if (!Number.isFinite(prop.arrival[i])) continue
      arrivals.push(prop.arrival[i] as number)
      hops.push(prop.hops[i] as number)
    }
  }
  return { arrivals, hops }
}

/** A real peer on the memory transport; peer 0 is the provider that publishes. */
function peerInit(i: number, latencyMs: number, heartbeatMs: number): CreatePeerOptions {
  return {
    transport: 'memory',
    memoryLatency: latencyMs,
    heartbeatInterval: heartbeatMs,
    models: [MODEL],
    offerTtlMs: 600_000,
    ...(i === 0
      ? {
          provide: {
            models: [MODEL],
            prices: { perKPromptTokens: 50n, perKCompletionTokens: 200n, perTensorGflop: 0n },
          },
        }
      : {}),
  }
}

/** Dials the model's mesh edges between the real peers (each undirected edge once). */
async function connectAlong(mesh: Mesh, peers: CocoonPeer[]): Promise<void> {
  const dials: Promise<unknown>[] = []
  for (let u = 0; u < peers.length; u++) {
    for (let e = mesh.offsets[u] as number; e < (mesh.offsets[u + 1] as number); e++) {
      const v = mesh.edges[e] as number
      if (v <= u) continue
      const addr = (peers[v] as CocoonPeer).libp2p.getMultiaddrs()[0]
      if (addr !== undefined) dials.push((peers[u] as CocoonPeer).libp2p.dial(addr))
    }
  }
  await Promise.allSettled(dials)
}

/**
 * Waits until every peer sees a subscriber on the topic, then two heartbeats
 * for the meshes to graft. The wait grows with the peers, all of which share
 * this process's one event loop.
 */
async function waitForMeshes(peers: CocoonPeer[], heartbeatMs: number): Promise<void> {
  const topic = orderBookTopic(canonicalModelId(MODEL))
  const limitMs = Math.max(30_000, 250 * peers.length)
  const subscribed = await waitUntil(
    () => peers.every((p) => (p.libp2p.services.pubsub?.getSubscribers(topic).length ?? 0) > 0),
    limitMs,
  )
  if (!subscribed) throw new Error(`not every peer saw a subscriber on ${topic} within ${limitMs} ms`)
  await new Promise((resolve) => setTimeout(resolve, 2 * heartbeatMs + 100))
}

type OfferPublisher = NonNullable<CocoonPeer['libp2p']['services']['offerPublisher']>

/**
 * The provider publishes offer `m`; returns the ms until it entered each other
 * peer's real order book, by peer index, and the delivery hops of each peer
 * it reached (following each peer's first copy back to its propagation
 * source). A peer it has not reached within 10 s counts as undelivered in
 * the figures.
 */
async function realArrivals(
  peers: CocoonPeer[],
  publisher: OfferPublisher,
  m: number,
): Promise<{ arrivals: Map<number, number>; hops: number[] }> {
  const arrivals = new Map<number, number>()
  const sources = firstSources(peers)
  let sequence = -1n
  let started = 0
  const listeners = peers.map((p, i) => {
    const listener = (evt: CustomEvent<{ entry: { offer: { sequence: bigint } } }>): void => {
      if (evt.detail.entry.offer.sequence === sequence && !arrivals.has(i))
        arrivals.set(i, performance.now() - started)
    }
    p.orderBook.addEventListener('change', listener as never)
    return listener
  })
  started = performance.now()
  const offer = await publisher.update({
    models: [MODEL],
    prices: { perKPromptTokens: 50n, perKCompletionTokens: 200n + BigInt(m + 1), perTensorGflop: 0n },
  })
  sequence = offer.sequence
  await waitUntil(() => arrivals.size >= peers.length - 1, 10_000)
  peers.forEach((p, i) => {
    p.orderBook.removeEventListener('change', listeners[i] as never)
  })
  const from = sources.stop()
  arrivals.delete(0)
  return { arrivals, hops: [...arrivals.keys()].flatMap((i) => hopsOf(i, from, peers.length)) }
}

/** The part of gossipsub's `gossipsub:message` event read here. */
interface GossipsubMessage {
  propagationSource: PeerId
  msg: { topic: string }
}

/** Records, per peer index, which peer index the first order-book gossip message came from, until `stop()`. */
function firstSources(peers: CocoonPeer[]): { stop(): Map<number, number> } {
  const index = new Map(peers.map((p, i) => [p.libp2p.peerId.toString(), i]))
  const from = new Map<number, number>()
  const topic = orderBookTopic(canonicalModelId(MODEL))
  const listeners = peers.map((p, i) => {
    const listener = (evt: CustomEvent<GossipsubMessage>): void => {
      const source = index.get(evt.detail.propagationSource.toString())
      if (evt.detail.msg.topic === topic && source !== undefined && !from.has(i)) from.set(i, source)
    }
    p.libp2p.services.pubsub?.addEventListener('gossipsub:message', listener)
    return listener
  })
  return {
    stop() {
      peers.forEach((p, i) => {
        p.libp2p.services.pubsub?.removeEventListener('gossipsub:message', listeners[i] as never)
      })
      return from
    },
  }
}

/** Hops from peer 0 to peer `i` along the first-copy sources, or none when the chain breaks or loops. */
function hopsOf(i: number, from: ReadonlyMap<number, number>, n: number): number[] {
  let hops = 0
  for (let at = i; at !== 0; hops++) {
    const next = from.get(at)
    if (next === undefined || hops > n) return []
    at = next
  }
  return [hops]
}

/** Polls `condition` every 20 ms; false when it did not hold within `timeoutMs`. */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}
