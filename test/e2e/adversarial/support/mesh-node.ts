/**
 * An honest full peer in its own process, for the adversarial e2e tests: the
 * very `createPeer` a `cocoon node start` runs (gossip, order book with its
 * origin limits, offers protocol), providing one model when asked. It prints
 * one JSON object a line on stdout (`MeshNodeEvent`): `ready` once it
 * listens, then its `state` after each gossip heartbeat on which it changed:
 * the book, every order-book message it validated by sender, verdict and
 * reason, the providers it saw and accepted, and the gossipsub score and
 * application penalty of each connected peer.
 *
 * Run: `node test/e2e/adversarial/support/mesh-node.ts '<MeshNodeArgs as JSON>'`
 * (Node 24 strips the types; the packages resolve to their built dist/).
 */

import type { OriginLimits } from '@cocoon-mesh/client/internal'
import { type CocoonPeer, createPeer } from '@cocoon-mesh/peer'

export interface MeshNodeArgs {
  model: string
  bootstrap: string[]
  /** Sell the model (publish a signed offer). */
  provide: boolean
  /** Offer lifetime when providing (republished at half of it). */
  offerTtlMs?: number
  origin?: OriginLimits
}

export interface MeshNodeState {
  /** Provider -> sequence of its offer in this node's book. */
  book: Record<string, string>
  /** Sender -> `verdict:reason` -> count. */
  validated: Record<string, Record<string, number>>
  /** Sender -> providers named by the offers it handed over (any verdict). */
  seenFrom: Record<string, string[]>
  /** Sender -> providers whose offer it handed over was accepted. */
  acceptedFrom: Record<string, string[]>
  /** Connected peer -> gossipsub score. */
  scores: Record<string, number>
  /** Connected peer -> order-book application penalty. */
  penalties: Record<string, number>
}

export type MeshNodeEvent =
  | { event: 'ready'; peerId: string; addr: string }
  | ({ event: 'state' } & MeshNodeState)
  | { event: 'error'; message: string }

function emit(event: MeshNodeEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}

/** gossipsub's score of a peer: its class has `getScore`, the interface it exports does not. */
function gossipScore(pubsub: object, peer: string): number | undefined {
  if (!('getScore' in pubsub) || typeof pubsub.getScore !== 'function') return undefined
  const score: unknown = Reflect.apply(pubsub.getScore, pubsub, [peer])
  return typeof score === 'number' ? score : undefined
}

function add(map: Record<string, string[]>, key: string, value: string): void {
  const list = map[key] ?? []
  if (!list.includes(value)) list.push(value)
  map[key] = list
}

function snapshot(
  peer: CocoonPeer,
  seen: Omit<MeshNodeState, 'book' | 'scores' | 'penalties'>,
): MeshNodeState {
  const book: Record<string, string> = {}
  for (const entry of peer.orderBook.entries()) book[entry.provider] = entry.offer.sequence.toString()
  const scores: Record<string, number> = {}
  const penalties: Record<string, number> = {}
  const pubsub = peer.libp2p.services.pubsub
  for (const connected of peer.libp2p.getPeers()) {
    const id = connected.toString()
    const score = pubsub === undefined ? undefined : gossipScore(pubsub, id)
    if (score !== undefined) scores[id] = score
    penalties[id] = peer.orderBook.penalties.penalty(id)
  }
  return { book, ...seen, scores, penalties }
}

async function main(args: MeshNodeArgs): Promise<void> {
  const peer = await createPeer({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: args.bootstrap,
    models: [args.model],
    heartbeatInterval: 200,
    ...(args.provide
      ? {
          provide: {
            models: [args.model],
            prices: { perKPromptTokens: 1000n, perKCompletionTokens: 1000n, perTensorGflop: 0n },
          },
        }
      : {}),
    ...(args.offerTtlMs === undefined ? {} : { offerTtlMs: args.offerTtlMs }),
    ...(args.origin === undefined ? {} : { origin: args.origin }),
  })
  const seen: Omit<MeshNodeState, 'book' | 'scores' | 'penalties'> = {
    validated: {},
    seenFrom: {},
    acceptedFrom: {},
  }
  peer.orderBook.addEventListener('validated', ({ detail }) => {
    const counts = seen.validated[detail.from] ?? {}
    const key = `${detail.verdict}:${detail.reason}`
    counts[key] = (counts[key] ?? 0) + 1
    seen.validated[detail.from] = counts
    if (detail.provider === undefined) return
    add(seen.seenFrom, detail.from, detail.provider)
    if (detail.verdict === 'accept') add(seen.acceptedFrom, detail.from, detail.provider)
  })
  let last = ''
  peer.libp2p.services.pubsub?.addEventListener('gossipsub:heartbeat', () => {
    const line = JSON.stringify(snapshot(peer, seen))
    if (line === last) return
    last = line
    process.stdout.write(`{"event":"state",${line.slice(1)}\n`)
  })
  const addr = peer.libp2p.getMultiaddrs()[0]
  if (addr === undefined) throw new Error('the node listens on no address')
  emit({ event: 'ready', peerId: peer.libp2p.peerId.toString(), addr: addr.toString() })
  process.once('SIGTERM', () => {
    peer.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        emit({ event: 'error', message: String(error) })
        process.exit(1)
      },
    )
  })
}

main(JSON.parse(process.argv[2] ?? '{}') as MeshNodeArgs).catch((error: unknown) => {
  emit({ event: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  process.exit(1)
})
