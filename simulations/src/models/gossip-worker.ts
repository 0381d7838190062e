/** A worker thread of the gossip pool: runs one spread sample (see gossip-sample.ts). */
import { type GossipSampleResult, type GossipSampleTask, runGossipSample } from './gossip-sample.js'

export default function runTask(task: GossipSampleTask): GossipSampleResult {
  return runGossipSample(task)
}
