import { afterEach, describe, expect, it } from 'vitest'
import { AbortedError, BudgetExceededError, createLightPeer, NoProviderError } from '../../src/sdk/index.js'
import { startProvider, type TestProvider } from '../fixtures/mesh.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.allSettled(stops.splice(0).map((s) => s()))
})

async function provider(price: bigint): Promise<TestProvider> {
  const p = await startProvider(price)
  stops.push(() => p.peer.stop())
  return p
}

describe('light client SDK', () => {
  it('generates from the cheapest provider, lists ranked offers and throws typed errors', async () => {
    const a = await provider(3000n)
    const b = await provider(1000n)
    const sdk = await createLightPeer({ gossip: false, offerSource: { offers: () => [a.offer, b.offer] } })
    stops.push(() => sdk.stop())
    for (const p of [a, b]) await sdk.peer.libp2p.dial(p.addrs)

    const ranked = await sdk.offers('tiny')
    expect(ranked.map((r) => r.providerId)).toEqual([
      b.peer.libp2p.peerId.toString(),
      a.peer.libp2p.peerId.toString(),
    ])

    const job = sdk.generate({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      maxTokens: 3,
      maxPrice: 2000,
    })
    let text = ''
    for await (const chunk of job) text += chunk.text
    expect(text).toBe('token-0 token-1 token-2 ')
    expect((await job.usage).parts[0]?.providerId).toBe(b.peer.libp2p.peerId.toString())
    expect(b.runtime.requests[0]?.messages).toEqual([{ role: 'user', content: 'hi' }])

    const none = sdk.generate({ model: 'tiny', prompt: 'x', maxPrice: 10 })
    await expect(drain(none)).rejects.toBeInstanceOf(NoProviderError)
    await expect(none.usage).rejects.toBeInstanceOf(NoProviderError)

    const poor = sdk.generate({ model: 'tiny', prompt: 'x', maxTokens: 1000, budget: 1 })
    await expect(drain(poor)).rejects.toBeInstanceOf(BudgetExceededError)

    const controller = new AbortController()
    controller.abort()
    await expect(
      drain(sdk.generate({ model: 'tiny', prompt: 'x', signal: controller.signal })),
    ).rejects.toBeInstanceOf(AbortedError)
  })
})

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it) {
    // consume
  }
}
