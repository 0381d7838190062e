/**
 * A full peer follows the order-book topics its peers subscribe to, within a
 * bound: past `maxFollowedTopics` a followed topic without offers gives way,
 * and a topic that is not the canonical spelling of a model is not followed.
 * Real libp2p nodes over TCP.
 */

import { orderBookTopic } from '@cocoon-mesh/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { type CocoonPeer, createPeer, orderBook } from '../../src/internal.js'

const peers: CocoonPeer[] = []
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()))
})

/** Resolves once `full` has seen `topic` among the subscriptions of a peer. */
function sawSubscription(full: CocoonPeer, topic: string): Promise<void> {
  const pubsub = full.libp2p.services.pubsub
  if (pubsub === undefined) throw new Error('the full peer runs no gossipsub')
  return new Promise((resolve) => {
    const onChange = (
      e: CustomEvent<{ subscriptions: Array<{ topic: string; subscribe: boolean }> }>,
    ): void => {
      if (!e.detail.subscriptions.some((s) => s.subscribe && s.topic === topic)) return
      pubsub.removeEventListener('subscription-change', onChange)
      resolve()
    }
    pubsub.addEventListener('subscription-change', onChange)
  })
}

describe('followed order-book topics', () => {
  it('follows up to the bound, lets an idle topic give way, and ignores non-canonical spellings', async () => {
    const full = await createPeer({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      services: { orderBook: orderBook({ followPeerTopics: true, maxFollowedTopics: 2 }) },
    })
    peers.push(full)
    const other = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    peers.push(other)
    await other.libp2p.dial(full.libp2p.getMultiaddrs()[0] ?? full.libp2p.peerId)
    const pubsub = other.libp2p.services.pubsub
    if (pubsub === undefined) throw new Error('the other peer runs no gossipsub')

    for (const model of ['a', 'b', 'c']) {
      const seen = sawSubscription(full, orderBookTopic(model))
      pubsub.subscribe(orderBookTopic(model))
      await seen
    }
    // 'a' held no offer: it gave way to 'c'
    expect(full.orderBook.watching().sort()).toEqual(['b', 'c'])

    const odd = '/cocoon/orderbook/1/Tiny'
    const seen = sawSubscription(full, odd)
    pubsub.subscribe(odd)
    await seen
    expect(full.orderBook.watching().sort()).toEqual(['b', 'c'])
  }, 60_000)
})
