import { afterEach, describe, expect, it } from 'vitest'
import { type CocoonPeer, createLightNode, createPeer } from '../../src/internal.js'

const peers: CocoonPeer[] = []
/** Publications before the gossip test gives up (30 s). */
const ATTEMPTS = 120
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()))
})

describe('createPeer', () => {
  it('starts a full peer with the DHT in server mode and gossip between two peers', async () => {
    const a = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'], heartbeatInterval: 100 })
    peers.push(a)
    const addr = a.libp2p.getMultiaddrs()[0]
    expect(addr).toBeDefined()
    const b = await createPeer({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [String(addr)],
      heartbeatInterval: 100,
    })
    peers.push(b)
    const topic = 't'
    a.libp2p.services.pubsub?.subscribe(topic)
    b.libp2p.services.pubsub?.subscribe(topic)
    const got = new Promise<Uint8Array>((resolve) => {
      b.libp2p.services.pubsub?.addEventListener('message', (e) => resolve(e.detail.data))
    })
    // a may publish before it knows b's subscription or has a gossip stream to
    // b, and gossipsub drops what it cannot send; so publish again (as a
    // provider republishes) until b has it. Message ids are content addressed,
    // so each attempt carries its own counter or it would be a duplicate.
    const delivered = async (): Promise<Uint8Array> => {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        // fails while a knows no subscriber yet: that is what the next attempt waits out
        await a.libp2p.services.pubsub?.publish(topic, new Uint8Array([1, 2, attempt])).catch(() => undefined)
        const data = await Promise.race([
          got,
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 250)),
        ])
        if (data !== undefined) return data
      }
      throw new Error(`b received none of ${ATTEMPTS} gossip messages a published, 250 ms apart`)
    }
    expect([...(await delivered())].slice(0, 2)).toEqual([1, 2])
    expect(await a.libp2p.services.dht.getMode()).toBe('server')
  })

  it('starts a light peer with the DHT in client mode', async () => {
    const l = await createLightNode({ gossip: false })
    peers.push(l)
    expect(l.libp2p.services.pubsub).toBeUndefined()
    expect(await l.libp2p.services.dht.getMode()).toBe('client')
  })
})
