/**
 * Runs the gossip refreshes: on this thread, or on a pool of worker threads.
 * A refresh due now builds its overlay here and spreads its samples over the
 * threads, which share the overlay and the peer table through
 * SharedArrayBuffers (copied once per refresh, not once per sample). A
 * refresh prepared ahead runs whole on one thread while this one goes on
 * with the run. Every sample has its own random stream, so the figures do
 * not depend on the number of threads.
 */
import { Tinypool } from 'tinypool'
import {
  type GossipRefreshTask,
  type GossipRoundTask,
  planGossipRound,
  runGossipRound,
} from './gossip-round.js'
import { type GossipSampleResult, gossipSampleThreads } from './gossip-sample.js'
import type { GossipPeers } from './gossipsub.js'

export type { GossipRoundTask, GossipSampleOrigin } from './gossip-round.js'

export interface GossipSampler {
  /** The round's samples' results, in order, computed now. */
  run(task: GossipRoundTask): Promise<GossipSampleResult[]>
  /** The round computed on another thread while this one goes on (the caller handles its failure); undefined with no thread to spare. */
  ahead(task: GossipRoundTask): Promise<GossipSampleResult[]> | undefined
  close(): Promise<void>
}

/** A sampler on worker threads for the samples of `samples`-sample refreshes (see gossipSampleThreads), or on this thread for 1. */
export function createGossipSampler(requested: number, samples: number): GossipSampler {
  const threads = gossipSampleThreads(requested, samples)
  if (threads === 1) {
    return {
      run: async (task) => runGossipRound(task),
      ahead: () => undefined,
      close: async () => {},
    }
  }
  const pool = new Tinypool({
    filename: new URL('./gossip-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
  })
  // the peers' regions and bandwidths never change: shared once for the run
  let statics: Pick<GossipPeers, 'region' | 'bandwidth'> | undefined
  const sharedPeers = (peers: GossipPeers): GossipPeers => {
    statics ??= {
      region: shared(peers.region, (b) => new Uint8Array(b)),
      bandwidth: shared(peers.bandwidth, (b) => new Float32Array(b)),
    }
    return { count: peers.count, online: shared(peers.online, (b) => new Uint8Array(b)), ...statics }
  }
  return {
    run: async (task) => {
      const { common, origins } = planGossipRound(task)
      const refresh = share(common, sharedPeers(common.peers))
      return Promise.all(
        origins.map((o) => pool.run({ ...refresh, ...o }, { name: 'sample' }) as Promise<GossipSampleResult>),
      )
    },
    ahead: (task) =>
      pool.run({ ...task, peers: sharedPeers(task.peers) }, { name: 'round' }) as Promise<
        GossipSampleResult[]
      >,
    close: () => pool.destroy(),
  }
}

/** The refresh with its overlay moved into shared memory, which structured cloning passes without a copy. */
function share(task: GossipRefreshTask, peers: GossipPeers): GossipRefreshTask {
  const { overlay } = task
  return {
    ...task,
    overlay: {
      offsets: shared(overlay.offsets, (b) => new Int32Array(b)),
      edges: shared(overlay.edges, (b) => new Int32Array(b)),
      meshed: shared(overlay.meshed, (b) => new Uint8Array(b)),
      phase: shared(overlay.phase, (b) => new Float32Array(b)),
      widest: overlay.widest,
    },
    peers,
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
