/**
 * The honoured generation constraints end to end: the official openai client
 * through the gateway, over real libp2p nodes, to a provider running the
 * generated tiny GGUF in node-llama-cpp. Its output is not text, so the
 * tests check shapes: a stop string cuts the output where it first appeared,
 * JSON output validates against its schema, tool arguments against the
 * tool's parameters, streaming and not.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLightPeer } from '@cocoon-mesh/client/internal'
import { createRuntime, type Runtime, writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import type { Offer } from '@cocoon-mesh/protocol'
import { Ajv } from 'ajv'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway } from '../../src/gateway/server.js'
import { startProvider } from '../fixtures/mesh.js'

const stops: Array<() => Promise<void>> = []
let openai: OpenAI
let runtime: Runtime

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-llama-'))
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
    models: [{ kind: 'llama', name: 'tiny', source, threads: 1, contextSize: 1024 }],
  })
  stops.push(() => runtime.close())
  // load the model before the first job: a first job would wait out the load past its first-token limit
  for await (const chunk of runtime.generate({ model: 'tiny', prompt: 'warm', maxTokens: 1 })) {
    expect(chunk.tokens).toBeGreaterThan(0)
  }
  const p = await startProvider(1000n, { runtime })
  stops.push(() => p.peer.stop())
  const offer: Offer = {
    ...p.offer,
    jobKinds: runtime.embeddingModels().includes('tiny') ? ['llm', 'embedding'] : ['llm'],
    features: runtime.features('tiny'),
  }
  const sdk = await createLightPeer({ gossip: false, ping: false, offerSource: { offers: () => [offer] } })
  stops.push(() => sdk.stop())
  await sdk.peer.libp2p.dial(p.addrs)
  const gateway = await startGateway({
    generate: (params) => sdk.generate(params),
    embed: (params) => sdk.embed(params),
    offers: () => [offer],
  })
  stops.push(() => gateway.close())
  openai = new OpenAI({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 })
}, 120_000)

afterAll(async () => {
  for (const stop of stops.reverse()) await stop()
})

const ask = {
  model: 'tiny',
  messages: [{ role: 'user' as const, content: 'answer' }],
  temperature: 0,
  seed: 3,
}

describe('gateway to a llama.cpp provider', () => {
  it('stop ends the output before the stop string, finish_reason stop, streaming and not', async () => {
    const free = await openai.chat.completions.create({ ...ask, max_tokens: 24 })
    const text = free.choices[0]?.message.content ?? ''
    const chars = [...text]
    expect(chars.length).toBeGreaterThan(8)
    const stop = chars.slice(4, 6).join('')
    const expected = text.slice(0, text.indexOf(stop))
    const stopped = await openai.chat.completions.create({ ...ask, max_tokens: 24, stop: [stop] })
    expect(stopped.choices[0]?.message.content).toBe(expected)
    expect(stopped.choices[0]?.finish_reason).toBe('stop')
    const stream = await openai.chat.completions.create({ ...ask, max_tokens: 24, stop, stream: true })
    let streamed = ''
    let finish: string | null | undefined
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(streamed).toBe(expected)
    expect(finish).toBe('stop')
  })

  it('response_format json_schema returns JSON valid against the schema', async () => {
    const schema = {
      type: 'object',
      properties: { level: { enum: ['low', 'high'] }, count: { type: 'integer' } },
      required: ['level', 'count'],
      additionalProperties: false,
    }
    const validate = new Ajv().compile(schema)
    const answer = await openai.chat.completions.create({
      ...ask,
      temperature: 0.8,
      max_tokens: 200,
      response_format: { type: 'json_schema', json_schema: { name: 'level', schema } },
    })
    const content = answer.choices[0]?.message.content ?? ''
    expect(validate(JSON.parse(content)), content).toBe(true)
  })

  it('/v1/embeddings returns one vector per input (the client asks for base64), refuses dimensions', async () => {
    expect(runtime.embeddingModels()).toContain('tiny')
    const result = await openai.embeddings.create({ model: 'tiny', input: ['one', 'two words'] })
    expect(result.data).toHaveLength(2)
    const [a, b] = result.data.map((d) => d.embedding)
    expect(a?.length).toBeGreaterThan(0)
    expect(b?.length).toBe(a?.length)
    expect(a?.every((x) => Number.isFinite(x))).toBe(true)
    expect(result.usage.prompt_tokens).toBeGreaterThan(0)
    const floats = await openai.embeddings.create({ model: 'tiny', input: 'one', encoding_format: 'float' })
    expect(floats.data[0]?.embedding).toEqual(a)
    const dims = await openai.embeddings
      .create({ model: 'tiny', input: 'x', dimensions: 8 })
      .catch((e: unknown) => e)
    expect(dims).toBeInstanceOf(OpenAI.BadRequestError)
    expect((dims as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('dimensions')
    const unknown = await openai.embeddings.create({ model: 'nope', input: 'x' }).catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError)
  })

  it('tools with tool_choice required return tool_calls whose arguments validate', async () => {
    const parameters = {
      type: 'object',
      properties: { city: { enum: ['oslo', 'lima'] }, days: { type: 'integer' } },
      required: ['city', 'days'],
    }
    const validate = new Ajv().compile(parameters)
    const answer = await openai.chat.completions.create({
      ...ask,
      temperature: 0.8,
      max_tokens: 200,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters } }],
      tool_choice: 'required',
    })
    const choice = answer.choices[0]
    expect(choice?.finish_reason).toBe('tool_calls')
    const call = choice?.message.tool_calls?.[0]
    expect(call?.type).toBe('function')
    if (call?.type !== 'function') return
    expect(call.function.name).toBe('get_weather')
    expect(validate(JSON.parse(call.function.arguments)), call.function.arguments).toBe(true)

    const stream = await openai.chat.completions.create({
      ...ask,
      temperature: 0.8,
      max_tokens: 200,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters } }],
      tool_choice: 'required',
      stream: true,
    })
    let args = ''
    let finish: string | null | undefined
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) args += delta.function?.arguments ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(finish).toBe('tool_calls')
    expect(validate(JSON.parse(args)), args).toBe(true)
  })

  it('a tool call, its result and a final answer: the history reaches the model whole', async () => {
    const parameters = {
      type: 'object',
      properties: { city: { enum: ['oslo', 'lima'] } },
      required: ['city'],
    }
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters } }]
    const first = await openai.chat.completions.create({
      ...ask,
      max_tokens: 100,
      tools,
      tool_choice: 'required',
    })
    const call = first.choices[0]?.message.tool_calls?.[0]
    if (call?.type !== 'function') throw new Error(`expected a function call, got ${JSON.stringify(first)}`)
    const result = '{"temperature_c": 3, "sky": "clear"}'
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      ...ask.messages,
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: result },
    ]
    const answer = await openai.chat.completions.create({
      ...ask,
      messages,
      max_tokens: 8,
      tools,
      tool_choice: 'none',
    })
    expect(answer.choices[0]?.message.tool_calls ?? []).toEqual([])
    expect(answer.usage?.completion_tokens).toBeGreaterThan(0)
    // the provider's prompt is the runtime's rendering of the whole history: the call and the result in it
    const direct = runtime.generate({
      model: 'tiny',
      maxTokens: 1,
      messages: [
        { role: 'user', content: 'answer' },
        { role: 'assistant', content: '', toolCalls: [{ id: call.id, ...call.function }] },
        { role: 'tool', content: result, toolCallId: call.id },
      ],
    })
    for await (const _ of direct) break
    const promptTokens = (await direct.result).usage.promptTokens
    expect(answer.usage?.prompt_tokens).toBe(promptTokens)
    const withoutResult = runtime.generate({
      model: 'tiny',
      maxTokens: 1,
      messages: [{ role: 'user', content: 'answer' }],
    })
    for await (const _ of withoutResult) break
    expect(promptTokens).toBeGreaterThan((await withoutResult.result).usage.promptTokens + 10)
  })
})
