/** Picking a provider for a job: the ranked walk, probes, admission, and the start of execution. */

import { estimateJobCost, type JobSize, withinMaxPrice } from '@cocoon-mesh/client/matching'
import { type Admission, QueueFullError, type Release } from '@cocoon-mesh/gpu-runtime'
import { lookup } from '../models/kademlia.js'
import { reliableRoundTrip } from '../network/latency.js'
import { pathTransferMs, reachable } from '../network/nat.js'
import {
  EV_DIAL_FAILED,
  EV_JOB_DONE,
  EV_JOB_RETRY,
  EV_JOB_TIMEOUT,
  KIND_SPAM,
  KIND_STALL,
  KIND_SYBIL,
} from './events.js'
import { cheapestAvailable, nextAvailable, ranking } from './market.js'
import type { RankingCache, World } from './world.js'

/** Client probes whose rejection costs a round trip; further full providers are skipped as already known full. */
const CHARGED_PROBES = 3

/** An LLM job's size as the market code takes it: a `JobSize` with both token counts. */
type LlmJobSize = JobSize & { promptTokens: number; completionTokens: number }

/** The size of job `j`. */
function jobSize(world: World, j: number): LlmJobSize {
  return {
    kind: 'llm',
    promptTokens: world.jobPrompt[j] as number,
    completionTokens: world.jobCompletion[j] as number,
  }
}

/** The provider a pass over the ranking picked (`provider` -1: none), and what the pass cost. */
interface Pick {
  provider: number
  index: number
  /** Simulated ms spent on probes before the pick (round trips, timeouts). */
  delay: number
  /** A provider was skipped because the job would exceed the client's budget. */
  overBudget: boolean
}

/**
 * The client runs the real ranking (cached per observer, see `ranking`) and
 * asks providers in ranked order. The provider admits while it has a free
 * slot (capacity check; see the README for the missing admission seam).
 */
export function assign(world: World, j: number): void {
  const c = world.jobClient[j] as number
  const obs = world.observerOf(c)
  const model = world.jobModel[j] as number
  const cache = ranking(world, obs, model)
  world.jobAttempts[j] = (world.jobAttempts[j] as number) + 1
  world.metrics.attempts++
  world.metrics.add('attempts', world.engine.now)
  const pick = pickProvider(world, j, cache)
  if (pick.provider < 0) {
    noProvider(world, j, pick)
    return
  }
  const p = pick.provider
  if (world.providerKind[p] === KIND_SYBIL) {
    dialUnreachable(world, j, p, pick.delay)
    return
  }
  const perK = Number(cache.ranked[pick.index]?.prices.perKCompletionTokens ?? 0n)
  samplePriceRatio(world, j, model, perK)
  occupy(world, j, p, perK)
  startExecution(world, j, p, pick.delay)
  sampleDhtLookup(world, j, world.providerPeer[p] as number)
}

/** Walks the ranking from the top and takes the first provider that fits and admits the job. */
function pickProvider(world: World, j: number, cache: RankingCache): Pick {
  const s = world.scenario
  const m = world.metrics
  const c = world.jobClient[j] as number
  const g = world.clientGroup[c] as number
  const group = s.clients[g]
  const model = world.jobModel[j] as number
  const size = jobSize(world, j)
  const maxPrice = world.groupMaxPrice[g]
  const budgetLeft = (group?.budget ?? 0) - (world.clientSpent[c] as number)
  const pick: Pick = { provider: -1, index: -1, delay: 0, overBudget: false }
  const now = world.now()
  let from = 0
  for (;;) {
    const i = nextAvailable(cache, from)
    if (i < 0) return pick
    pick.delay += probeSkipped(world, j, cache, from, i)
    from = i + 1
    const p = cache.provider[i] as number
    if (p < 0 || p === world.jobLastFailed[j]) continue
    // from the cache's array: reading it off the offer object costs a cache miss per step
    if ((cache.offerExpiresAt[i] as number) <= now) continue
    const entry = cache.ranked[i]
    if (entry === undefined) continue
    const prices = entry.prices // the ranked model's own prices (offerPricesFor)
    if (!withinMaxPrice(prices, maxPrice)) continue
    if (Number(estimateJobCost(prices, size)) > budgetLeft) {
      pick.overBudget = true
      continue
    }
    const peer = world.providerPeer[p] as number
    if (!reachable(world.peers, peer) || world.providerKind[p] === KIND_SPAM) {
      // the relay is gone or the request is never answered: a timeout
      m.unreachableProbes++
      pick.delay += s.dht.timeoutMs
      if (world.providerKind[p] === KIND_SPAM || world.providerKind[p] === KIND_SYBIL)
        wasted(world, j, s.dht.timeoutMs)
      continue
    }
    // a Sybil's offer looks dialable: the client only learns otherwise when the dial times out
    if (world.providerKind[p] !== KIND_SYBIL && !admit(world, j, p, s.models[model]?.name ?? 'model'))
      continue
    pick.provider = p
    pick.index = i
    return pick
  }
}

/**
 * Providers ranked between `from` and `i` were full or gone: the client asked
 * (some of) them first. Returns the round trips the first CHARGED_PROBES cost.
 */
function probeSkipped(world: World, j: number, cache: RankingCache, from: number, i: number): number {
  const skipped = i - from
  if (skipped <= 0) return 0
  world.metrics.rejectionsFull += skipped
  const clientRegion = world.peers.region[world.clientPeers[world.jobClient[j] as number] as number] as number
  let delay = 0
  for (let k = 0; k < Math.min(skipped, CHARGED_PROBES); k++) {
    const q = cache.provider[from + k] as number
    const region = q >= 0 ? (world.peers.region[world.providerPeer[q] as number] as number) : clientRegion
    delay += reliableRoundTrip(
      world.latency,
      world.rng.net,
      clientRegion,
      region,
      world.scenario.network.rtoMs,
    ).ms
  }
  return delay
}

/** The provider's real admission: a free slot at once, or false on QueueFullError (no queue). */
function admit(world: World, j: number, p: number, model: string): boolean {
  let release: Release
  try {
    release = (world.admission[p] as Admission).admitNow(model)
  } catch (error) {
    if (!(error instanceof QueueFullError)) throw error
    world.metrics.rejectionsFull++
    return false
  }
  world.releases.set(j, release)
  return true
}

/** No provider took the job on this pass: retry after the probes and the retry delay, or fail at the cap. */
function noProvider(world: World, j: number, pick: Pick): void {
  const s = world.scenario
  if (world.jobAttempts[j]! < s.jobs.maxAttempts) {
    world.engine.schedule(pick.delay + s.jobs.retryDelayMs, EV_JOB_RETRY, j)
  } else {
    world.metrics.fail(pick.overBudget ? 'over-budget' : 'no-provider', world.engine.now)
  }
}

/** Price paid vs the cheapest capacity at this moment, before this job takes its slot (sampled). */
function samplePriceRatio(world: World, j: number, model: number, perK: number): void {
  const ratios = world.metrics.priceRatio
  if (!sampled(world, j, world.scenario.output.priceSamples, ratios.length)) return
  const cheapest = cheapestAvailable(world, model)
  if (cheapest < Number.POSITIVE_INFINITY && cheapest > 0) ratios.push(perK / cheapest)
}

/** Whether job `j` is one of `wanted` samples spread evenly over the run's jobs (`taken` so far). */
function sampled(world: World, j: number, wanted: number, taken: number): boolean {
  const every = Math.max(1, Math.floor(world.scenario.jobs.total / Math.max(1, wanted)))
  return wanted > 0 && j % every === 0 && taken < wanted
}

/** Job `j` takes a slot of provider `p` at `perK`. */
function occupy(world: World, j: number, p: number, perK: number): void {
  world.touchProvider(p)
  world.providerBusy[p] = (world.providerBusy[p] as number) + 1
  world.updateAvailability(p)
  world.jobProvider[j] = p
  world.jobEpoch[j] = world.providerEpoch[p] as number
  world.jobPriceK[j] = perK
}

/**
 * Request + accept, then input upload, execution, streamed output: the job
 * ends after that time, or a staller's after the client's timeout.
 */
function startExecution(world: World, j: number, p: number, delay: number): void {
  const s = world.scenario
  const clientPeer = world.clientPeers[world.jobClient[j] as number] as number
  const peer = world.providerPeer[p] as number
  const size = jobSize(world, j)
  const rt = reliableRoundTrip(
    world.latency,
    world.rng.net,
    world.peers.region[clientPeer] as number,
    world.peers.region[peer] as number,
    s.network.rtoMs,
  )
  const spec = s.models[world.jobModel[j] as number]
  const inBytes = size.promptTokens * (spec?.inputBytesPerToken ?? 4)
  const outBytes = size.completionTokens * 4
  const gpu = s.gpus[world.providerGpu[p] as number]
  const exec =
    (size.promptTokens / (gpu?.prefillTps ?? 1)) * 1000 +
    (size.completionTokens / (gpu?.decodeTps ?? 1)) * 1000
  const transfer =
    pathTransferMs(world.peers, clientPeer, peer, inBytes, s.network.relayLimitMbps) +
    pathTransferMs(world.peers, peer, clientPeer, outBytes, s.network.relayLimitMbps)
  if (world.providerKind[p] === KIND_STALL) {
    world.metrics.stallAssigned++
    wasted(world, j, rt.ms + s.jobs.timeoutMs)
    world.engine.schedule(delay + rt.ms + s.jobs.timeoutMs, EV_JOB_TIMEOUT, j, world.jobEpoch[j])
  } else {
    world.engine.schedule(delay + rt.ms + exec + transfer, EV_JOB_DONE, j, world.jobEpoch[j])
  }
}

/**
 * The client dials a provider that never answers: the attempt fails after
 * the dial timeout (EV_DIAL_FAILED), which counts against the attempt cap.
 */
function dialUnreachable(world: World, j: number, p: number, delay: number): void {
  world.metrics.sybilDials++
  wasted(world, j, world.scenario.jobs.dialTimeoutMs)
  world.engine.schedule(delay + world.scenario.jobs.dialTimeoutMs, EV_DIAL_FAILED, j, p)
}

/** Time job `j` lost to an attacker, in the job and in the series (at the moment it is committed). */
function wasted(world: World, j: number, ms: number): void {
  world.jobWastedMs[j] = (world.jobWastedMs[j] as number) + ms
  world.metrics.add('attacker_wasted_ms', world.engine.now, ms)
}

/** DHT: a sample of jobs also does a real-size Kademlia lookup for the provider's key. */
function sampleDhtLookup(world: World, j: number, peer: number): void {
  const s = world.scenario
  const m = world.metrics
  if (!sampled(world, j, s.dht.lookups, m.dhtHops.length)) return
  const clientPeer = world.clientPeers[world.jobClient[j] as number] as number
  const r = lookup(
    { dht: world.dht, peers: world.peers, now: world.engine.now },
    world.latency,
    world.rng.dht,
    clientPeer,
    world.dht.keyOfPeer[peer] as number,
  )
  m.dhtHops.push(r.hops)
  m.dhtMs.push(r.ms)
  m.dhtTimeouts += r.timeouts
  if (r.found) m.dhtFound++
}
