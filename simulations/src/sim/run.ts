import { providerIdOf } from '@cocoon-mesh/client/matching'
import type { EventHandler } from '../engine/engine.js'
import { createGossipSampler } from '../models/gossip-pool.js'
import { sessionLength } from '../network/churn.js'
import { ROLE_RELAY } from '../network/peers.js'
import type { Scenario } from '../scenario/types.js'
import { createSimCrypto, type SimCrypto } from './crypto.js'
import { arrival, startDemand, toggleBurst } from './demand.js'
import { type Distributions, distributions } from './distributions.js'
import {
  EV_ARRIVAL,
  EV_BUCKET,
  EV_BURST_TOGGLE,
  EV_DELIVER,
  EV_DIAL_FAILED,
  EV_GOSSIP_REFRESH,
  EV_JOB_DONE,
  EV_JOB_RETRY,
  EV_JOB_TIMEOUT,
  EV_PEER_JOIN,
  EV_PEER_LEAVE,
  EV_PUBLISH,
  EV_SPAM,
  KIND_HONEST,
  KIND_OVERCLAIM,
  KIND_SPAM,
  KIND_STALL,
} from './events.js'
import { GossipRefresh } from './gossip-refresh.js'
import { assign } from './jobs.js'
import {
  cheapestAvailable,
  deliver,
  type FirstHop,
  nextPublishDelay,
  publish,
  schedulePublishing,
} from './market.js'
import { closeChannels, dialFailed, jobDone, jobTimeout } from './outcomes.js'
import { initialPrice, repriced } from './pricing.js'
import { RelayScore } from './relay-score.js'
import { buildSummary, type Summary, seriesCsv } from './summary.js'
import { type Observer, World } from './world.js'
import { createObserver } from './world-setup.js'

export interface RunOptions {
  seed?: number
  /** Called now and then with the fraction of simulated time done. */
  onProgress?: (fraction: number) => void
  /**
   * Threads the gossip spread samples run on (default 1: this thread). The
   * figures do not depend on it; a sweep, whose runs already fill the cores,
   * leaves it at 1. The threads load the built worker (`dist/`), so more than
   * one needs the built package.
   */
  gossipThreads?: number
}

export interface RunResult {
  summary: Summary
  csv: string
  series: Record<string, number[]>
  /** Cumulative curves of spread, lookup time and price for the report. */
  distributions: Distributions
  events: number
}

/** Runs a validated scenario to the end of its simulated time. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const world = new World(scenario, options.seed ?? scenario.seed)
  const crypto = await createSimCrypto(scenario.crypto.mode, world.providerCount, world.rng.market)
  registerProviders(world, crypto)
  // the first hop of every publication: a relay's real book, rate limiter and scores of senders
  const firstHop: FirstHop = {
    ...createObserver(world, -1),
    score: new RelayScore({ models: scenario.models.map((m) => m.name), now: world.now }),
  }
  const sampler = createGossipSampler(options.gossipThreads ?? 1, scenario.gossip.samples)
  let events: number
  try {
    // churn first: the first refresh looks ahead at who will be online at the next
    scheduleChurn(world)
    const gossip = new GossipRefresh(world, sampler)
    await gossip.refresh(0)
    if (scenario.gossip.refreshMs > 0) world.engine.schedule(scenario.gossip.refreshMs, EV_GOSSIP_REFRESH, 1)
    schedulePublishing(world)
    startDemand(world)
    world.engine.schedule(world.metrics.bucketMs, EV_BUCKET, 0)
    events = await runEvents(world, eventHandler(world, crypto, firstHop, gossip), options.onProgress)
  } finally {
    await sampler.close()
  }
  closeChannels(world)
  for (let p = 0; p < world.providerCount; p++) world.touchProvider(p)
  world.metrics.realSigns = crypto.signs
  world.metrics.realVerifies = crypto.verifies
  const summary = buildSummary(world, events, crypto)
  const { csv, series } = seriesCsv(world)
  options.onProgress?.(1)
  return { summary, csv, series, distributions: distributions(world), events }
}

/** Gives every provider its peer id (from its key) and its first price. */
function registerProviders(world: World, crypto: SimCrypto): void {
  for (let p = 0; p < world.providerCount; p++) {
    world.providerIdString.push(providerIdOf({ provider: crypto.providerBytes(p) }))
    world.providerIndex.set(world.providerIdString[p] as string, p)
    world.providerPrice[p] = initialPrice(world, p)
  }
}

/** What each event kind does (`a`, `b`: the event's arguments). */
function eventHandler(
  world: World,
  crypto: SimCrypto,
  firstHop: FirstHop,
  gossip: GossipRefresh,
): EventHandler {
  const e = world.engine
  return (kind, a, b) => {
    switch (kind) {
      case EV_ARRIVAL:
        arrival(world, a)
        break
      case EV_BURST_TOGGLE:
        toggleBurst(world, a)
        break
      case EV_PUBLISH:
        if (world.peers.online[world.providerPeer[a] as number] !== 1) break
        world.providerPrice[a] = repriced(world, a)
        world.pending.push(publish(world, crypto, a, firstHop))
        e.schedule(nextPublishDelay(world, a), EV_PUBLISH, a)
        break
      case EV_SPAM: {
        const rate = world.scenario.adversaries.spam.offersPerSecond
        e.schedule(world.rng.market.exp(1000 / rate), EV_SPAM, a)
        if (world.peers.online[world.providerPeer[a] as number] === 1)
          world.pending.push(publish(world, crypto, a, firstHop))
        break
      }
      case EV_DELIVER:
        world.pending.push(deliver(world, crypto, a, b))
        break
      case EV_JOB_DONE:
        jobDone(world, a, b)
        break
      case EV_JOB_TIMEOUT:
        jobTimeout(world, a)
        break
      case EV_JOB_RETRY:
        assign(world, a)
        break
      case EV_DIAL_FAILED:
        dialFailed(world, a, b)
        break
      case EV_PEER_LEAVE:
        leave(world, a)
        break
      case EV_PEER_JOIN:
        join(world, a)
        break
      case EV_GOSSIP_REFRESH:
        // `a` counts the refreshes, naming each one's random streams
        world.pending.push(gossip.refresh(a))
        e.schedule(world.scenario.gossip.refreshMs, EV_GOSSIP_REFRESH, a + 1)
        break
      case EV_BUCKET:
        sampleBucket(world, a)
        if (a + 1 < world.metrics.buckets) e.schedule(world.metrics.bucketMs, EV_BUCKET, a + 1)
        break
    }
  }
}

/**
 * Steps the engine to the end of simulated time; returns the number of events.
 * The market code's validation is async: it is awaited before the next event so time and order stay exact.
 */
async function runEvents(
  world: World,
  handler: EventHandler,
  onProgress: RunOptions['onProgress'],
): Promise<number> {
  const e = world.engine
  const until = world.scenario.durationMs
  let events = 0
  let lastReport = -1
  while (e.step(handler, until)) {
    events++
    if (world.pending.length > 0) {
      const ps = world.pending
      world.pending = []
      await Promise.all(ps)
    }
    if ((events & 0xffff) === 0 && onProgress !== undefined) {
      const pct = Math.floor((e.now / until) * 100)
      if (pct !== lastReport) {
        lastReport = pct
        onProgress(e.now / until)
      }
    }
  }
  return events
}

/** Draws who churns and when each leaves first; the timeline draws the rest, in the order the run meets it. */
function scheduleChurn(world: World): void {
  const c = world.scenario.churn
  if (c.fraction <= 0) return
  const keep = new Set<number>(world.observers.map((o) => o.peer))
  for (let i = 0; i < world.peers.count; i++) {
    if (keep.has(i) || world.peers.role[i] === ROLE_RELAY) continue
    if (!world.rng.churn.chance(c.fraction)) continue
    const at =
      world.engine.now + Math.max(0, sessionLength(c.session, world.rng.churn) * world.rng.churn.next())
    world.churn.start(i, at)
    world.engine.scheduleAt(at, EV_PEER_LEAVE, i)
  }
}

function leave(world: World, peer: number): void {
  world.peers.online[peer] = 0
  world.peers.since[peer] = world.engine.now
  const p = world.providerOfPeer[peer] as number
  if (p >= 0) {
    world.providerEpoch[p] = (world.providerEpoch[p] as number) + 1
    world.updateAvailability(p)
  }
  world.engine.scheduleAt(world.churn.take(peer, world.engine.now).next, EV_PEER_JOIN, peer)
}

function join(world: World, peer: number): void {
  world.peers.online[peer] = 1
  world.peers.since[peer] = world.engine.now
  const p = world.providerOfPeer[peer] as number
  if (p >= 0) world.updateAvailability(p)
  if (p >= 0 && world.providerKind[p] !== KIND_SPAM) world.engine.schedule(0, EV_PUBLISH, p)
  world.engine.scheduleAt(world.churn.take(peer, world.engine.now).next, EV_PEER_LEAVE, peer)
}

function sampleBucket(world: World, b: number): void {
  const m = world.metrics
  let online = 0
  for (let i = 0; i < world.peers.count; i++) online += world.peers.online[i] as number
  let slots = 0
  let busy = 0
  for (let p = 0; p < world.providerCount; p++) {
    const k = world.providerKind[p]
    if (k !== KIND_HONEST && k !== KIND_OVERCLAIM && k !== KIND_STALL) continue
    if (world.peers.online[world.providerPeer[p] as number] !== 1) continue
    slots += world.providerMaxConc[p] as number
    busy += world.providerBusy[p] as number
  }
  const model = 0
  const cheapest = cheapestAvailable(world, model)
  m.set('online_peers', b, online)
  m.set('utilisation', b, slots === 0 ? 0 : busy / slots)
  m.set('cheapest_offer', b, cheapest === Number.POSITIVE_INFINITY ? Number.NaN : cheapest)
  m.set('book_size', b, (world.observers[0] as Observer).book.size)
  m.set('spam_in_books', b, m.spamInHonestBooks)
}

export type { SimCrypto }
