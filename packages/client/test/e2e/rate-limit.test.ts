import { encodeOrderBookMessage, orderBookTopic, peerIdBytes, signOffer } from '@cocoon-mesh/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { waitForEvent } from '../../../../test-support/wait.ts'
import { buildOffer, type CocoonPeer, createPeer, type GossipValidatedDetail } from '../../src/internal.js'

const MODEL = 'flood-model'
const prices = { perKPromptTokens: 1n, perKCompletionTokens: 1n, perTensorGflop: 0n }
const peers: CocoonPeer[] = []

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()))
})

describe('per-peer rate limit', () => {
  it('ignores a flood beyond the burst and penalises the flooder', async () => {
    const victim = await createPeer({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      models: [MODEL],
      heartbeatInterval: 100,
      rateLimit: { ratePerSecond: 0.001, burst: 5 },
    })
    peers.push(victim)
    const flooder = await createPeer({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [String(victim.libp2p.getMultiaddrs()[0])],
      models: [MODEL],
      heartbeatInterval: 100,
    })
    peers.push(flooder)
    const pubsub = flooder.libp2p.services.pubsub
    if (pubsub === undefined) throw new Error('no pubsub')
    await waitForEvent(
      pubsub,
      'gossipsub:heartbeat',
      () => pubsub.getSubscribers(orderBookTopic(MODEL)).some((p) => p.equals(victim.libp2p.peerId)),
      { what: "the victim's subscription to the order-book topic, seen by the flooder" },
    )
    const seen: GossipValidatedDetail[] = []
    victim.orderBook.addEventListener('validated', (e) => seen.push(e.detail))
    // well-formed, signed, but long expired offers: IGNOREd by validation, so
    // only the rate limit can penalise their sender
    const key = await generateKeyPair('Ed25519')
    for (let i = 1; i <= 12; i++) {
      const offer = await signOffer(
        buildOffer(
          { models: [MODEL], prices },
          { provider: peerIdBytes(key), now: Date.now() - 3_600_000, ttlMs: 60_000, sequence: BigInt(i) },
        ),
        key,
      )
      await pubsub.publish(orderBookTopic(MODEL), encodeOrderBookMessage({ offer }))
    }
    await waitForEvent(victim.orderBook, 'validated', () => seen.length >= 12, {
      what: 'the victim validating all 12 flooded offers',
    })
    // messages may be validated concurrently: count reasons, not order
    expect(seen.filter((s) => s.reason === 'expired')).toHaveLength(5)
    expect(seen.filter((s) => s.reason === 'rate-limited')).toHaveLength(7)
    expect(victim.orderBook.penalties.penalty(flooder.libp2p.peerId.toString())).toBeGreaterThan(0)
    expect(victim.orderBook.offers(MODEL)).toEqual([])
  })
})
