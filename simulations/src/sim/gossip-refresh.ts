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
import type { GossipRoundBase, GossipRoundTask } from '../models/gossip-round.js'
import type { GossipSampleResult } from '../models/gossip-sample.js'
import { applyGossip, gossipRefreshBase } from './market.js'
import type { World } from './world.js'

/** A round computed ahead, held settled: its failure is kept to be thrown when the round's time comes. */
type Settled = { results: GossipSampleResult[] } | { error: unknown }

export class GossipRefresh {
  readonly #world: World
  readonly #sampler: GossipSampler
  readonly #base: GossipRoundBase
  #ahead: { round: number; settled: Promise<Settled> } | undefined

  constructor(world: World, sampler: GossipSampler) {
    this.#world = world
    this.#sampler = sampler
    this.#base = gossipRefreshBase(world)
  }

  /** Refresh `round` takes effect now (the engine's time is its time); the next one is started ahead. */
  async refresh(round: number): Promise<void> {
    const world = this.#world
    applyGossip(world, await this.#results(round))
    const refreshMs = world.scenario.gossip.refreshMs
    const next = world.engine.now + refreshMs
    if (refreshMs <= 0 || next > world.scenario.durationMs) return
    const started = this.#sampler.ahead(
      this.#task(round + 1, world.churn.onlineBefore(next, world.peers.online)),
    )
    // a round still running when the run fails elsewhere is never awaited: the run's own error is the one reported
    if (started !== undefined) {
      const settled = started.then(
        (results): Settled => ({ results }),
        (error: unknown): Settled => ({ error }),
      )
      this.#ahead = { round: round + 1, settled }
    }
  }

  /** The round's samples: the ones prepared ahead (rethrowing their failure), else computed now. */
  async #results(round: number): Promise<GossipSampleResult[]> {
    const ahead = this.#ahead?.round === round ? this.#ahead.settled : undefined
    this.#ahead = undefined
    if (ahead === undefined) return this.#sampler.run(this.#task(round, this.#world.peers.online))
    const settled = await ahead
    if ('error' in settled) throw settled.error
    return settled.results
  }

  #task(round: number, online: Uint8Array): GossipRoundTask {
    const { peers } = this.#world
    return {
      ...this.#base,
      round,
      peers: { count: peers.count, online, region: peers.region, bandwidth: peers.bandwidth },
    }
  }
}
