import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import type { PeerId } from '@libp2p/interface'
import type { Rng } from '../engine/prng.js'
import { buildDht, lookup } from '../models/kademlia.js'
import type { LatencyModel } from '../network/latency.js'
import { createPeerTable } from '../network/peers.js'
import { parseScenario } from '../scenario/load.js'

/**
 * DHT lookups on both sides of the cross-check: real kad-dht
 * `getClosestPeers` walks among the real peers, and the Kademlia model's
 * lookups over the same number of servers with the scenario defaults
 * (`dht.k`, `alpha`, `disjointPaths`, which follow the installed kad-dht).
 * Hops mean the same on both: the length of the referral chain that led to
 * the closest peer found, 1 when it was in the starting peer's own table.
 */
export interface LookupSamples {
  hops: number[]
  ms: number[]
  /** Each query's time from its dial to its answer, ms. */
  queryMs: number[]
}

export function emptyLookups(): LookupSamples {
  return { hops: [], ms: [], queryMs: [] }
}

/** How long one real lookup may take before it counts as failed (kad-dht's own limit is 180 s). */
const LOOKUP_LIMIT_MS = 30_000

/**
 * One `getClosestPeers` walk, reading its events: a peer queried that no
 * answer named came from our own table (depth 1), a peer first named by an
 * answer of a peer at depth d is at d + 1, and the first final peer is the
 * closest found (hops undefined when the walk found none).
 */
export async function realLookup(
  peer: CocoonPeer,
  key: Uint8Array,
): Promise<{ hops: number | undefined; ms: number; queryMs: number[] }> {
  const depth = new Map<string, number>()
  const dialled = new Map<string, number>()
  const queryMs: number[] = []
  const started = performance.now()
  let closest: PeerId | undefined
  let ms = 0
  const signal = AbortSignal.timeout(LOOKUP_LIMIT_MS)
  try {
    for await (const event of peer.libp2p.services.dht.getClosestPeers(key, { signal })) {
      const now = performance.now()
      if (event.name === 'DIAL_PEER') dialled.set(event.peer.toString(), now)
      if (event.name === 'SEND_QUERY' && !depth.has(event.to.toString())) depth.set(event.to.toString(), 1)
      if (event.name === 'PEER_RESPONSE') {
        ms = now - started
        queryMs.push(now - (dialled.get(event.from.toString()) ?? now))
        const d = (depth.get(event.from.toString()) ?? 1) + 1
        for (const named of event.closer)
          if (!depth.has(named.id.toString())) depth.set(named.id.toString(), d)
      }
      if (event.name === 'FINAL_PEER' && closest === undefined) closest = event.peer.id
    }
  } catch (error) {
    // past the limit the lookup counts as not done; any other failure is the cross-check's
    if (!signal.aborted) throw error
    return { hops: undefined, ms: LOOKUP_LIMIT_MS, queryMs }
  }
  return { hops: closest === undefined ? undefined : (depth.get(closest.toString()) ?? 1), ms, queryMs }
}

/**
 * `count` model lookups for random keys among `servers` DHT servers, each
 * query taking `queryMs` (a round trip of links at half that, one way).
 */
export function modelLookups(servers: number, count: number, queryMs: number, rng: Rng): LookupSamples {
  const { dht: params } = parseScenario({
    name: 'cross-check',
    peers: { count: servers },
    jobs: { total: 1 },
  })
  const table = createPeerTable(
    { count: servers, regionWeights: [1], natFraction: 0, bandwidthMedianMbps: 100, bandwidthSigma: 0 },
    rng,
  )
  const dht = buildDht(table, rng, params)
  const latency: LatencyModel = { matrix: [[queryMs / 2]], jitter: 0, loss: 0 }
  const samples: LookupSamples = { hops: [], ms: [], queryMs: [] }
  for (let l = 0; l < count; l++) {
    const r = lookup({ dht, peers: table, now: 0 }, latency, rng, rng.int(servers), rng.nextU32())
    samples.hops.push(r.hops)
    samples.ms.push(r.ms)
    samples.queryMs.push(queryMs)
  }
  return samples
}
