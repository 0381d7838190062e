/**
 * One gossip refresh: the overlay of the peers online at that moment, and
 * the spread samples over it. Everything random in it comes from streams
 * named by its round, so a round is a pure function of its task: computed at
 * its time or ahead of it, on this thread or another, it gives the same
 * figures.
 */
import { substream } from '../engine/prng.js'
import { type GossipSampleResult, type GossipSampleTask, runGossipSample } from './gossip-sample.js'
import type { GossipOverlay, GossipParameters } from './gossipsub.js'
import { buildOverlay } from './overlay.js'

/** What differs between the samples of one round. */
export type GossipSampleOrigin = Pick<GossipSampleTask, 'origin' | 'stream'>
/** What the samples of one round share. */
export type GossipRefreshTask = Omit<GossipSampleTask, 'origin' | 'stream'>

export interface GossipRoundTask extends Omit<GossipRefreshTask, 'overlay' | 'params'> {
  params: GossipParameters
  /** 0 for the start, which connects every peer; then 1, 2, ... over the peers online (`peers.online`). */
  round: number
  samples: number
  /** The peer of each provider: the samples' origins are providers. */
  providerPeers: Int32Array
}

/** What every round of a run shares: all but the round and who is online. */
export type GossipRoundBase = Omit<GossipRoundTask, 'round' | 'peers'>

/** The round's overlay and its samples' origins, drawn from the round's own streams. */
export function planGossipRound(task: GossipRoundTask): {
  common: GossipRefreshTask
  origins: GossipSampleOrigin[]
} {
  const { round, samples, providerPeers, ...rest } = task
  const online = round > 0 ? task.peers.online : undefined
  const overlay: GossipOverlay = buildOverlay(
    task.peers.count,
    task.params,
    substream(task.seed, `gossip-overlay:${round}`),
    online,
  )
  const draw = substream(task.seed, `gossip-origins:${round}`)
  const origins: GossipSampleOrigin[] = []
  for (let k = 0; k < samples; k++) {
    const origin = providerPeers.length === 0 ? 0 : (providerPeers[draw.int(providerPeers.length)] as number)
    origins.push({ origin, stream: `gossip-sample:${round}:${k}` })
  }
  return { common: { ...rest, overlay }, origins }
}

/** The whole round on this thread: its samples' results in order. */
export function runGossipRound(task: GossipRoundTask): GossipSampleResult[] {
  const { common, origins } = planGossipRound(task)
  return origins.map((o) => runGossipSample({ ...common, ...o }))
}
