import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { startGateway } from '../../src/gateway/index.js'
import { createLightPeer } from '../../src/sdk/index.js'
import { startProvider } from '../fixtures/mesh.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.allSettled(stops.splice(0).map((s) => s()))
})

async function setup() {
  const p = await startProvider(1000n)
  stops.push(() => p.peer.stop())
  const sdk = await createLightPeer({
    gossip: false,
    offerSource: { offers: (m) => (m === 'tiny' ? [p.offer] : []) },
  })
  stops.push(() => sdk.stop())
  await sdk.peer.libp2p.dial(p.addrs)
  const gateway = await startGateway({ generate: (params) => sdk.generate(params), models: () => ['tiny'] })
  stops.push(() => gateway.close())
  const openai = new OpenAI({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 })
  return { p, gateway, openai }
}

describe('OpenAI-compatible gateway', () => {
  it('works with the official openai client: models, chat, completions, streaming with usage', async () => {
    const { openai } = await setup()
    const models = await openai.models.list()
    expect(models.data.map((m) => m.id)).toEqual(['tiny'])

    const chat = await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 3,
    })
    expect(chat.choices[0]?.message.content).toBe('token-0 token-1 token-2 ')
    expect(chat.usage?.completion_tokens).toBe(3)
    expect(chat.choices[0]?.finish_reason).toBe('length')

    const completion = await openai.completions.create({ model: 'tiny', prompt: 'once', max_tokens: 2 })
    expect(completion.choices[0]?.text).toBe('token-0 token-1 ')

    const stream = await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: number | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage.completion_tokens
    }
    expect(text).toBe('token-0 token-1 token-2 token-3 ')
    expect(usage).toBe(4)

    const textStream = await openai.completions.create({
      model: 'tiny',
      prompt: 'x',
      max_tokens: 2,
      stream: true,
    })
    let t = ''
    for await (const chunk of textStream) t += chunk.choices[0]?.text ?? ''
    expect(t).toBe('token-0 token-1 ')
  })

  it('answers bad requests with OpenAI-style errors and statuses', async () => {
    const { openai, gateway } = await setup()
    const unknown = await openai.chat.completions
      .create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError)
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found')

    const bad = await openai.chat.completions.create({ model: 'tiny', messages: [] }).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError)
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages')

    const notJson = await fetch(`${gateway.url}/chat/completions`, { method: 'POST', body: '{nope' })
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error')

    const wrongMethod = await fetch(`${gateway.url}/completions`)
    expect(wrongMethod.status).toBe(405)
  })
})
