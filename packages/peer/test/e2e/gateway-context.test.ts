/**
 * A prompt over the model's context, end to end: the official openai client
 * through the gateway, over real libp2p nodes, to a provider running the
 * generated tiny GGUF. The provider counts the prompt with the model's
 * tokenizer; the gateway answers OpenAI's 400 `context_length_exceeded` with
 * the counts, said once. A provider whose claim the client can refute (its
 * counts leave room for the job) loses the job instead of ending it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLightPeer } from '@cocoon-mesh/client'
import { createRuntime, type Runtime, writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import type { Offer } from '@cocoon-mesh/protocol'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway } from '../../src/gateway/server.js'
import { startProvider, type TestProvider } from '../fixtures/mesh.js'

const stops: Array<() => Promise<void>> = []
let runtime: Runtime
let contextSize: number

/** A gateway whose client knows only `offer`, dialled at `addrs`. */
async function gatewayFor(offer: Offer, addrs: TestProvider['addrs']): Promise<string> {
  const sdk = await createLightPeer({ gossip: false, ping: false, offerSource: { offers: () => [offer] } })
  stops.push(() => sdk.stop())
  await sdk.peer.libp2p.dial(addrs)
  const gateway = await startGateway({
    generate: (params) => sdk.generate(params),
    embed: (params) => sdk.embed(params),
    offers: () => [offer],
  })
  stops.push(() => gateway.close())
  return gateway.url
}

let honestUrl: string
let liarUrl: string

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-context-'))
  stops.push(() => rm(dir, { recursive: true, force: true }))
  const source = join(dir, 'tiny.gguf')
  await writeTinyGguf(source, { seed: 1 })
  runtime = await createRuntime({
    hardware: {
      gpus: [],
      cpu: { model: 'test cpu', cores: 2 },
      memoryMb: 8192,
      freeMemoryMb: 8192,
      platform: 'linux',
      arch: 'x64',
    },
    models: [{ kind: 'llama', name: 'tiny', source, threads: 1, contextSize: 256 }],
  })
  stops.push(() => runtime.close())
  // load the model before the first job: a first job would wait out the load past its first-token limit
  for await (const chunk of runtime.generate({ model: 'tiny', prompt: 'warm', maxTokens: 1 })) {
    expect(chunk.tokens).toBeGreaterThan(0)
  }
  contextSize = runtime.contextSize('tiny') ?? 0
  expect(contextSize).toBe(256)

  const honest = await startProvider(1000n, { runtime })
  stops.push(() => honest.peer.stop())
  honestUrl = await gatewayFor({ ...honest.offer, contextSize }, honest.addrs)

  // a liar: it answers every job with the real runtime's refusal of a far larger one
  const liar = await startProvider(1000n, {
    runtime: {
      models: () => runtime.models(),
      generate: (request) => runtime.generate({ ...request, maxTokens: 100_000 }),
      runTensor: (request) => runtime.runTensor(request),
      stats: () => runtime.stats(),
      reserve: (key) => runtime.reserve(key),
    },
  })
  stops.push(() => liar.peer.stop())
  liarUrl = await gatewayFor({ ...liar.offer, contextSize }, liar.addrs)
}, 120_000)

afterAll(async () => {
  for (const stop of stops.reverse()) await stop()
})

const long = [{ role: 'user' as const, content: 'word '.repeat(300) }]
const COUNTS =
  /^This model's maximum context length is (\d+) tokens\. However, you requested (\d+) tokens \((\d+) in the messages, (\d+) in the completion\)\. Please reduce the length of the messages or completion\.$/

async function post(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, text: await res.text() }
}

describe('gateway: a prompt over the context', () => {
  it('is a 400 context_length_exceeded with the counts, said once, streaming and not', async () => {
    const openai = new OpenAI({ baseURL: honestUrl, apiKey: 'unused', maxRetries: 0 })
    for (const stream of [false, true]) {
      const error = await openai.chat.completions
        .create({ model: 'tiny', messages: long, max_tokens: 40, stream })
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(error, `stream ${stream}`).toBeInstanceOf(OpenAI.BadRequestError)
      const e = error as InstanceType<typeof OpenAI.BadRequestError>
      expect(e.status).toBe(400)
      expect(e.code).toBe('context_length_exceeded')
      expect(e.param).toBe('messages')
      expect(e.type).toBe('invalid_request_error')
    }
    const { status, text } = await post(honestUrl, { model: 'tiny', messages: long, max_tokens: 40 })
    expect(status).toBe(400)
    const message = (JSON.parse(text) as { error: { message: string } }).error.message
    const [, n, m, p, k] = (COUNTS.exec(message) ?? []).map(Number)
    expect(n).toBe(contextSize)
    expect(k).toBe(40)
    expect(p).toBeGreaterThan(contextSize - 40)
    expect(m).toBe((p ?? 0) + 40)
    expect(text.split('maximum context length').length).toBe(2)
  })

  it('the same prompt within the context is answered', async () => {
    const openai = new OpenAI({ baseURL: honestUrl, apiKey: 'unused', maxRetries: 0 })
    const answer = await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'word '.repeat(20) }],
      max_tokens: 4,
    })
    expect(answer.usage?.completion_tokens).toBe(4)
  })

  it('max_tokens that fill the offered context are refused by the gateway itself', async () => {
    const { status, text } = await post(honestUrl, { model: 'tiny', messages: long, max_tokens: contextSize })
    expect(status).toBe(400)
    expect(JSON.parse(text)).toEqual({
      error: {
        message: `max_tokens is too large: ${contextSize}. This model's maximum context length is ${contextSize} tokens, and the messages need at least one of them. Please reduce max_tokens.`,
        type: 'invalid_request_error',
        param: 'max_tokens',
        code: 'context_length_exceeded',
      },
    })
  })

  it('a claim the client can refute is the provider failing, not the caller', async () => {
    const { status, text } = await post(liarUrl, {
      model: 'tiny',
      messages: [{ role: 'user', content: 'short' }],
      max_tokens: 4,
    })
    expect(status).toBe(502)
    const error = (JSON.parse(text) as { error: { code: string; message: string } }).error
    expect(error.code).toBe('all_providers_failed')
    expect(error.message).toContain('false context claim')
  })
})
