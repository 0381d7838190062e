/**
 * Runs the spread samples of one gossip refresh: on this thread, or on a
 * pool of worker threads that share the overlay and the peer table through
 * SharedArrayBuffers (copied once per refresh, not once per sample). Every
 * sample has its own random stream, so the figures do not depend on the
 * number of threads.
 */
import { Tinypool } from 'tinypool'
import {
  type GossipSampleResult,
  type GossipSampleTask,
  gossipSampleThreads,
  runGossipSample,
} from './gossip-sample.js'

/** What differs between the samples of one refresh. */
export type GossipSampleOrigin = Pick<GossipSampleTask, 'origin' | 'stream'>
export type GossipRefreshTask = Omit<GossipSampleTask, 'origin' | 'stream'>

export interface GossipSampler {
  /** The samples' results, in the order of `samples`. */
  run(common: GossipRefreshTask, samples: readonly GossipSampleOrigin[]): Promise<GossipSampleResult[]>
  close(): Promise<void>
}

/** A sampler on worker threads for the samples of `samples`-sample refreshes (see gossipSampleThreads), or on this thread for 1. */
export function createGossipSampler(requested: number, samples: number): GossipSampler {
  const threads = gossipSampleThreads(requested, samples)
  if (threads === 1) {
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
      offsets: shared(overlay.offsets, (b) => new Int32Array(b)),
      edges: shared(overlay.edges, (b) => new Int32Array(b)),
      meshed: shared(overlay.meshed, (b) => new Uint8Array(b)),
      phase: shared(overlay.phase, (b) => new Float32Array(b)),
      widest: overlay.widest,
    },
    peers: {
      count: peers.count,
      online: shared(peers.online, (b) => new Uint8Array(b)),
      region: shared(peers.region, (b) => new Uint8Array(b)),
      bandwidth: shared(peers.bandwidth, (b) => new Float32Array(b)),
    },
  }
}

/** A copy of `a` in shared memory, made by `view` over a buffer of its size. */
function shared<T extends Int32Array | Uint8Array | Float32Array>(
  a: T,
  view: (buffer: SharedArrayBuffer) => T,
): T {
  const out = view(new SharedArrayBuffer(a.byteLength))
  out.set(a)
  return out
}
