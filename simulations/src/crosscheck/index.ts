import { substream } from '../engine/prng.js'
import { type GossipParameters, propagate } from '../models/gossipsub.js'
import { buildOverlay, meshPeers, type Overlay } from '../models/overlay.js'
import type { LatencyModel } from '../network/latency.js'
import { createPeerTable } from '../network/peers.js'
import { GOSSIPSUB_DEFAULTS } from '../scenario/schema.js'
import { quantiles, round6 } from '../sim/stats.js'
import { emptyLookups, type LookupSamples, modelLookups } from './dht.js'
import { RealNetwork } from './real-network.js'

/**
 * Cross-check: the same small network run twice. Once in the gossipsub and
 * Kademlia models, once as real Cocoon peers with the same one-way latency
 * (`createPeer`, in this process over the memory transport, or over TCP in
 * several processes, inside a tc netem namespace when the latency is above 0), connected along the very
 * same random graph. A provider publishes `messages` offers; each peer
 * records when the offer entered its real order book. Then random peers run
 * DHT lookups for random keys on both sides.
 */
export interface CrossCheckOptions {
  peers: number
  seed: number
  messages: number
  /** One-way latency of every link, ms (memory transport `latency`, or tc netem's delay). */
  latencyMs?: number
  /** Processes the real peers run in: 1 (default) shares this one over the memory transport; more use TCP on loopback, under tc netem (root) when `latencyMs` is above 0. */
  processes?: number
  /** Share of packets netem drops (0–1; TCP only, default 0). */
  loss?: number
  heartbeatMs?: number
  /** Connections per peer on average: each peer dials half as many others (default 6), the same in the model. */
  connections?: number
  /** DHT lookups for random keys on each side (default 20; 0: none). */
  lookups?: number
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

/** Mesh links per peer on the topic. */
export interface DegreeFigures {
  min: number
  p50: number
  max: number
  mean: number
}

export interface CrossCheckResult {
  simulated: PropagationFigures
  real: PropagationFigures
  /**
   * Hops of the model, of the calibrated model and of the real gossip (from
   * each message's propagation source).
   */
  hops: { simulated: HopFigures; calibrated: HopFigures; real: HopFigures }
  /** |real − simulated| / real for p50 and p99. */
  relativeError: { p50: number; p99: number }
  /** Mesh links per peer: the model's mesh upkeep, and the real peers' GRAFT/PRUNE events, before the first offer. */
  meshDegree: { simulated: DegreeFigures; real: DegreeFigures }
  /**
   * Real time per hop beyond the link latency, measured in the same run: the
   * median arrival at the peers whose first copy came straight from the
   * provider (one hop) minus the latency. It is what this machine spends per hop (decode, verify, book,
   * re-encode, the memory transport's queueing), and grows with its load.
   */
  hopOverheadMs: number
  /** The model again with that overhead added to every link: compares hop structure, not machine speed. */
  calibrated: PropagationFigures
  /** |real − calibrated| / real for p50 and p99. */
  calibratedError: { p50: number; p99: number }
  /**
   * DHT lookups: real kad-dht walks among the same peers against the
   * Kademlia model over as many servers, its queries taking one round trip
   * of the links (`simulated`) and taking the real queries' median
   * (`calibrated`: compares the walk's structure, not the cost of a query).
   */
  dht: { simulated: LookupFigures; calibrated: LookupFigures; real: LookupFigures }
}

export interface LookupFigures {
  lookups: number
  hops: HopFigures
  p50Ms: number
  p99Ms: number
  /** Median time of one query, from its dial to its answer. */
  queryMs: number
}

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
  const lookups = options.lookups ?? 20
  // the real peers do not flood-publish here, and neither does the model (see CreatePeerOptions.floodPublish)
  const params: GossipParameters = {
    ...GOSSIPSUB_DEFAULTS,
    connections: options.connections ?? 6,
    heartbeatMs,
    floodPeers: 0,
  }
  const overlay = buildOverlay(n, params, substream(options.seed, 'crosscheck-mesh'))
  const run = await runReal(overlay, options, { latencyMs, heartbeatMs, lookups })
  const simSamples = modelArrivals(overlay, params, latencyMs, options)
  const expected = (n - 1) * options.messages
  const simulated = figures(simSamples.arrivals, expected)
  const real = figures(
    run.arrivals.flatMap((arrivals) => [...arrivals.values()]),
    expected,
  )
  const hopOverheadMs = round6(Math.max(0, (quantiles(run.oneHop, [0.5])[0] ?? 0) - latencyMs))
  const calSamples = modelArrivals(overlay, params, latencyMs + hopOverheadMs, options)
  const calibrated = figures(calSamples.arrivals, expected)
  return {
    simulated,
    real,
    hops: {
      simulated: hopFigures(simSamples.hops),
      calibrated: hopFigures(calSamples.hops),
      real: hopFigures(run.hops),
    },
    relativeError: relativeErrors(real, simulated),
    meshDegree: {
      simulated: degreeFigures(Array.from({ length: n }, (_, i) => meshPeers(overlay, i).length)),
      real: degreeFigures(run.meshSizes),
    },
    hopOverheadMs,
    calibrated,
    calibratedError: relativeErrors(real, calibrated),
    dht: dhtFigures(n, lookups, 2 * latencyMs, run.dht, options.seed),
  }
}

/** What the real peers did: arrivals, delivery hops and one-hop arrivals per offer, their meshes, and the DHT lookups. */
interface RealRun {
  arrivals: Array<Map<number, number>>
  hops: number[]
  /** Arrivals at the peers whose first copy came straight from the provider. */
  oneHop: number[]
  meshSizes: number[]
  dht: LookupSamples
}

async function runReal(
  overlay: Overlay,
  options: CrossCheckOptions,
  timing: { latencyMs: number; heartbeatMs: number; lookups: number },
): Promise<RealRun> {
  const n = options.peers
  const run: RealRun = { arrivals: [], hops: [], oneHop: [], meshSizes: [], dht: emptyLookups() }
  const network = await RealNetwork.start({
    peers: n,
    processes: options.processes ?? 1,
    latencyMs: timing.latencyMs,
    loss: options.loss ?? 0,
    heartbeatMs: timing.heartbeatMs,
  })
  try {
    await network.connectAlong(overlay)
    run.meshSizes = await network.waitForMeshes(timing.heartbeatMs)
    for (let m = 0; m < options.messages; m++) {
      const { arrivals, sources } = await network.round(m)
      run.arrivals.push(arrivals)
      run.hops.push(...[...arrivals.keys()].flatMap((i) => hopsOf(i, sources, n)))
      for (const [i, t] of arrivals) if (sources.get(i) === 0) run.oneHop.push(t)
    }
    run.dht = await network.lookups(timing.lookups, substream(options.seed, 'crosscheck-lookups'))
  } finally {
    await network.stop()
  }
  return run
}

function dhtFigures(
  n: number,
  lookups: number,
  rttMs: number,
  real: LookupSamples,
  seed: number,
): CrossCheckResult['dht'] {
  const queryMs = quantiles(real.queryMs, [0.5])[0] ?? rttMs
  return {
    simulated: lookupFigures(modelLookups(n, lookups, rttMs, substream(seed, 'crosscheck-dht'))),
    calibrated: lookupFigures(modelLookups(n, lookups, queryMs, substream(seed, 'crosscheck-dht'))),
    real: lookupFigures(real),
  }
}

function lookupFigures(samples: LookupSamples): LookupFigures {
  const [p50, p99] = quantiles(samples.ms, [0.5, 0.99])
  return {
    lookups: samples.hops.length,
    hops: hopFigures(samples.hops),
    p50Ms: round6(p50 ?? 0),
    p99Ms: round6(p99 ?? 0),
    queryMs: round6(quantiles(samples.queryMs, [0.5])[0] ?? 0),
  }
}

function relativeErrors(real: PropagationFigures, model: PropagationFigures): { p50: number; p99: number } {
  const error = (r: number, m: number): number => round6(r === 0 ? 0 : Math.abs(r - m) / r)
  return { p50: error(real.p50Ms, model.p50Ms), p99: error(real.p99Ms, model.p99Ms) }
}

function degreeFigures(sizes: number[]): DegreeFigures {
  const [min, p50, max] = quantiles(sizes, [0, 0.5, 1])
  const mean = sizes.length === 0 ? 0 : sizes.reduce((a, b) => a + b, 0) / sizes.length
  return { min: min ?? 0, p50: p50 ?? 0, max: max ?? 0, mean: round6(mean) }
}

function hopFigures(samples: number[]): HopFigures {
  const [p50, p99, max] = quantiles(samples, [0.5, 0.99, 1])
  return { p50: p50 ?? 0, p99: p99 ?? 0, max: max ?? 0 }
}

/** Arrival times (ms) and delivery hops of each message from peer 0 at every other peer, in the gossipsub model. */
function modelArrivals(
  overlay: Overlay,
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
    const prop = propagate(overlay, table, latency, params, substream(options.seed, `crosscheck-${m}`), 0)
    for (let i = 1; i < n; i++) {
      if (!Number.isFinite(prop.arrival[i])) continue
      arrivals.push(prop.arrival[i] as number)
      hops.push(prop.hops[i] as number)
    }
  }
  return { arrivals, hops }
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
