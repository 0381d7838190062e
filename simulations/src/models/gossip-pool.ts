/**
 * Runs the spread samples of one gossip refresh: on this thread, or on a
 * pool of worker threads that share the overlay and the peer table through
 * SharedArrayBuffers (copied once per refresh, not once per sample). Every
 * sample has its own random stream, so the figures do not depend on the
 * number of threads.
 */
import { Tinypool } from 'tinypool'
import type { GossipSampleResult, GossipSampleTask } from './gossip-sample.js'
import { runGossipSample } from './gossip-sample.js'

/** What differs between the samples of one refresh. */
export type GossipSampleOrigin = Pick<GossipSampleTask, 'origin' | 'stream'>
export type GossipRefreshTask = Omit<GossipSampleTask, 'origin' | 'stream'>

export interface GossipSampler {
  /** The samples' results, in the order of `samples`. */
  run(common: GossipRefreshTask, samples: readonly GossipSampleOrigin[]): Promise<GossipSampleResult[]>
  close(): Promise<void>
}

/** A sampler on `threads` worker threads, or on this thread for 1 (or fewer). */
export function createGossipSampler(threads: number): GossipSampler {
  if (threads <= 1) {
    return {
      run: async (common, samples) => samples.map((s) => runGossipSample({ ...common, ...s })),
      close: async () => {},
    }
  }
  const pool = new Tinypool({
    filename: new URL('./gossip-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
  })
  return {
    run: async (common, samples) => {
      const shared = share(common)
      return Promise.all(samples.map((s) => pool.run({ ...shared, ...s }) as Promise<GossipSampleResult>))
    },
    close: () => pool.destroy(),
  }
}

/** The task with its large arrays moved into shared memory, which structured cloning passes without a copy. */
function share(task: GossipRefreshTask): GossipRefreshTask {
  const { overlay, peers } = task
  return {
    ...task,
    overlay: {
      ...overlay,
      offsets: sharedInt32(overlay.offsets),
      edges: sharedInt32(overlay.edges),
      outbound: sharedUint8(overlay.outbound),
      meshed: sharedUint8(overlay.meshed),
      phase: sharedFloat32(overlay.phase),
    },
    peers: {
      count: peers.count,
      online: sharedUint8(peers.online),
      region: sharedUint8(peers.region),
      bandwidth: sharedFloat32(peers.bandwidth),
    },
  }
}

function sharedInt32(a: Int32Array): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(a.byteLength))
  out.set(a)
  return out
}

function sharedUint8(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(a.byteLength))
  out.set(a)
  return out
}

function sharedFloat32(a: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(a.byteLength))
  out.set(a)
  return out
}
