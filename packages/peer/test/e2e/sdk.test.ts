import {
  AbortedError,
  BudgetExceededError,
  createLightPeer,
  type LightPeer,
  NoProviderError,
} from '@cocoon-mesh/client/internal'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProvider, type TestProvider } from '../fixtures/mesh.js'

const stops: Array<() => Promise<void>> = []
afterAll(async () => {
  await Promise.allSettled(stops.splice(0).map((s) => s()))
})

async function provider(price: bigint): Promise<TestProvider> {
  const p = await startProvider(price)
  stops.push(() => p.peer.stop())
  return p
}

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it) {
    // consume
  }
}

describe('light client SDK', () => {
  let dear: TestProvider
  let cheap: TestProvider
  let sdk: LightPeer
  beforeAll(async () => {
    dear = await provider(3000n)
    cheap = await provider(1000n)
    sdk = await createLightPeer({ gossip: false, offerSource: { offers: () => [dear.offer, cheap.offer] } })
    stops.push(() => sdk.stop())
    for (const p of [dear, cheap]) await sdk.peer.libp2p.dial(p.addrs)
  })

  it('lists the offers for a model, cheapest first', async () => {
    const ranked = await sdk.offers('tiny')
    expect(ranked.map((r) => r.providerId)).toEqual([
      cheap.peer.libp2p.peerId.toString(),
      dear.peer.libp2p.peerId.toString(),
    ])
  })

  it('generates from the cheapest provider under maxPrice, passing the chat messages', async () => {
    const job = sdk.generate({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      maxTokens: 3,
      maxPrice: 2000,
    })
    let text = ''
    for await (const chunk of job) text += chunk.text
    expect(text).toBe('token-0 token-1 token-2 ')
    expect((await job.usage).parts.map((p) => p.providerId)).toEqual([cheap.peer.libp2p.peerId.toString()])
    expect(cheap.runtime.requests.at(-1)?.messages).toEqual([{ role: 'user', content: 'hi' }])
  })

  it('throws NoProviderError, from the stream and from usage, when no offer is under maxPrice', async () => {
    const none = sdk.generate({ model: 'tiny', prompt: 'x', maxPrice: 10 })
    await expect(drain(none)).rejects.toBeInstanceOf(NoProviderError)
    await expect(none.usage).rejects.toBeInstanceOf(NoProviderError)
  })

  it('throws BudgetExceededError when the budget cannot pay for the job', async () => {
    const poor = sdk.generate({ model: 'tiny', prompt: 'x', maxTokens: 1000, budget: 1 })
    await expect(drain(poor)).rejects.toBeInstanceOf(BudgetExceededError)
  })

  it('throws AbortedError for a signal that is already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      drain(sdk.generate({ model: 'tiny', prompt: 'x', signal: controller.signal })),
    ).rejects.toBeInstanceOf(AbortedError)
  })
})
