/**
 * Jobs end to end with real processes over TCP: a bootstrap peer and
 * provider processes serving the generated tiny GGUF model through the
 * gpu-runtime (node-llama-cpp), found through the gossip order book by an
 * in-test light client.
 */
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { AbortedError, createLightPeer, type LightPeer } from '@cocoon-mesh/client'
import { type LocalMesh, startGateway, startLocalMesh } from '@cocoon-mesh/peer'
import { RejectReason } from '@cocoon-mesh/protocol'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { connectToProviders, NEVER_EXPLORE, waitForOffers } from './support/offers.js'
import { useScratchHome } from './support/scratch-home.js'

const MODEL = 'tiny'
const scratch = useScratchHome('cocoon-e2e-jobs-')
const { cleanups } = scratch

async function mesh(providers: Parameters<typeof startLocalMesh>[0]['providers']): Promise<LocalMesh> {
  const m = await startLocalMesh({ providers, home: await mkdtemp(join(scratch.home, 'mesh-')) })
  cleanups.push(() => m.stop())
  return m
}

async function client(m: LocalMesh): Promise<LightPeer> {
  // these tests name which provider serves each job: no exploration of unknown providers
  const c = await createLightPeer({ bootstrap: m.bootstrapAddrs, random: NEVER_EXPLORE })
  cleanups.push(() => c.stop())
  // every provider's offer in the client's order book (gossip or DHT discovery)
  await waitForOffers(c, MODEL, m.providers.length)
  await connectToProviders(c, m.providers)
  return c
}

async function text(job: AsyncIterable<{ text: string }>): Promise<string> {
  let out = ''
  for await (const chunk of job) out += chunk.text
  return out
}

describe('jobs over the mesh (real processes, TCP)', () => {
  it('is served by the cheaper of two providers', async () => {
    const m = await mesh([{ price: '3000' }, { price: '1000' }])
    const c = await client(m)
    const job = c.generate({ model: MODEL, prompt: 'hello', maxTokens: 16 })
    await text(job)
    const usage = await job.usage
    expect(usage.completionTokens).toBe(16)
    expect(usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([[m.providers[1]?.peerId, 'completed']])
    expect(usage.backend).toContain('llama.cpp')
    expect(m.providers[0]?.events.filter((e) => e.type === 'accepted')).toEqual([])
  })

  it('completes on the other provider when the serving one is SIGKILLed mid-generation', async () => {
    const m = await mesh([{ price: '1000' }, { price: '2000' }])
    const c = await client(m)
    const job = c.generate({ model: MODEL, prompt: 'tell a story', maxTokens: 300 })
    let tokens = 0
    let killed: string | undefined
    for await (const chunk of job) {
      tokens += chunk.tokens
      if (killed === undefined && tokens >= 5) {
        killed = chunk.providerId
        m.providers.find((p) => p.peerId === chunk.providerId)?.kill()
      }
    }
    const usage = await job.usage
    expect(tokens).toBe(300)
    expect(usage.completionTokens).toBe(300)
    expect(usage.parts.map((p) => p.outcome)).toEqual(['failed', 'completed'])
    expect(usage.parts[0]?.providerId).toBe(killed)
    expect(usage.parts[1]?.providerId).not.toBe(killed)
    expect((usage.parts[0]?.completionTokens ?? 0) + (usage.parts[1]?.completionTokens ?? 0)).toBe(300)
  })

  it('cancelling mid-stream stops the provider', async () => {
    const m = await mesh([{ price: '1000' }])
    const c = await client(m)
    const controller = new AbortController()
    const job = c.generate({ model: MODEL, prompt: 'go on', maxTokens: 2000, signal: controller.signal })
    // read past 16 tokens, the step at which a provider reports progress, before cancelling
    const err = await (async () => {
      let tokens = 0
      for await (const chunk of job) {
        tokens += chunk.tokens
        if (tokens >= 40) controller.abort()
      }
    })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AbortedError)
    const provider = m.providers[0]
    if (provider === undefined) throw new Error('no provider')
    const failed = await provider.waitForEvent((e) => e.type === 'failed')
    expect(failed.code).toBe('aborted')
    const progress = provider.events
      .filter((e) => e.type === 'progress')
      .map((e) => e.completionTokens as number)
    expect(progress.length).toBeGreaterThan(0)
    expect(Math.max(...progress)).toBeLessThan(2000)
    expect(provider.events.some((e) => e.type === 'finished')).toBe(false)
    // and it serves the next job
    const next = c.generate({ model: MODEL, prompt: 'again', maxTokens: 4 })
    await text(next)
    expect((await next.usage).completionTokens).toBe(4)
  })

  it('skips a provider that rejects', async () => {
    const m = await mesh([{ price: '500', rejectAll: true }, { price: '1000' }])
    const c = await client(m)
    const job = c.generate({ model: MODEL, prompt: 'hi', maxTokens: 4 })
    await text(job)
    const usage = await job.usage
    expect(usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([
      [m.providers[0]?.peerId, 'rejected'],
      [m.providers[1]?.peerId, 'completed'],
    ])
    const rejected = await m.providers[0]?.waitForEvent((e) => e.type === 'rejected')
    expect(rejected?.reason).toBe(RejectReason.REJECT_REASON_OVER_CAPACITY)
  })

  it('the gateway works with the official openai client, streaming included', async () => {
    const m = await mesh([{ price: '1000' }])
    const c = await client(m)
    const gateway = await startGateway({
      generate: (params) => c.generate(params),
      offers: () => c.peer.orderBook.offers(),
    })
    cleanups.push(() => gateway.close())
    const openai = new OpenAI({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 })
    expect((await openai.models.list()).data.map((x) => x.id)).toEqual([MODEL])
    const chat = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 8,
    })
    expect(chat.usage?.completion_tokens).toBe(8)
    expect(chat.choices[0]?.message.role).toBe('assistant')
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    })
    let chunks = 0
    let completion: number | undefined
    for await (const chunk of stream) {
      if ((chunk.choices[0]?.delta.content ?? '') !== '') chunks++
      if (chunk.usage) completion = chunk.usage.completion_tokens
    }
    expect(completion).toBe(8)
    expect(chunks).toBeGreaterThan(0)
    const missing = await openai.completions.create({ model: 'nope', prompt: 'x' }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError)
  })
})
