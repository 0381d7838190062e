import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import { errorLine } from '@cocoon-mesh/protocol'
import type { Logger } from '@libp2p/interface'
import { type NodeState, removeNodeState, writeNodeState } from '../home/state.js'
import { summarizeOffer } from './node-options.js'
import type { ReachabilityTracker } from './reachability.js'

/**
 * The state file `cocoon status` reads: written at start, every 2 s and
 * shortly after each peer or offer change, removed at shutdown (only when this
 * process wrote it: another node's file of the same home is left alone).
 */
export class NodeStateFile {
  readonly #home: string
  readonly #providing: boolean
  /** When the node started, ms. */
  readonly startedAt = Date.now()
  #peer: CocoonPeer | undefined
  #reachability: ReachabilityTracker | undefined
  #log: Logger | undefined
  #report: ((line: string) => void) | undefined
  #ticker: ReturnType<typeof setInterval> | undefined
  #pending: ReturnType<typeof setTimeout> | undefined
  #stopped = false
  #written = false
  #failing = false

  constructor(home: string, providing: boolean) {
    this.#home = home
    this.#providing = providing
  }

  /** Starts keeping the file up to date for `peer`; the first failure to write it is reported on `report`. */
  track(peer: CocoonPeer, report: (line: string) => void, reachability?: ReachabilityTracker): void {
    this.#peer = peer
    this.#reachability = reachability
    this.#log = peer.libp2p.logger.forComponent('cocoon:node')
    this.#report = report
    this.#ticker = setInterval(() => void this.write(), 2000)
  }

  /** Writes the file within 200 ms (once for a burst of changes). */
  schedule(): void {
    if (this.#pending !== undefined || this.#stopped) return
    this.#pending = setTimeout(() => {
      this.#pending = undefined
      void this.write()
    }, 200)
  }

  /** Writes the file now; a failure is logged (and reported once until a write succeeds again). */
  async write(): Promise<void> {
    const peer = this.#peer
    if (peer === undefined || this.#stopped) return
    try {
      await writeNodeState(
        this.#home,
        nodeStateSnapshot(peer, {
          startedAt: this.startedAt,
          providing: this.#providing,
          reachability: this.#reachability,
        }),
      )
      this.#written = true
      this.#failing = false
    } catch (error) {
      this.#log?.error('writing the node state file failed - %e', error)
      if (!this.#failing) this.#report?.(`state-file-failed ${errorLine(error)}`)
      this.#failing = true
    }
  }

  /** Stops the updates. */
  stop(): void {
    this.#stopped = true
    if (this.#ticker !== undefined) clearInterval(this.#ticker)
    if (this.#pending !== undefined) clearTimeout(this.#pending)
  }

  async remove(): Promise<void> {
    this.stop()
    if (this.#written) await removeNodeState(this.#home)
  }
}

/** What `cocoon status` shows of a running peer: identity, addresses, peers, its own offer and its book. */
export function nodeStateSnapshot(
  peer: CocoonPeer,
  about: { startedAt: number; providing: boolean; reachability?: ReachabilityTracker | undefined },
): NodeState {
  const own = peer.libp2p.services.offerPublisher?.current
  return {
    pid: process.pid,
    peerId: peer.libp2p.peerId.toString(),
    startedAt: about.startedAt,
    updatedAt: Date.now(),
    addresses: peer.libp2p.getMultiaddrs().map(String),
    connectedPeers: [...new Set(peer.libp2p.getConnections().map((c) => c.remotePeer.toString()))],
    providing: about.providing,
    models: peer.orderBook.watching(),
    ...(own === undefined ? {} : { ownOffer: summarizeOffer(own, peer.orderBook.trustOf(own)) }),
    offers: peer.orderBook.entries().map((e) => summarizeOffer(e.offer, e.trust)),
    ...(about.reachability === undefined ? {} : { reachability: about.reachability.snapshot() }),
  }
}
