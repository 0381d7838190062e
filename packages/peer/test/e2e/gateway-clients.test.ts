/**
 * The gateway against unmodified OpenAI clients (the official `openai` npm
 * package and the Vercel AI SDK's OpenAI-compatible provider), over real
 * libp2p nodes on 127.0.0.1: every row of the parameter table, streaming and
 * not, the errors a client sees, CORS and /metrics, and load on two providers.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { createLightPeer } from '@cocoon-mesh/client/internal'
import type { Offer } from '@cocoon-mesh/protocol'
import { APICallError, generateText, streamText } from 'ai'
import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { PARAMETERS } from '../../src/gateway/parameters.js'
import { startGateway } from '../../src/gateway/server.js'
import type { JobServiceEvent } from '../../src/jobs/index.js'
import { createNodeMetrics } from '../../src/metrics/node-metrics.js'
import { startProvider, type TestProvider } from '../fixtures/mesh.js'
import { ScriptedRuntime } from '../fixtures/scripted-runtime.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.allSettled(stops.splice(0).map((s) => s()))
})

interface Mesh {
  providers: Array<TestProvider & { scripted: ScriptedRuntime; events: JobServiceEvent[] }>
  url: string
  openai: OpenAI
}

async function mesh(
  count = 1,
  options: { limits?: { maxConcurrency: number; maxQueue: number }; metrics?: boolean } = {},
): Promise<Mesh> {
  const providers: Mesh['providers'] = []
  for (let i = 0; i < count; i++) {
    const scripted = new ScriptedRuntime(['tiny'], options.limits)
    const events: JobServiceEvent[] = []
    const p = await startProvider(1000n, { runtime: scripted, onEvent: (e) => events.push(e) })
    stops.push(() => p.peer.stop())
    providers.push({ ...p, scripted, events })
  }
  const offers: Offer[] = providers.map((p) => p.offer)
  const telemetry = options.metrics === true ? createNodeMetrics() : undefined
  const sdk = await createLightPeer({
    gossip: false,
    ping: false,
    offerSource: { offers: (m) => (m === 'tiny' ? offers : []) },
  })
  stops.push(() => sdk.stop())
  for (const p of providers) await sdk.peer.libp2p.dial(p.addrs)
  const gateway = await startGateway({
    generate: (params) => sdk.generate(params),
    offers: () => offers,
    cors: { origins: ['http://app.example'] },
    ...(telemetry !== undefined ? { metrics: telemetry.metrics, registry: telemetry.registry } : {}),
  })
  stops.push(() => gateway.close())
  return {
    providers,
    url: gateway.url,
    openai: new OpenAI({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 }),
  }
}

/** A value that is not neutral, for every refused parameter of the table. */
const REFUSED_VALUES: Record<string, unknown> = {
  n: 2,
  parallel_tool_calls: false,
  functions: [{ name: 'f' }],
  function_call: 'auto',
  logprobs: true,
  top_logprobs: 2,
  logit_bias: { '1': 5 },
  echo: true,
  suffix: 'end',
  best_of: 2,
  store: true,
  metadata: { a: 'b' },
  service_tier: 'flex',
  modalities: ['text', 'audio'],
  audio: { voice: 'alloy', format: 'mp3' },
  prediction: { type: 'content', content: 'x' },
  reasoning_effort: 'low',
  web_search_options: {},
}

function badRequest(err: unknown): InstanceType<typeof OpenAI.BadRequestError> {
  expect(err).toBeInstanceOf(OpenAI.BadRequestError)
  return err as InstanceType<typeof OpenAI.BadRequestError>
}

describe('gateway with the official openai client', () => {
  it('refuses every refused parameter of the table with a 400 naming it, streaming and not', async () => {
    const { openai, providers } = await mesh()
    for (const rule of PARAMETERS.filter((p) => p.status === 'refused')) {
      for (const stream of [false, true]) {
        const extra = { [rule.name]: REFUSED_VALUES[rule.name], stream }
        const call = rule.endpoints.includes('chat')
          ? openai.chat.completions.create({
              model: 'tiny',
              messages: [{ role: 'user', content: 'hi' }],
              ...extra,
            } as OpenAI.ChatCompletionCreateParamsNonStreaming)
          : openai.completions.create({
              model: 'tiny',
              prompt: 'hi',
              ...extra,
            } as OpenAI.CompletionCreateParamsNonStreaming)
        const error = badRequest(await call.catch((e: unknown) => e))
        expect(error.param, `${rule.name} stream=${stream}`).toBe(rule.name)
      }
    }
    // nothing reached a provider
    expect(providers[0]?.scripted.requests).toHaveLength(0)
  })

  it('honours the honoured parameters: max tokens, temperature, seed, usage, max_price, min_trust_tier', async () => {
    const { openai, providers } = await mesh()
    const runtime = providers[0]?.scripted
    const chat = await openai.chat.completions.create({
      model: 'tiny',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      ],
      max_completion_tokens: 3,
      temperature: 0.7,
      seed: 42,
      user: 'user-1',
      ...{ max_price: '5000', min_trust_tier: 'open' },
    })
    expect(chat.choices[0]?.message.content).toBe('token-0 token-1 token-2 ')
    expect(chat.usage?.completion_tokens).toBe(3)
    expect(runtime?.requests.at(-1)).toMatchObject({ maxTokens: 3, temperature: 0.7, seed: 42 })
    expect(runtime?.requests.at(-1)?.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ])

    const stream = await openai.completions.create({
      model: 'tiny',
      prompt: 'once',
      max_tokens: 2,
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: number | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? ''
      if (chunk.usage) usage = chunk.usage.completion_tokens
    }
    expect(text).toBe('token-0 token-1 ')
    expect(usage).toBe(2)

    const cheap = badRequest(
      await openai.chat.completions
        .create({
          model: 'tiny',
          messages: [{ role: 'user', content: 'x' }],
          ...{ max_price: 10 },
        })
        .catch((e: unknown) => e),
    )
    expect(cheap.param).toBe('max_price')
    expect(cheap.code).toBe('price_above_max_price')
    const trusted = badRequest(
      await openai.chat.completions
        .create({
          model: 'tiny',
          messages: [{ role: 'user', content: 'x' }],
          stream: true,
          ...{ min_trust_tier: 'attested' },
        })
        .catch((e: unknown) => e),
    )
    expect(trusted.param).toBe('min_trust_tier')
  })

  it('answers like OpenAI: unknown model 404, models/{id}, unknown role, stream_options alone, a body over the frame limit', async () => {
    const { openai, url, providers } = await mesh()
    const unknown = await openai.chat.completions
      .create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError)
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found')
    expect((await openai.models.retrieve('tiny')).id).toBe('tiny')
    expect(await openai.models.retrieve('nope').catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)

    // the typed client cannot send an unknown role; a raw request can
    const role = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [{ role: 'wizard', content: 'x' }] }),
    })
    expect(role.status).toBe(400)
    expect(((await role.json()) as { error: { param: string } }).error.param).toBe('messages[0].role')
    const options = badRequest(
      await openai.chat.completions
        .create({
          model: 'tiny',
          messages: [{ role: 'user', content: 'x' }],
          stream_options: { include_usage: true },
        })
        .catch((e: unknown) => e),
    )
    expect(options.param).toBe('stream_options')

    const big = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'x'.repeat(3_600_000) }] }),
    })
    expect(big.status).toBe(413)
    const bigBody = (await big.json()) as { error: { param: string; message: string } }
    expect(bigBody.error.param).toBe('messages')
    expect(bigBody.error.message).toContain('limit')
    expect(providers[0]?.scripted.requests).toHaveLength(0)
  })

  it('answers a CORS preflight and serves its metrics', async () => {
    const { url, openai } = await mesh(1, { metrics: true })
    const pre = await fetch(`${url}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://app.example')
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type, authorization')
    expect(pre.headers.get('access-control-max-age')).toBe('600')
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull()
    const stranger = await fetch(`${url}/models`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example' },
    })
    expect(stranger.status).toBe(403)
    const models = await fetch(`${url}/models`, { headers: { origin: 'http://app.example' } })
    expect(models.headers.get('access-control-allow-origin')).toBe('http://app.example')

    await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 2,
    })
    const metrics = await (await fetch(`${url.replace(/\/v1$/, '')}/metrics`)).text()
    // the models list and the completion (the metrics request itself is counted once it ended)
    expect(metrics).toMatch(/cocoon_gateway_requests_total\{status="200"\} 2/)
    expect(metrics).toMatch(/cocoon_gateway_requests_total\{status="204"\} 1/)
    expect(metrics).toMatch(/cocoon_gateway_tokens_total\{kind="completion"\} 2/)
  })
})

describe('gateway with the Vercel AI SDK', () => {
  it('generates and streams with honoured settings, and surfaces refusals as 400s naming the parameter', async () => {
    const { url, providers } = await mesh()
    const provider = createOpenAICompatible({ name: 'cocoon', baseURL: url, includeUsage: true })
    const model = provider.chatModel('tiny')
    const generated = await generateText({
      model,
      prompt: 'hi',
      maxOutputTokens: 3,
      temperature: 0.5,
      seed: 7,
      maxRetries: 0,
    })
    expect(generated.text).toBe('token-0 token-1 token-2 ')
    expect(generated.usage.outputTokens).toBe(3)
    expect(providers[0]?.scripted.requests.at(-1)).toMatchObject({ temperature: 0.5, seed: 7 })

    const streamed = streamText({ model, prompt: 'hi', maxOutputTokens: 2, maxRetries: 0 })
    let text = ''
    for await (const part of streamed.textStream) text += part
    expect(text).toBe('token-0 token-1 ')

    const refusals: Array<[string, Parameters<typeof generateText>[0]]> = [
      ['top_p', { model, prompt: 'x', topP: 0.5, maxRetries: 0 }],
      ['presence_penalty', { model, prompt: 'x', presencePenalty: 0.5, maxRetries: 0 }],
      ['frequency_penalty', { model, prompt: 'x', frequencyPenalty: 0.5, maxRetries: 0 }],
      ['stop', { model, prompt: 'x', stopSequences: ['\n'], maxRetries: 0 }],
    ]
    for (const [param, call] of refusals) {
      const err = await generateText(call).catch((e: unknown) => e)
      expect(APICallError.isInstance(err), param).toBe(true)
      const apiError = err as APICallError
      expect(apiError.statusCode).toBe(400)
      expect(JSON.parse(apiError.responseBody ?? '{}').error.param).toBe(param)
    }
    let streamError: unknown
    const refusedStream = streamText({
      model,
      prompt: 'x',
      topP: 0.5,
      maxRetries: 0,
      onError: ({ error }) => {
        streamError = error
      },
    })
    for await (const _ of refusedStream.textStream) {
      // drains the stream; the refusal arrives through onError
    }
    expect(APICallError.isInstance(streamError)).toBe(true)
    expect((streamError as APICallError).statusCode).toBe(400)
  })
})

describe('gateway under load', () => {
  it('200 concurrent streams on two providers (1 running + 16 queued each): no 5xx but 503 with Retry-After, every accepted job finishes, split within 60/40', async () => {
    const { url, providers } = await mesh(2, { limits: { maxConcurrency: 1, maxQueue: 16 } })
    const one = async (): Promise<{ status: number; retryAfter: string | null; text: string }> => {
      const res = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'tiny',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 8,
          stream: true,
        }),
      })
      return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() }
    }
    const results = await Promise.all(Array.from({ length: 200 }, one))
    for (const r of results) {
      if (r.status === 200) {
        expect(r.text).toContain('data: [DONE]')
        expect(r.text).not.toContain('"error"')
      } else {
        expect(r.status, r.text).toBe(503)
        expect(r.retryAfter).not.toBeNull()
      }
    }
    const count = (p: Mesh['providers'][number], type: JobServiceEvent['type']) =>
      p.events.filter((e) => e.type === type).length
    const finished = providers.map((p) => count(p, 'finished'))
    for (const p of providers) {
      expect(count(p, 'failed')).toBe(0)
      expect(count(p, 'finished')).toBe(count(p, 'accepted'))
    }
    const total = finished.reduce((a, b) => a + b, 0)
    expect(total).toBe(results.filter((r) => r.status === 200).length)
    for (const f of finished) expect(f / total).toBeGreaterThanOrEqual(0.4)
  })
})
