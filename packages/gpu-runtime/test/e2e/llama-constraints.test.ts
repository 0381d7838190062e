import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidRequestError } from '../../src/errors.js'
import { createLlamaBackend, type LlamaBackend } from '../../src/llm/llama-backend.js'
import type {
  GenerateRequest,
  GenerationStream,
  JsonSchema,
  TokenChunk,
  ToolDefinition,
} from '../../src/types.js'
import { cpuHardware, tempDir, tinyModel } from '../helpers.js'

async function collect(stream: GenerationStream): Promise<{ chunks: TokenChunk[]; text: string }> {
  const chunks: TokenChunk[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return { chunks, text: chunks.map((c) => c.text).join('') }
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1)

/**
 * Nested objects, arrays and enums, every string an enum: the
 * tiny model's byte-fallback tokens can spell invalid UTF-8 that llama.cpp's
 * grammar reads leniently, which decodes to U+FFFD and would break a free
 * string's maxLength (see the README).
 */
const orderSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    status: { enum: ['open', 'paid', 'shipped'] },
    customer: {
      type: 'object',
      properties: {
        tier: { enum: ['free', 'pro'] },
        vip: { type: 'boolean' },
        address: {
          type: 'object',
          properties: { country: { enum: ['de', 'fr', 'jp'] }, floor: { type: 'integer' } },
        },
      },
      required: ['tier', 'vip', 'address'],
    },
    items: {
      type: 'array',
      maxItems: 3,
      items: {
        type: 'object',
        properties: { sku: { enum: ['a-1', 'b-2'] }, qty: { type: 'integer' }, price: { type: 'number' } },
        required: ['sku', 'qty', 'price'],
      },
    },
  },
  required: ['id', 'status', 'customer', 'items'],
  additionalProperties: false,
}

const tools: ToolDefinition[] = [
  {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { enum: ['oslo', 'lima'] }, days: { type: 'integer' }, unit: { enum: ['c', 'f'] } },
      required: ['city', 'days', 'unit'],
    },
  },
  {
    name: 'book_table',
    description: 'Reserve a table',
    parameters: {
      type: 'object',
      properties: {
        people: { type: 'integer' },
        tags: { type: 'array', items: { enum: ['window', 'quiet'] }, maxItems: 2 },
      },
      required: ['people', 'tags'],
    },
  },
]

describe('node-llama-cpp constraints on the generated tiny model', () => {
  let backend: LlamaBackend
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const ajv = new Ajv({ strict: false })
  addFormats.default(ajv)

  beforeAll(async () => {
    tmp = await tempDir()
    const path = await tinyModel(tmp.dir)
    backend = createLlamaBackend({
      hardware: cpuHardware,
      models: [{ kind: 'llama', name: 'tiny', source: path, threads: 1, contextSize: 1024 }],
    })
    await backend.load('tiny')
  })

  afterAll(async () => {
    await backend?.close()
    await tmp?.cleanup()
  })

  const sample = (extra: Partial<GenerateRequest>): GenerateRequest => ({
    model: 'tiny',
    messages: [{ role: 'user', content: 'answer' }],
    maxTokens: 400,
    temperature: 0.9,
    ...extra,
  })

  it('ends right before a stop string taken from an earlier run with the same seed', async () => {
    const free = await collect(backend.generate(sample({ seed: 7, maxTokens: 60 })))
    // a 2-character stop string whose first occurrence is well inside the output
    const at = [...Array(free.text.length - 2).keys()].find(
      (i) =>
        i >= 5 &&
        free.text.indexOf(free.text.slice(i, i + 2)) === i &&
        !free.text.slice(i, i + 2).includes('\uFFFD'),
    )
    expect(at).toBeDefined()
    const stop = free.text.slice(at as number, (at as number) + 2)
    const stream = backend.generate(sample({ seed: 7, maxTokens: 60, stop: [stop] }))
    const stopped = await collect(stream)
    const result = await stream.result
    expect(stopped.text).toBe(free.text.slice(0, at))
    expect(stopped.chunks.some((c) => c.text.includes(stop))).toBe(false)
    expect(result.finishReason).toBe('stop')
    expect(stopped.chunks.reduce((n, c) => n + c.tokens, 0)).toBe(result.usage.completionTokens)
    expect(result.usage.completionTokens).toBeLessThan(60)
  })

  it('json_schema: every seed gives JSON that validates against the schema', async () => {
    const validate = ajv.compile(orderSchema)
    for (const seed of SEEDS) {
      const stream = backend.generate(
        sample({ seed, responseFormat: { type: 'json_schema', schema: orderSchema } }),
      )
      const { text } = await collect(stream)
      const result = await stream.result
      expect(result.finishReason, `seed ${seed}: ${text}`).toBe('stop')
      const value: unknown = JSON.parse(text)
      expect(validate(value), `seed ${seed}: ${text} ${ajv.errorsText(validate.errors)}`).toBe(true)
    }
  })

  it('json_schema with greedy decoding ends right after the JSON, not at maxTokens', async () => {
    const validate = ajv.compile(orderSchema)
    const stream = backend.generate(
      sample({ temperature: 0, responseFormat: { type: 'json_schema', schema: orderSchema } }),
    )
    const { text } = await collect(stream)
    const result = await stream.result
    expect(result.finishReason, text).toBe('stop')
    expect(result.usage.completionTokens).toBeLessThan(400)
    expect(text).toBe(text.trim())
    expect(validate(JSON.parse(text))).toBe(true)
  })

  it('maxTokens that cuts constrained output gives finish reason length and no tool call', async () => {
    const json = backend.generate(
      sample({ seed: 1, maxTokens: 5, responseFormat: { type: 'json_schema', schema: orderSchema } }),
    )
    const { text } = await collect(json)
    expect((await json.result).finishReason).toBe('length')
    expect(() => JSON.parse(text)).toThrow()
    const call = backend.generate(sample({ seed: 1, maxTokens: 5, tools, toolChoice: 'required' }))
    await collect(call)
    const result = await call.result
    expect(result.finishReason).toBe('length')
    expect(result.toolCalls).toBeUndefined()
  })

  it('json_object: the output is one JSON object, or finish reason length when maxTokens cuts it', async () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const stream = backend.generate(
        sample({ seed, maxTokens: 200, responseFormat: { type: 'json_object' } }),
      )
      const { text } = await collect(stream)
      const result = await stream.result
      if (result.finishReason === 'length') {
        expect(text.trimStart().startsWith('{')).toBe(true)
        continue
      }
      const value: unknown = JSON.parse(text)
      expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true)
    }
  })

  it('tools: every seed calls a tool whose arguments validate against its parameters', async () => {
    const validators = new Map(tools.map((t) => [t.name, ajv.compile(t.parameters as JsonSchema)]))
    for (const seed of SEEDS) {
      const toolChoice = seed % 2 === 0 ? ('required' as const) : { name: 'book_table' }
      const stream = backend.generate(sample({ seed, tools, toolChoice }))
      const { text } = await collect(stream)
      const result = await stream.result
      expect(result.finishReason, `seed ${seed}: ${text}`).toBe('tool_calls')
      const [call] = result.toolCalls ?? []
      expect(call).toBeDefined()
      if (typeof toolChoice === 'object') expect(call?.name).toBe('book_table')
      const validate = validators.get(call?.name ?? '')
      expect(validate, `seed ${seed}: unknown tool ${call?.name}`).toBeDefined()
      expect(validate?.(JSON.parse(call?.arguments ?? '')), `seed ${seed}: ${call?.arguments}`).toBe(true)
    }
  })

  it('tools with auto: the output is a valid call or text that is not one', async () => {
    for (const seed of SEEDS.slice(0, 6)) {
      const stream = backend.generate(sample({ seed, maxTokens: 120, tools, toolChoice: 'auto' }))
      const { text } = await collect(stream)
      const result = await stream.result
      if (result.finishReason === 'tool_calls') {
        const call = result.toolCalls?.[0]
        expect(tools.map((t) => t.name)).toContain(call?.name)
      } else {
        expect(text.startsWith('{')).toBe(false)
      }
    }
  })

  it('refuses a schema keyword the grammar cannot enforce before generating', () => {
    expect(() =>
      backend.generate(
        sample({ responseFormat: { type: 'json_schema', schema: { type: 'string', pattern: '^a+$' } } }),
      ),
    ).toThrow(InvalidRequestError)
  })

  it('a GBNF grammar llama.cpp cannot parse fails the stream with InvalidRequestError', async () => {
    const stream = backend.generate(
      sample({ responseFormat: { type: 'grammar', grammar: 'root ::= ( "a" ' } }),
    )
    await expect(collect(stream)).rejects.toBeInstanceOf(InvalidRequestError)
  })

  it('a GBNF grammar constrains the output', async () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const stream = backend.generate(
        sample({ seed, responseFormat: { type: 'grammar', grammar: 'root ::= ("yes" | "no") "."' } }),
      )
      const { text } = await collect(stream)
      expect(['yes.', 'no.']).toContain(text)
    }
  })

  it('penalties change greedy output and stay reproducible; a tiny top_p is greedy', async () => {
    const plain = await collect(backend.generate(sample({ temperature: 0, maxTokens: 40 })))
    const penalized = () =>
      backend.generate(sample({ temperature: 0, maxTokens: 40, frequencyPenalty: 2, presencePenalty: 2 }))
    const a = await collect(penalized())
    const b = await collect(penalized())
    expect(a.text).toBe(b.text)
    expect(a.text).not.toBe(plain.text)
    const nucleus = await collect(
      backend.generate(sample({ temperature: 1, seed: 3, topP: 1e-6, maxTokens: 40 })),
    )
    expect(nucleus.text).toBe(plain.text)
  })

  it('embeds texts: one vector per input, equal texts equal vectors, prompt tokens counted', async () => {
    const result = await backend.embed({
      model: 'tiny',
      inputs: ['hello world', 'other text', 'hello world'],
    })
    expect(result.embeddings).toHaveLength(3)
    const [a, b, c] = result.embeddings
    expect(a?.length).toBeGreaterThan(0)
    expect(b?.length).toBe(a?.length)
    expect([...(c ?? [])]).toEqual([...(a ?? [])])
    expect([...(b ?? [])]).not.toEqual([...(a ?? [])])
    const { model } = await backend.load('tiny')
    expect(result.usage.promptTokens).toBe(
      ['hello world', 'other text', 'hello world'].reduce((n, t) => n + model.tokenize(t, false).length, 0),
    )
    expect(result.usage.completionTokens).toBe(0)
  })
})
