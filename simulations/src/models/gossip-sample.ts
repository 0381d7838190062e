/**
 * One sample of offer spread: a message propagated from one origin over an
 * overlay, reduced to what the run keeps (each observer's arrival, a strided
 * sample of every peer's arrival, coverage). A sample is a pure function of
 * its task, with its own random stream, so the samples of a refresh can run
 * on worker threads in any order and give the same figures as on one thread.
 */
import { substream } from '../engine/prng.js'
import type { LatencyModel } from '../network/latency.js'
import { type GossipOverlay, type GossipParameters, type GossipPeers, propagate } from './gossipsub.js'

/** The threads `requested` threads give a refresh of `samples` samples: never more than its samples, at least one. */
export function gossipSampleThreads(requested: number, samples: number): number {
  return Math.max(1, Math.min(requested, samples))
}

export interface GossipSampleTask {
  overlay: GossipOverlay
  peers: GossipPeers
  latency: LatencyModel
  params: GossipParameters
  origin: number
  messageBytes: number
  /** The sample's random stream: `substream(seed, stream)`. */
  seed: number
  stream: string
  observerPeers: Int32Array
  /** Every `stride`-th peer's arrival is kept for the spread figures. */
  stride: number
}

export interface GossipSampleResult {
  /** ms to each observer, in the task's observer order (Infinity: never reached). */
  observerArrival: Float32Array
  /** Arrivals (ms) of the online peers reached whose index is a multiple of the stride. */
  pooled: Float32Array
  reached: number
  online: number
  meshSends: number
  pulled: number
}

export function runGossipSample(task: GossipSampleTask): GossipSampleResult {
  const prop = propagate(
    task.overlay,
    task.peers,
    task.latency,
    task.params,
    substream(task.seed, task.stream),
    task.origin,
    { messageBytes: task.messageBytes },
  )
  const { online: isOnline, count } = task.peers
  const pooled: number[] = []
  let reached = 0
  let online = 0
  for (let i = 0; i < count; i++) {
    if (isOnline[i] !== 1) continue
    online++
    const t = prop.arrival[i] as number
    if (t === Number.POSITIVE_INFINITY) continue
    reached++
    if (i % task.stride === 0) pooled.push(t)
  }
  const observerArrival = new Float32Array(task.observerPeers.length)
  task.observerPeers.forEach((peer, o) => {
    observerArrival[o] = prop.arrival[peer] as number
  })
  return {
    observerArrival,
    pooled: Float32Array.from(pooled),
    reached,
    online,
    meshSends: prop.meshSends,
    pulled: prop.pulled,
  }
}
