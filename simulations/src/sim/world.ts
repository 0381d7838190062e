import type { OfferBook, RateLimiter } from '@cocoon-mesh/client/market'
import type { ProviderRecords, RankedOffer } from '@cocoon-mesh/client/matching'
import { Admission, type Release } from '@cocoon-mesh/gpu-runtime'
import { Engine } from '../engine/engine.js'
import { pickWeighted, type Rng, substream } from '../engine/prng.js'
import { buildDht, type Dht } from '../models/kademlia.js'
import { ChurnTimeline } from '../network/churn-timeline.js'
import type { LatencyModel } from '../network/latency.js'
import { type PeerTable, ROLE_ADVERSARY, ROLE_CLIENT, ROLE_PROVIDER } from '../network/peers.js'
import type { Scenario } from '../scenario/types.js'
import { Channels } from './channels.js'
import { KIND_HONEST } from './events.js'
import { Metrics } from './metrics.js'
import {
  buildPeers,
  createObserver,
  groupRates,
  nonRelayPeers,
  observerPeers,
  providerKinds,
  runStreams,
  shuffleFirst,
} from './world-setup.js'

/** Sim time 0 maps to this Unix ms so offers carry plausible timestamps. */
export const EPOCH_MS = 1_800_000_000_000

/** A cached ranking of one observer's book for one model. */
export interface RankingCache {
  ranked: RankedOffer[]
  provider: Int32Array
  /** Expiry of each ranked offer, ms on the run's wall clock (`world.now()`). */
  offerExpiresAt: Float64Array
  at: number
  bookVersion: number
  recordsVersion: number
  expiresAt: number
  /** Position of each provider in `provider`, -1 when absent. */
  pos: Int32Array
  /** Bit i set when ranked provider i is online with a free slot. */
  avail: Uint32Array
}

/**
 * An observer: one real peer whose order book (the real OfferBook, fed
 * through the real gossip validation) stands for the view of every client in
 * its region. Books per client would cost O(clients × offers) memory.
 */
export interface Observer {
  peer: number
  region: number
  book: OfferBook
  records: ProviderRecords
  limiter: RateLimiter
  bookVersion: number
  recordsVersion: number
  /** The cached ranking per model index (an array: availability updates walk it twice per job). */
  rankings: (RankingCache | undefined)[]
}

/** All state of one run, in typed arrays where it scales with peers or jobs. */
export class World {
  readonly scenario: Scenario
  readonly seed: number
  readonly engine: Engine
  readonly peers: PeerTable
  readonly latency: LatencyModel
  readonly dht: Dht
  readonly metrics: Metrics
  readonly rng: { market: Rng; jobs: Rng; net: Rng; churn: Rng; demand: Rng; gossip: Rng; dht: Rng }
  /** Churn drawn ahead of the run (see ChurnTimeline). */
  readonly churn: ChurnTimeline
  readonly now = (): number => EPOCH_MS + this.engine.now

  // providers (index p; adversaries included, by kind)
  readonly providerCount: number
  readonly providerPeer: Int32Array
  readonly providerKind: Uint8Array
  readonly providerGroup: Int16Array
  readonly providerGpu: Uint8Array
  readonly providerBusy: Int32Array
  readonly providerMaxConc: Int32Array
  readonly providerPrice: Float64Array
  readonly providerEpoch: Int32Array
  readonly providerBusyMs: Float64Array
  readonly providerLastChange: Float64Array
  readonly providerUtilMark: Float64Array
  readonly utilSnapshot: Float64Array
  /** Sequence of the provider's newest offer (as number; offers carry it as bigint). */
  readonly providerSeq: Float64Array
  readonly providerIdString: string[] = []
  /** The real admission of each provider (gpu-runtime), one lane per served model, no queue. */
  readonly admission: Admission[] = []
  /** Slot releases of running jobs, by job index. */
  readonly releases = new Map<number, Release>()
  /** Promises from async market code started by the current event; awaited before the next event. */
  pending: Promise<unknown>[] = []
  readonly providerIndex = new Map<string, number>()
  readonly providerOfPeer: Int32Array

  // clients
  readonly clientPeers: Int32Array
  readonly clientGroup: Uint8Array
  readonly clientObserver: Uint8Array
  readonly clientSpent: Float64Array
  readonly groupClients: Int32Array[]

  // jobs
  readonly jobCap: number
  jobCount = 0
  readonly jobClient: Int32Array
  readonly jobProvider: Int32Array
  readonly jobModel: Uint8Array
  readonly jobPrompt: Int32Array
  readonly jobCompletion: Int32Array
  readonly jobAttempts: Uint8Array
  readonly jobEpoch: Int32Array
  readonly jobLastFailed: Int32Array
  readonly jobPriceK: Float64Array
  /** Simulated ms the job lost to attackers: dial timeouts, stalls, unanswered probes. */
  readonly jobWastedMs: Float64Array

  // offers published (index o)
  readonly offerBytes: Uint8Array[] = []
  readonly offerProvider: number[] = []

  readonly observers: Observer[] = []
  readonly gossipDelay: Float32Array

  // demand
  readonly groupRate: Float64Array
  /** Each client group's max price, as the market code takes it (built once, not per job). */
  readonly groupMaxPrice: { perKCompletionTokens: bigint }[]
  readonly groupOn: Uint8Array
  readonly channels: Channels

  constructor(scenario: Scenario, seed: number) {
    const s = scenario
    this.scenario = scenario
    this.seed = seed
    this.engine = new Engine(1 << 16)
    this.rng = runStreams(seed)
    this.churn = new ChurnTimeline(s.churn, this.rng.churn)
    this.latency = { matrix: s.regions.latencyMs, jitter: s.network.jitter, loss: s.network.loss }
    const setup = substream(seed, 'setup')
    this.peers = buildPeers(s, setup)
    this.dht = buildDht(this.peers, setup, s.dht)
    this.metrics = new Metrics(s)

    // roles: providers first (after relays), then adversaries, the rest clients
    const kinds = providerKinds(s)
    const candidates = nonRelayPeers(this.peers)
    const P = Math.min(kinds.length, candidates.length - 1)
    shuffleFirst(candidates, P, setup)
    this.providerCount = P
    this.providerPeer = new Int32Array(P)
    this.providerKind = new Uint8Array(P)
    this.providerGroup = new Int16Array(P)
    this.providerGpu = new Uint8Array(P)
    this.providerBusy = new Int32Array(P)
    this.providerMaxConc = new Int32Array(P)
    this.providerPrice = new Float64Array(P)
    this.providerEpoch = new Int32Array(P)
    this.providerBusyMs = new Float64Array(P)
    this.providerLastChange = new Float64Array(P)
    this.providerUtilMark = new Float64Array(P)
    this.utilSnapshot = new Float64Array(P)
    this.providerSeq = new Float64Array(P)
    this.providerOfPeer = new Int32Array(this.peers.count).fill(-1)
    for (let p = 0; p < P; p++) this.placeProvider(p, candidates[p] as number, kinds[p] as number, setup)

    const clients = candidates.slice(P)
    this.clientPeers = Int32Array.from(clients)
    this.clientGroup = new Uint8Array(clients.length)
    this.clientObserver = new Uint8Array(clients.length)
    this.clientSpent = new Float64Array(clients.length)
    const perGroup = this.groupClientsOf(setup)
    this.groupClients = perGroup.map((list) => Int32Array.from(list))
    this.groupRate = groupRates(s, perGroup)
    this.groupMaxPrice = s.clients.map((g) => ({ perKCompletionTokens: BigInt(Math.round(g.maxPrice)) }))
    this.groupOn = new Uint8Array(s.clients.length).fill(1)

    this.jobCap = s.jobs.total
    this.jobClient = new Int32Array(this.jobCap)
    this.jobProvider = new Int32Array(this.jobCap).fill(-1)
    this.jobModel = new Uint8Array(this.jobCap)
    this.jobPrompt = new Int32Array(this.jobCap)
    this.jobCompletion = new Int32Array(this.jobCap)
    this.jobAttempts = new Uint8Array(this.jobCap)
    this.jobEpoch = new Int32Array(this.jobCap)
    this.jobLastFailed = new Int32Array(this.jobCap).fill(-1)
    this.jobPriceK = new Float64Array(this.jobCap).fill(Number.NaN)
    this.jobWastedMs = new Float64Array(this.jobCap)

    for (const peer of observerPeers(this.peers, clients, s)) this.observers.push(createObserver(this, peer))
    this.assignClientObservers()
    this.channels = new Channels()
    this.gossipDelay = new Float32Array(s.gossip.samples * this.observers.length)
  }

  /** Makes peer `peer` provider `p` of `kind`: its group, GPU and real admission. */
  private placeProvider(p: number, peer: number, kind: number, setup: Rng): void {
    const s = this.scenario
    this.providerPeer[p] = peer
    this.providerOfPeer[peer] = p
    this.providerKind[p] = kind
    this.peers.role[peer] = kind === KIND_HONEST ? ROLE_PROVIDER : ROLE_ADVERSARY
    this.providerGroup[p] = pickWeighted(
      s.providers.map((g) => g.share),
      setup,
    )
    this.providerGpu[p] = pickWeighted(
      s.gpus.map((g) => g.share),
      setup,
    )
    const group = s.providers[this.providerGroup[p] as number]
    this.providerMaxConc[p] = group?.maxConcurrency ?? 1
    const limits = { maxConcurrency: this.providerMaxConc[p] as number, maxQueue: 0 }
    this.admission.push(
      new Admission({
        limits: Object.fromEntries((group?.models ?? [0]).map((m) => [s.models[m]?.name ?? 'model', limits])),
        now: this.now,
        // with no queue nothing ever waits, so no deadline timers are needed
        schedule: () => () => {},
      }),
    )
  }

  /** Draws each client's group; returns the clients of each group. */
  private groupClientsOf(setup: Rng): number[][] {
    const s = this.scenario
    const clientWeights = s.clients.map((g) => g.share)
    const perGroup: number[][] = s.clients.map(() => [])
    for (let c = 0; c < this.clientPeers.length; c++) {
      const g = pickWeighted(clientWeights, setup)
      this.clientGroup[c] = g
      perGroup[g]?.push(c)
      this.peers.role[this.clientPeers[c] as number] = ROLE_CLIENT
    }
    return perGroup
  }

  /**
   * Each client uses the book of an observer with the lowest latency from its
   * region; the clients of a region with several such observers are dealt
   * over them in turn, so every observer's book is in use.
   */
  private assignClientObservers(): void {
    const latencyMs = this.scenario.regions.latencyMs
    const nearest = this.scenario.regions.names.map((_, region) => {
      const lat = (o: Observer): number => latencyMs[region]?.[o.region] ?? 0
      const best = Math.min(...this.observers.map(lat))
      return this.observers.flatMap((o, i) => (lat(o) === best ? [i] : []))
    })
    const dealt = new Int32Array(nearest.length)
    for (let c = 0; c < this.clientPeers.length; c++) {
      const region = this.peers.region[this.clientPeers[c] as number] as number
      const ties = nearest[region] ?? [0]
      const n = dealt[region] as number
      dealt[region] = n + 1
      this.clientObserver[c] = ties[n % ties.length] ?? 0
    }
  }

  /** The observer whose book client `c` uses. */
  observerOf(c: number): Observer {
    return this.observers[this.clientObserver[c] as number] as Observer
  }

  /** Whether a provider can take a job now (online, free slot): what the availability bitsets track. */
  available(p: number): boolean {
    return (
      this.peers.online[this.providerPeer[p] as number] === 1 &&
      (this.providerBusy[p] as number) < (this.providerMaxConc[p] as number)
    )
  }

  /** Re-reads a provider's availability into every cached ranking that holds it. */
  updateAvailability(p: number): void {
    const on = this.available(p)
    for (const obs of this.observers) {
      for (let m = 0; m < obs.rankings.length; m++) {
        const cache = obs.rankings[m]
        if (cache === undefined) continue
        const i = cache.pos[p] as number
        if (i < 0) continue
        const w = i >>> 5
        const bit = 1 << (i & 31)
        cache.avail[w] = on ? (cache.avail[w] as number) | bit : (cache.avail[w] as number) & ~bit
      }
    }
  }

  /** Integrates busy time of a provider up to now (for utilisation). */
  touchProvider(p: number): void {
    const now = this.engine.now
    this.providerBusyMs[p] =
      (this.providerBusyMs[p] as number) +
      (this.providerBusy[p] as number) * (now - (this.providerLastChange[p] as number))
    this.providerLastChange[p] = now
  }
}
