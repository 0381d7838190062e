/**
 * A hostile peer in its own process: a libp2p node speaking the order-book
 * protocol honestly at the byte level but flooding it with Sybils. It
 * connects to one target peer, waits until it sees the target subscribed to
 * the model's topic, then sends `gossip` correctly signed offers, each from
 * a fresh Ed25519 key at a price of 0 or 1 nanoTON, over gossipsub, and
 * `push` more over `/cocoon/offers/push/1.0.0`. It prints one JSON object a
 * line: `ready` (its peer id), then `sent` with how many went out each way.
 *
 * Run: `node test/e2e/adversarial/support/sybil-flooder.ts '<SybilFlooderArgs as JSON>'`
 */
import { buildOffer, pushOrderBookMessage } from '@cocoon-mesh/client/internal'
import { createPeer } from '@cocoon-mesh/peer'
import { encodeOrderBookMessage, orderBookTopic, peerIdBytes, signOffer } from '@cocoon-mesh/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { waitForEvent } from '../../../../test-support/wait.ts'

export interface SybilFlooderArgs {
  model: string
  /** The target's multiaddr, with its /p2p/ id. */
  target: string
  gossip: number
  push: number
}

export type SybilFlooderEvent =
  | { event: 'ready'; peerId: string }
  | { event: 'sent'; gossip: number; pushed: number; pushFailed: number }
  | { event: 'error'; message: string }

function emit(event: SybilFlooderEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}

async function sybilOffer(model: string, i: number): Promise<Uint8Array> {
  const key = await generateKeyPair('Ed25519')
  const offer = buildOffer(
    {
      models: [model],
      prices: { perKPromptTokens: BigInt(i % 2), perKCompletionTokens: BigInt(i % 2), perTensorGflop: 0n },
    },
    { provider: peerIdBytes(key), now: Date.now(), ttlMs: 600_000, sequence: 1n },
  )
  return encodeOrderBookMessage({ offer: await signOffer(offer, key) })
}

async function main(args: SybilFlooderArgs): Promise<void> {
  const node = await createPeer({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    models: [args.model],
    heartbeatInterval: 200,
  })
  emit({ event: 'ready', peerId: node.libp2p.peerId.toString() })
  const target = multiaddr(args.target)
  const targetId = peerIdFromString(target.getComponents().find((c) => c.name === 'p2p')?.value ?? '')
  await node.libp2p.dial(target)
  const pubsub = node.libp2p.services.pubsub
  if (pubsub === undefined) throw new Error('the flooder runs no gossip')
  const topic = orderBookTopic(args.model)
  await waitForEvent(
    pubsub,
    'gossipsub:heartbeat',
    () => pubsub.getSubscribers(topic).some((p) => p.equals(targetId)),
    { what: "the target's subscription to the order-book topic" },
  )
  for (let i = 0; i < args.gossip; i++) {
    await pubsub.publish(topic, await sybilOffer(args.model, i))
    // one heartbeat per 100 offers, so the flood is not lost in a full send queue
    if (i % 100 === 99)
      await new Promise((resolve) => pubsub.addEventListener('gossipsub:heartbeat', resolve, { once: true }))
  }
  let pushed = 0
  let pushFailed = 0
  const dialer = { dialProtocol: node.libp2p.dialProtocol.bind(node.libp2p) }
  for (let i = 0; i < args.push; i++) {
    try {
      await pushOrderBookMessage(dialer, targetId, await sybilOffer(args.model, i))
      pushed++
    } catch (error) {
      pushFailed++
      process.stderr.write(`push ${i} failed: ${String(error)}\n`)
    }
  }
  emit({ event: 'sent', gossip: args.gossip, pushed, pushFailed })
}

main(JSON.parse(process.argv[2] ?? '{}') as SybilFlooderArgs).catch((error: unknown) => {
  emit({ event: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  process.exit(1)
})
