/**
 * When the gossip spread is recomputed: at the start, then every
 * `gossip.refreshMs` over the peers online then. With a thread to spare,
 * each refresh is prepared ahead: as one takes effect, the next is started
 * on another thread over the peers the churn timeline says will be online at
 * its time, and the run goes on meanwhile. Churn depends on nothing else, so
 * that set is the very one the run reaches, and the figures are those of a
 * refresh computed at its time.
 */
import type { GossipSampler } from '../models/gossip-pool.js'
import type { GossipSampleResult } from '../models/gossip-sample.js'
import { applyGossip, gossipRoundTask } from './market.js'
import type { World } from './world.js'

export class GossipRefresh {
  readonly #world: World
  readonly #sampler: GossipSampler
  #ahead: { round: number; results: Promise<GossipSampleResult[]> } | undefined

  constructor(world: World, sampler: GossipSampler) {
    this.#world = world
    this.#sampler = sampler
  }

  /** Refresh `round` takes effect now (the engine's time is its time); the next one is started ahead. */
  async refresh(round: number): Promise<void> {
    const world = this.#world
    const ahead = this.#ahead?.round === round ? this.#ahead.results : undefined
    this.#ahead = undefined
    const results = await (ahead ?? this.#sampler.run(gossipRoundTask(world, round, world.peers.online)))
    applyGossip(world, results)
    const refreshMs = world.scenario.gossip.refreshMs
    const next = world.engine.now + refreshMs
    if (refreshMs <= 0 || next > world.scenario.durationMs) return
    const online = world.churn.onlineBefore(next, world.peers.online)
    const started = this.#sampler.ahead(gossipRoundTask(world, round + 1, online))
    if (started !== undefined) this.#ahead = { round: round + 1, results: started }
  }
}
