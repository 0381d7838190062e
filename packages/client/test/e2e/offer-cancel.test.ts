import {
  encodeOrderBookMessage,
  MAX_ORDER_BOOK_MESSAGE_BYTES,
  peerIdBytes,
  signOfferCancel,
} from '@cocoon-mesh/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { stopAll } from '../../../../test-support/cleanup.ts'
import {
  buildOfferCancel,
  type CocoonPeer,
  createLightNode,
  createPeer,
  fetchOffers,
  type GossipValidatedDetail,
  PUSHED,
  pushOrderBookMessage,
} from '../../src/internal.js'
import { waitForBooks } from './helpers.js'

function toArrayBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return copy
}

// A provider that stops publishes a signed OfferCancel. Gossip alone loses it
// in two real cases: a peer without gossip (a light SDK client) never hears
// it, and a publication made just before libp2p tears the connections down
// can be dropped (see OfferPublisherService.cancel). These tests stop the
// provider and then check the other peer's book at once: `stop()` resolves
// only after connected peers acknowledged the pushed cancel.

const MODEL = 'llama-3-8b'
const prices = { perKPromptTokens: 100n, perKCompletionTokens: 200n, perTensorGflop: 0n }
const peers: CocoonPeer[] = []

afterEach(async () => {
  await stopAll(peers)
})

function addrOf(peer: CocoonPeer): string {
  const addr = peer.libp2p.getMultiaddrs()[0]
  if (addr === undefined) throw new Error('peer has no listen address')
  return addr.toString()
}

async function provider(): Promise<CocoonPeer> {
  const p = await createPeer({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    provide: { models: [MODEL], prices, maxConcurrency: 1 },
  })
  peers.push(p)
  return p
}

function dialerOf(peer: CocoonPeer): Parameters<typeof pushOrderBookMessage>[0] {
  return { dialProtocol: (p, protocols, options) => peer.libp2p.dialProtocol(p, protocols, options) }
}

function validated(peer: CocoonPeer): GossipValidatedDetail[] {
  const seen: GossipValidatedDetail[] = []
  peer.orderBook.addEventListener('validated', (e) => seen.push(e.detail))
  return seen
}

describe('a stopping provider cancels its offer on every connected peer', () => {
  it('a light peer without gossip drops the offer it fetched', async () => {
    const p = await provider()
    const light = await createLightNode({ gossip: false })
    peers.push(light)
    await light.libp2p.dial(multiaddr(addrOf(p)))
    const offers = await fetchOffers(dialerOf(light), p.libp2p.peerId, MODEL)
    expect(await light.orderBook.addVerified(offers, { from: p.libp2p.peerId })).toBe(1)
    const removed: string[] = []
    light.orderBook.addEventListener('change', (e) => {
      if (e.detail.type === 'removed') removed.push(e.detail.reason ?? '')
    })

    await p.stop()
    expect(light.orderBook.offers(MODEL)).toEqual([])
    expect(removed).toEqual(['cancelled'])
  })

  it('a full peer drops the offer even when the gossip publication cannot reach it', async () => {
    const p = await provider()
    const relay = await createPeer({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      models: [MODEL],
      bootstrap: [addrOf(p)],
    })
    peers.push(relay)
    await waitForBooks(
      [relay],
      () => relay.orderBook.offers(MODEL).length === 1,
      "the provider's offer at the relay",
    )
    const seen = validated(relay)
    // gossipsub sends nothing to a peer it has no outbound stream to (as right
    // after a connection opens, or once the stream broke): take that stream away
    const streams = (p.libp2p.services.pubsub as unknown as { streamsOutbound: Map<string, unknown> })
      .streamsOutbound
    expect(streams.delete(relay.libp2p.peerId.toString())).toBe(true)

    await p.stop()
    expect(relay.orderBook.offers(MODEL)).toEqual([])
    expect(seen).toContainEqual({
      from: p.libp2p.peerId.toString(),
      topic: PUSHED,
      verdict: 'accept',
      reason: 'cancel',
      provider: p.libp2p.peerId.toString(),
    })
  })
})

describe('pushed order-book messages go through the order book validation', () => {
  async function pair(): Promise<{
    target: CocoonPeer
    sender: CocoonPeer
    senderKey: PrivateKey
    provider: CocoonPeer
  }> {
    const target = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'], models: [MODEL] })
    peers.push(target)
    const p = await provider()
    await p.libp2p.dial(multiaddr(addrOf(target)))
    await waitForBooks(
      [target],
      () => target.orderBook.offers(MODEL).length === 1,
      "the provider's offer at the target",
    )
    const senderKey = await generateKeyPair('Ed25519')
    const sender = await createLightNode({ gossip: false, privateKey: senderKey })
    peers.push(sender)
    await sender.libp2p.dial(multiaddr(addrOf(target)))
    return { target, sender, senderKey, provider: p }
  }

  it('rejects and penalises garbage and forged cancels, ignores stale ones, and keeps serving', async () => {
    const { target, sender, senderKey, provider: p } = await pair()
    const seen = validated(target)
    const from = sender.libp2p.peerId.toString()
    const push = (data: Uint8Array): Promise<void> =>
      pushOrderBookMessage(dialerOf(sender), target.libp2p.peerId, data)

    await push(new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]))
    expect(seen.at(-1)).toEqual({ from, topic: PUSHED, verdict: 'reject', reason: 'malformed' })

    // a cancel signed by the sender, then relabelled as the provider's
    const signed = await signOfferCancel(
      buildOfferCancel({ provider: peerIdBytes(senderKey), now: Date.now(), sequence: 2n ** 62n }),
      senderKey,
    )
    const forged = { ...signed, provider: toArrayBuffer(p.libp2p.peerId.toMultihash().bytes) }
    await push(encodeOrderBookMessage({ cancel: forged }))
    expect(seen.at(-1)).toEqual({
      from,
      topic: PUSHED,
      verdict: 'reject',
      reason: 'bad-signature',
      provider: p.libp2p.peerId.toString(),
    })
    expect(target.orderBook.offers(MODEL)).toHaveLength(1)
    expect(target.orderBook.penalties.appSpecificScore(from)).toBeLessThan(0)

    // the sender's own, valid cancel is applied once; the same one again is stale
    const own = encodeOrderBookMessage({
      cancel: await signOfferCancel(
        buildOfferCancel({ provider: peerIdBytes(senderKey), now: Date.now(), sequence: 5n }),
        senderKey,
      ),
    })
    await push(own)
    expect(seen.at(-1)).toEqual({ from, topic: PUSHED, verdict: 'accept', reason: 'cancel', provider: from })
    await push(own)
    expect(seen.at(-1)).toEqual({ from, topic: PUSHED, verdict: 'ignore', reason: 'stale', provider: from })
    expect(target.orderBook.offers(MODEL)).toHaveLength(1)
  })

  it('a message above the size limit fails the push without hurting the receiver', async () => {
    const { target, sender } = await pair()
    const big = new Uint8Array(MAX_ORDER_BOOK_MESSAGE_BYTES + 1)
    await expect(pushOrderBookMessage(dialerOf(sender), target.libp2p.peerId, big)).rejects.toThrow()
    // the receiver still answers
    const offers = await fetchOffers(dialerOf(sender), target.libp2p.peerId, MODEL)
    expect(offers).toHaveLength(1)
  })
})
