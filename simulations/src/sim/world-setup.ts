/** Construction of a run's world: random streams, peer table, provider kinds, client groups, observers. */
import { OfferBook, RateLimiter } from '@cocoon-mesh/client/market'
import { ProviderRecords } from '@cocoon-mesh/client/matching'
import { type Rng, substream } from '../engine/prng.js'
import { assignRelays } from '../network/nat.js'
import { createPeerTable, type PeerTable, ROLE_RELAY } from '../network/peers.js'
import { honestProviderCount } from '../scenario/sizes.js'
import type { Scenario } from '../scenario/types.js'
import { KIND_HONEST, KIND_OVERCLAIM, KIND_SPAM, KIND_STALL, KIND_SYBIL } from './events.js'
import type { Observer, World } from './world.js'

/** The run's independent random streams, one per concern, all derived from the seed. */
export function runStreams(seed: number): World['rng'] {
  return {
    market: substream(seed, 'market'),
    jobs: substream(seed, 'jobs'),
    net: substream(seed, 'net'),
    churn: substream(seed, 'churn'),
    demand: substream(seed, 'demand'),
    gossip: substream(seed, 'gossip'),
    dht: substream(seed, 'dht'),
  }
}

/** The peer table with regions, NAT, bandwidth and relays. */
export function buildPeers(s: Scenario, setup: Rng): PeerTable {
  const peers = createPeerTable(
    {
      count: s.peers.count,
      regionWeights: s.regions.weights,
      natFraction: s.network.natFraction,
      bandwidthMedianMbps: s.network.bandwidthMedianMbps,
      bandwidthSigma: s.network.bandwidthSigma,
    },
    setup,
  )
  assignRelays(peers, s.network.relays, setup)
  return peers
}

/** The kind of each provider index: honest ones first, then each adversary population. */
export function providerKinds(s: Scenario): number[] {
  const adv = s.adversaries
  const honest = honestProviderCount(s)
  return [
    ...new Array<number>(honest).fill(KIND_HONEST),
    ...new Array<number>(adv.stall.count).fill(KIND_STALL),
    ...new Array<number>(adv.overclaim.count).fill(KIND_OVERCLAIM),
    ...new Array<number>(adv.spam.count).fill(KIND_SPAM),
    ...new Array<number>(adv.sybil.count).fill(KIND_SYBIL),
  ]
}

/** Every peer that is not a relay: the candidates for providers and clients. */
export function nonRelayPeers(peers: PeerTable): number[] {
  const candidates: number[] = []
  for (let i = 0; i < peers.count; i++) if (peers.role[i] !== ROLE_RELAY) candidates.push(i)
  return candidates
}

/** Moves a random subset of `n` entries to the front (a partial Fisher-Yates shuffle). */
export function shuffleFirst(list: number[], n: number, rng: Rng): void {
  for (let i = 0; i < n; i++) {
    const pick = i + rng.int(list.length - i)
    const tmp = list[i] as number
    list[i] = list[pick] as number
    list[pick] = tmp
  }
}

/** Jobs per simulated ms of each client group, from its share of demand (0 for an empty group). */
export function groupRates(s: Scenario, perGroup: number[][]): Float64Array {
  const rates = new Float64Array(s.clients.length)
  const demandTotal = s.clients.reduce(
    (sum, g, i) => sum + ((perGroup[i]?.length ?? 0) > 0 ? g.demandShare : 0),
    0,
  )
  s.clients.forEach((g, i) => {
    if ((perGroup[i]?.length ?? 0) === 0 || demandTotal <= 0) return
    rates[i] = (s.jobs.total * (g.demandShare / demandTotal)) / s.durationMs
  })
  return rates
}

/** Observers: honest public clients spread round-robin over regions (they never churn). */
export function observerPeers(peers: PeerTable, clients: number[], s: Scenario): number[] {
  const regions = s.regions.names.length
  const want = Math.max(1, Math.min(s.gossip.observers, clients.length))
  const byRegion: number[][] = Array.from({ length: regions }, () => [])
  clients.forEach((peer, idx) => {
    if (peers.nat[peer] === 0) byRegion[peers.region[peer] as number]?.push(idx)
  })
  const chosen: number[] = []
  for (let round = 0; chosen.length < want && round < want; round++) {
    for (let r = 0; r < regions && chosen.length < want; r++) {
      const idx = byRegion[r]?.[round]
      if (idx !== undefined) chosen.push(idx)
    }
  }
  if (chosen.length === 0) chosen.push(0)
  return chosen.map((c) => clients[c] as number)
}

/**
 * A peer holding the real market state: its OfferBook, ProviderRecords and
 * RateLimiter. `peer` -1 is the first hop of publications (a relay), region 0.
 */
export function createObserver(world: World, peer: number): Observer {
  const s = world.scenario
  return {
    peer,
    region: peer < 0 ? 0 : (world.peers.region[peer] as number),
    book: new OfferBook({ now: world.now, maxProviders: Math.max(10_000, world.providerCount + 16) }),
    records: new ProviderRecords(world.now),
    limiter: new RateLimiter({
      now: world.now,
      ratePerSecond: s.rateLimit.ratePerSecond,
      burst: s.rateLimit.burst,
    }),
    bookVersion: 0,
    recordsVersion: 0,
    rankings: [],
  }
}
