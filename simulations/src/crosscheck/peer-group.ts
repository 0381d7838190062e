import { type CocoonPeer, type CreatePeerOptions, createPeer } from '@cocoon-mesh/client/internal'
import { errorMessage, orderBookTopic } from '@cocoon-mesh/protocol'
import type { PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import PQueue from 'p-queue'
import pRetry from 'p-retry'
import { realLookup } from './dht.js'
import { type HostResult, type HostResultOf, sharedNow } from './host-protocol.js'

export const MODEL = 'llama-3.1-8b'
/** Dials a group has in flight at once. */
const DIAL_CONCURRENCY = 8
/** Further tries of a dial that failed. */
const DIAL_RETRIES = 2
const TOPIC = orderBookTopic(MODEL)

/** How the peers of a cross-check are wired: in one process over the memory transport, or over TCP. */
export type GroupTransport = { kind: 'memory'; latencyMs: number } | { kind: 'tcp' }

type Result<K extends HostResult['op']> = HostResultOf<K>

/**
 * The operations of the cross-check on a set of real peers, each known by
 * its index in the whole network. One group holds every peer when they
 * share this process; with several processes each host holds one group and
 * the coordinator reaches it over IPC (`RemoteGroup`).
 */
export interface Group {
  start(indices: number[], heartbeatMs: number): Promise<Result<'start'>>
  dial(edges: Array<[from: number, addr: string]>): Promise<Result<'dial'>>
  subscribed(): Promise<Result<'subscribed'>>
  /** Starts recording arrivals and first-copy sources for the next offer. */
  begin(): Promise<void>
  /** The provider (peer 0) publishes offer `m`. */
  publish(m: number): Promise<Result<'publish'>>
  collect(sequence: string): Promise<Result<'collect'>>
  lookup(index: number, key: number[]): Promise<Result<'lookup'>>
  stop(): Promise<void>
}

/** The part of gossipsub's `gossipsub:message` event read here. */
interface GossipsubMessage {
  propagationSource: PeerId
  msg: { topic: string }
}

/** Order-book change events carry the entry whose offer changed. */
type BookChange = CustomEvent<{ entry: { offer: { sequence: bigint } } }>

/** A group of real Cocoon peers in this process. */
export class LocalGroup implements Group {
  private readonly peers = new Map<number, CocoonPeer>()
  /** Per offer sequence, when it entered each peer's book (shared clock). */
  private arrivals = new Map<string, Map<number, number>>()
  private sources = new Map<number, string>()
  /** Each peer's mesh on the topic, as its GRAFT and PRUNE events tell it. */
  private readonly meshes = new Map<number, Set<string>>()

  constructor(private readonly transport: GroupTransport) {}

  async start(indices: number[], heartbeatMs: number): Promise<Result<'start'>> {
    for (const index of indices) {
      const peer = await createPeer(this.peerInit(index, heartbeatMs))
      this.peers.set(index, peer)
      this.watch(index, peer)
    }
    return {
      peers: indices.map((index) => {
        const p = this.peer(index).libp2p
        return { index, id: p.peerId.toString(), addr: p.getMultiaddrs()[0]?.toString() ?? '' }
      }),
    }
  }

  private peerInit(index: number, heartbeatMs: number): CreatePeerOptions {
    const wiring: CreatePeerOptions =
      this.transport.kind === 'memory'
        ? { transport: 'memory', memoryLatency: this.transport.latencyMs }
        : { transport: 'tcp', listen: ['/ip4/127.0.0.1/tcp/0'] }
    return {
      ...wiring,
      heartbeatInterval: heartbeatMs,
      // the mesh alone: peers sharing this machine's cores delay the flood's later copies (see the README)
      floodPublish: false,
      models: [MODEL],
      offerTtlMs: 600_000,
      ...(index === 0 ? { provide: { models: [MODEL], prices: prices(0) } } : {}),
    }
  }

  /** Records every offer's first arrival in the peer's real order book, and the source of its first gossip copy. */
  private watch(index: number, peer: CocoonPeer): void {
    peer.orderBook.addEventListener('change', ((evt: BookChange) => {
      const sequence = evt.detail.entry.offer.sequence.toString()
      const at = this.arrivals.get(sequence) ?? new Map<number, number>()
      this.arrivals.set(sequence, at)
      if (!at.has(index)) at.set(index, sharedNow())
    }) as never)
    peer.libp2p.services.pubsub?.addEventListener(
      'gossipsub:message',
      (evt: CustomEvent<GossipsubMessage>) => {
        if (evt.detail.msg.topic === TOPIC && !this.sources.has(index))
          this.sources.set(index, evt.detail.propagationSource.toString())
      },
    )
    const mesh = new Set<string>()
    this.meshes.set(index, mesh)
    peer.libp2p.services.pubsub?.addEventListener('gossipsub:graft', (evt) => {
      if (evt.detail.topic === TOPIC) mesh.add(evt.detail.peerId.toString())
    })
    peer.libp2p.services.pubsub?.addEventListener('gossipsub:prune', (evt) => {
      if (evt.detail.topic === TOPIC) mesh.delete(evt.detail.peerId.toString())
    })
  }

  private peer(index: number): CocoonPeer {
    const peer = this.peers.get(index)
    if (peer === undefined) throw new Error(`peer ${index} is not in this group`)
    return peer
  }

  async dial(edges: Array<[from: number, addr: string]>): Promise<Result<'dial'>> {
    // hundreds of handshakes at once on a few cores outlast the dial timeout: a few at a time,
    // and a dial that timed out while the peers were busy is tried again
    const queue = new PQueue({ concurrency: DIAL_CONCURRENCY })
    const dials = await Promise.allSettled(
      edges.map(([from, addr]) =>
        queue.add(() =>
          pRetry(() => this.peer(from).libp2p.dial(multiaddr(addr)), { retries: DIAL_RETRIES }),
        ),
      ),
    )
    const failures = dials.filter((d) => d.status === 'rejected')
    return { failed: failures.length, firstError: failures[0] && errorMessage(failures[0].reason) }
  }

  async subscribed(): Promise<Result<'subscribed'>> {
    return {
      peers: [...this.peers].map(([index, p]) => [
        index,
        p.libp2p.services.pubsub?.getSubscribers(TOPIC).length ?? 0,
        this.meshes.get(index)?.size ?? 0,
      ]),
    }
  }

  async begin(): Promise<void> {
    this.arrivals = new Map()
    this.sources = new Map()
  }

  async publish(m: number): Promise<Result<'publish'>> {
    const { offerPublisher } = this.peer(0).libp2p.services
    if (offerPublisher === undefined) throw new Error('the provider has no offer publisher')
    const startedAt = sharedNow()
    const offer = await offerPublisher.update({ models: [MODEL], prices: prices(m + 1) })
    return { sequence: offer.sequence.toString(), startedAt }
  }

  async collect(sequence: string): Promise<Result<'collect'>> {
    return {
      arrivals: [...(this.arrivals.get(sequence) ?? new Map<number, number>())],
      sources: [...this.sources],
    }
  }

  async lookup(index: number, key: number[]): Promise<Result<'lookup'>> {
    return realLookup(this.peer(index), Uint8Array.from(key))
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.peers.values()].map((p) => p.stop()))
  }
}

/** Offer `m`'s prices: each offer differs, so every one is news to every book. */
function prices(m: number) {
  return { perKPromptTokens: 50n, perKCompletionTokens: 200n + BigInt(m), perTensorGflop: 0n }
}
