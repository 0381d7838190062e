import { encodeOrderBookMessage, orderBookTopic, peerIdBytes, signOffer } from '@cocoon-mesh/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopAll } from '../../../../test-support/cleanup.ts'
import { waitForEvent } from '../../../../test-support/wait.ts'
import {
  buildOffer,
  type CocoonPeer,
  createLightNode,
  createPeer,
  discoverOffers,
} from '../../src/internal.js'
import { waitForBooks } from './helpers.js'

const MODEL = 'llama-3-8b'
const prices = { perKPromptTokens: 100n, perKCompletionTokens: 200n, perTensorGflop: 0n }
const N = 20
const PROVIDERS = [3, 9, 15]

const peers: CocoonPeer[] = []
const extra: CocoonPeer[] = []

function addrOf(peer: CocoonPeer): string {
  const addr = peer.libp2p.getMultiaddrs()[0]
  if (addr === undefined) throw new Error('peer has no listen address')
  return addr.toString()
}

function liveProviders(peer: CocoonPeer): string[] {
  return peer.orderBook
    .entries(MODEL)
    .map((e) => e.provider)
    .sort()
}

beforeAll(async () => {
  // peer i joins through up to 3 earlier peers (a random-ish sparse graph, like real bootstraps)
  for (let i = 0; i < N; i++) {
    const bootstrap =
      i === 0 ? [] : [...new Set([0, (i * 7) % i, i - 1])].map((j) => addrOf(peers[j] as CocoonPeer))
    const provide = PROVIDERS.includes(i) ? { models: [MODEL], prices, maxConcurrency: 2 } : undefined
    peers.push(
      await createPeer({
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap,
        heartbeatInterval: 200,
        models: [MODEL],
        ...(provide === undefined ? {} : { provide }),
      }),
    )
  }
}, 60_000)

afterAll(async () => {
  await stopAll([...peers.splice(0), ...extra.splice(0)])
})

describe('order book over 20 real TCP peers', () => {
  it('all books converge to the same live offers', async () => {
    const expected = PROVIDERS.map((i) => (peers[i] as CocoonPeer).libp2p.peerId.toString()).sort()
    await waitForBooks(
      peers,
      () => peers.every((p) => liveProviders(p).join() === expected.join()),
      `the ${PROVIDERS.length} providers' offers in all ${N} books`,
    )
    for (const p of peers) expect(liveProviders(p)).toEqual(expected)
  })

  it('a light peer joining later finds the providers through the DHT alone', async () => {
    const light = await createLightNode({ gossip: false, bootstrap: [addrOf(peers[0] as CocoonPeer)] })
    extra.push(light)
    await light.libp2p.dial(multiaddr(addrOf(peers[0] as CocoonPeer)))
    expect(light.libp2p.services.pubsub).toBeUndefined()
    const expected = PROVIDERS.map((i) => (peers[i] as CocoonPeer).libp2p.peerId.toString()).sort()
    // DHT lookups are a network search: repeat (a failed round included) until every provider
    // record is found, about once per gossip heartbeat of the full peers
    await expect
      .poll(
        async () => {
          await discoverOffers(light.libp2p, light.orderBook, MODEL, {
            maxProviders: PROVIDERS.length,
            signal: AbortSignal.timeout(10_000),
          })
          return liveProviders(light)
        },
        { interval: 200, timeout: 40_000, message: "every provider's offer found through the DHT" },
      )
      .toEqual(expected)
  })

  it('a peer publishing badly-signed offers is not relayed and its score drops', async () => {
    // an extra peer (it gets cut off from the mesh, which is the point)
    const victim = peers[7] as CocoonPeer
    const attacker = await createPeer({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [addrOf(victim), addrOf(peers[12] as CocoonPeer)],
      heartbeatInterval: 200,
      models: [MODEL],
    })
    extra.push(attacker)
    const pubsub = attacker.libp2p.services.pubsub
    if (pubsub === undefined) throw new Error('unreachable')
    await waitForEvent(
      pubsub,
      'gossipsub:heartbeat',
      () => pubsub.getSubscribers(orderBookTopic(MODEL)).some((p) => p.equals(victim.libp2p.peerId)),
      { what: "the victim's subscription to the order-book topic, seen by the attacker" },
    )
    const key = await generateKeyPair('Ed25519')
    const signed = await signOffer(
      buildOffer(
        { models: [MODEL], prices },
        { provider: peerIdBytes(key), now: Date.now(), ttlMs: 60_000, sequence: 1n },
      ),
      key,
    )
    // tamper after signing: the price no longer matches the signature
    const forged = { ...signed, prices: { ...prices, perKPromptTokens: 1n } }
    const forgedProvider = key.publicKey.toString()
    const rejections = (): number => rejectedFrom.length
    const rejectedFrom: string[] = []
    for (const p of peers) {
      p.orderBook.addEventListener('validated', (e) => {
        if (e.detail.verdict === 'reject' && e.detail.reason === 'bad-signature')
          rejectedFrom.push(e.detail.from)
      })
    }
    const victimPubsub = victim.libp2p.services.pubsub as unknown as { getScore(id: string): number }
    const before = victimPubsub.getScore(attacker.libp2p.peerId.toString())
    for (let i = 0; i < 3; i++) {
      await pubsub.publish(
        orderBookTopic(MODEL),
        encodeOrderBookMessage({ offer: { ...forged, sequence: BigInt(i + 1) } }),
      )
    }
    await waitForEvent(victim.orderBook, 'validated', () => rejections() >= 3, {
      what: 'the victim rejecting the 3 forged offers',
    })
    // every rejection came straight from the attacker: nobody relayed the forged offers
    expect(new Set(rejectedFrom)).toEqual(new Set([attacker.libp2p.peerId.toString()]))
    // the score is cached until the next heartbeat
    const victimGossip = victim.libp2p.services.pubsub
    if (victimGossip === undefined) throw new Error('the victim runs no gossip')
    await waitForEvent(
      victimGossip,
      'gossipsub:heartbeat',
      () => victimPubsub.getScore(attacker.libp2p.peerId.toString()) < before,
      { what: "the attacker's gossip score to drop at the victim" },
    )
    expect(victimPubsub.getScore(attacker.libp2p.peerId.toString())).toBeLessThan(before)
    for (const p of peers) expect(p.orderBook.book.get(forgedProvider)).toBeUndefined()
  })

  it('a cancelled offer disappears everywhere', async () => {
    const provider = peers[PROVIDERS[0] as number] as CocoonPeer
    const id = provider.libp2p.peerId.toString()
    await provider.libp2p.services.offerPublisher?.cancel()
    await waitForBooks(
      peers,
      () => peers.every((p) => !liveProviders(p).includes(id)),
      'the cancelled offer gone from every book',
    )
    for (const p of peers) expect(liveProviders(p)).not.toContain(id)
  })

  it('an expired offer disappears everywhere', async () => {
    const shortLived = await createPeer({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [addrOf(peers[0] as CocoonPeer), addrOf(peers[5] as CocoonPeer)],
      heartbeatInterval: 200,
      provide: { models: [MODEL], prices },
      offerTtlMs: 3000,
    })
    extra.push(shortLived)
    const id = shortLived.libp2p.peerId.toString()
    await waitForBooks(
      peers,
      () => peers.every((p) => liveProviders(p).includes(id)),
      "the short-lived provider's offer in every book",
    )
    // stop republishing without cancelling: the offer must age out of every book
    await shortLived.libp2p.services.offerPublisher?.stop()
    await waitForBooks(
      peers,
      () => peers.every((p) => !liveProviders(p).includes(id)),
      'the expired offer gone from every book',
    )
    for (const p of peers) expect(liveProviders(p)).not.toContain(id)
  })
})
