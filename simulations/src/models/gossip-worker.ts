/** A worker thread of the gossip pool: one spread sample, or a whole round prepared ahead (see gossip-round.ts). */
import { type GossipRoundTask, runGossipRound } from './gossip-round.js'
import { type GossipSampleResult, type GossipSampleTask, runGossipSample } from './gossip-sample.js'

export function sample(task: GossipSampleTask): GossipSampleResult {
  return runGossipSample(task)
}

export function round(task: GossipRoundTask): GossipSampleResult[] {
  return runGossipRound(task)
}
