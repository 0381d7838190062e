import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AbortedError,
  ContextLengthExceededError,
  InvalidRequestError,
  QueueFullError,
  UpstreamProtocolError,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from '../../src/errors.js'
import { createOpenAiBackend } from '../../src/llm/openai-backend.js'
import { createRuntime } from '../../src/runtime.js'
import type { GenerationStream } from '../../src/types.js'
import { cpuHardware } from '../helpers.js'

interface Seen {
  path: string
  body: Record<string, unknown>
  auth: string | undefined
}

/** Context of the `short-*` upstream models, in tokens (one per word of the messages). */
const SHORT_CONTEXT = 16

/** The 400 a `short-*` model answers a prompt over its context with, in the dialect its name says. */
function contextRefusal(body: Record<string, unknown>): unknown {
  const model = String(body.model)
  if (!model.startsWith('short-')) return undefined
  const messages = body.messages as Array<{ content: string }>
  const prompt = messages.reduce((n, m) => n + m.content.split(/\s+/).filter(Boolean).length, 0)
  const completion = Number(body.max_tokens)
  if (prompt + completion <= SHORT_CONTEXT) return undefined
  const sentence = `This model's maximum context length is ${SHORT_CONTEXT} tokens. However, you requested ${prompt + completion} tokens (${prompt} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`
  if (model === 'short-openai')
    return {
      error: {
        message: sentence,
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    }
  if (model === 'short-vllm')
    return { object: 'error', message: sentence, type: 'BadRequestError', code: 400 }
  if (model === 'short-llama')
    return {
      error: {
        code: 400,
        message: 'the request exceeds the available context size, try increasing it',
        type: 'exceed_context_size_error',
        n_prompt_tokens: prompt,
        n_ctx: SHORT_CONTEXT,
      },
    }
  return { error: { message: 'context too long', type: 'exceed_context_size_error' } }
}

/** A small OpenAI-format streaming server on 127.0.0.1:0. */
function startUpstream(): Promise<{ server: Server; url: string; seen: Seen[]; closedEarly: () => number }> {
  const seen: Seen[] = []
  let closedEarly = 0
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = ''
    req.on('data', (d) => {
      raw += d
    })
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>
      seen.push({ path: req.url ?? '', body, auth: req.headers.authorization })
      const refusal = contextRefusal(body)
      if (refusal !== undefined) {
        res.writeHead(400, { 'content-type': 'application/json' })
        res.end(JSON.stringify(refusal))
        return
      }
      if (body.model === 'broken') {
        res.writeHead(503, { 'content-type': 'application/json' })
        res.end('{"error":{"message":"model is loading"}}')
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      if (body.model === 'garbage') {
        res.end('data: {not json\n\n')
        return
      }
      const chat = req.url === '/v1/chat/completions'
      const n = Number(body.max_tokens)
      const infinite = body.model === 'slow'
      let i = 0
      res.on('close', () => {
        if (i < n) closedEarly++
      })
      const send = () => {
        if (res.destroyed) return
        if (i < n) {
          const piece = `tok${i} `
          const choice = chat
            ? { index: 0, delta: { content: piece }, finish_reason: null }
            : { index: 0, text: piece, finish_reason: null }
          // Split one event across two writes to exercise the SSE parser.
          const line = `data: ${JSON.stringify({ id: 'x', choices: [choice] })}\n\n`
          res.write(line.slice(0, 10))
          res.write(line.slice(10))
          i++
          if (infinite) setTimeout(send, 5)
          else setImmediate(send)
          return
        }
        res.write(
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'length' }] })}\n\n`,
        )
        res.write(
          `data: ${JSON.stringify({
            choices: [],
            usage: {
              prompt_tokens: 11,
              completion_tokens: n,
              total_tokens: 11 + n,
              prompt_tokens_details: { cached_tokens: 4 },
            },
          })}\n\n`,
        )
        res.end('data: [DONE]\n\n')
      }
      send()
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({ server, url: `http://127.0.0.1:${port}`, seen, closedEarly: () => closedEarly })
    })
  })
}

async function drain(stream: GenerationStream): Promise<string> {
  let text = ''
  for await (const c of stream) text += c.text
  return text
}

describe('OpenAI-compatible upstream backend', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>
  let backend: ReturnType<typeof createOpenAiBackend>

  beforeAll(async () => {
    upstream = await startUpstream()
    backend = createOpenAiBackend({
      models: [
        {
          kind: 'openai',
          name: 'm',
          baseUrl: `${upstream.url}/v1/`,
          upstreamModel: 'upstream-m',
          apiKey: 'k',
        },
        { kind: 'openai', name: 'slow', baseUrl: upstream.url },
        { kind: 'openai', name: 'broken', baseUrl: upstream.url },
        { kind: 'openai', name: 'garbage', baseUrl: upstream.url },
        { kind: 'openai', name: 'down', baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 },
        ...['short-openai', 'short-vllm', 'short-llama', 'short-vague'].map((name) => ({
          kind: 'openai' as const,
          name,
          baseUrl: upstream.url,
        })),
      ],
    })
  })

  afterAll(async () => {
    await backend?.close()
    upstream?.server.closeAllConnections()
    await new Promise((resolve) => upstream?.server.close(resolve))
  })

  it('streams chat completions and reads usage from the stream', async () => {
    const stream = backend.generate({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      maxTokens: 5,
      seed: 3,
    })
    const text = await drain(stream)
    expect(text).toBe('tok0 tok1 tok2 tok3 tok4 ')
    const result = await stream.result
    expect(result.usage).toEqual({
      promptTokens: 11,
      cachedTokens: 4,
      completionTokens: 5,
      reasoningTokens: 0,
    })
    expect(result.finishReason).toBe('length')
    const req = upstream.seen.at(-1)
    expect(req?.path).toBe('/v1/chat/completions')
    expect(req?.auth).toBe('Bearer k')
    expect(req?.body).toMatchObject({
      model: 'upstream-m',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 5,
      seed: 3,
    })
  })

  it('streams /v1/completions for a prompt', async () => {
    const stream = backend.generate({ model: 'm', prompt: 'once upon', maxTokens: 3 })
    expect(await drain(stream)).toBe('tok0 tok1 tok2 ')
    expect(upstream.seen.at(-1)?.path).toBe('/v1/completions')
    expect(upstream.seen.at(-1)?.body.prompt).toBe('once upon')
    expect((await stream.usage).completionTokens).toBe(3)
  })

  it('abort stops reading and closes the upstream request', async () => {
    const controller = new AbortController()
    const before = upstream.closedEarly()
    const stream = backend.generate({
      model: 'slow',
      prompt: 'x',
      maxTokens: 10_000,
      signal: controller.signal,
    })
    let received = 0
    await expect(
      (async () => {
        for await (const c of stream) {
          received += c.tokens
          if (received === 3) controller.abort()
        }
      })(),
    ).rejects.toBeInstanceOf(AbortedError)
    expect(received).toBeLessThanOrEqual(4)
    expect((await stream.result).finishReason).toBe('abort')
    await expect.poll(() => upstream.closedEarly()).toBe(before + 1)
  })

  it('a bad status is UpstreamStatusError with the status', async () => {
    const error = await drain(backend.generate({ model: 'broken', prompt: 'x', maxTokens: 2 })).catch(
      (e) => e,
    )
    expect(error).toBeInstanceOf(UpstreamStatusError)
    expect(error.status).toBe(503)
    expect(error.details).toContain('model is loading')
  })

  it("an upstream's context refusal is ContextLengthExceededError with its counts, in each dialect", async () => {
    const messages = [{ role: 'user', content: 'one two three four five six seven eight nine ten' }]
    for (const model of ['short-openai', 'short-vllm', 'short-llama']) {
      const error = await drain(backend.generate({ model, messages, maxTokens: 7 })).catch((e: unknown) => e)
      expect(error, model).toBeInstanceOf(ContextLengthExceededError)
      expect(error, model).toMatchObject({ contextSize: SHORT_CONTEXT, promptTokens: 10, maxTokens: 7 })
    }
    // a refusal without counts stays a caller fault, with the upstream's words
    const vague = await drain(backend.generate({ model: 'short-vague', messages, maxTokens: 7 })).catch(
      (e: unknown) => e,
    )
    expect(vague).toBeInstanceOf(InvalidRequestError)
    expect((vague as InvalidRequestError).details).toContain('context too long')
    // the same prompt with room for the completion streams
    expect(await drain(backend.generate({ model: 'short-openai', messages, maxTokens: 6 }))).toContain('tok5')
  })

  it("passes a multi-turn tool conversation through in OpenAI's shape", async () => {
    const toolCalls = [{ id: 'call_7', name: 'get_weather', arguments: '{"city":"oslo"}' }]
    await drain(
      backend.generate({
        model: 'm',
        maxTokens: 2,
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: '', toolCalls },
          { role: 'tool', content: '{"t":3}', toolCallId: 'call_7' },
        ],
      }),
    )
    expect(upstream.seen.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_7', type: 'function', function: { name: 'get_weather', arguments: '{"city":"oslo"}' } },
        ],
      },
      { role: 'tool', content: '{"t":3}', tool_call_id: 'call_7' },
    ])
  })

  it('invalid JSON in the stream is UpstreamProtocolError', async () => {
    await expect(
      drain(backend.generate({ model: 'garbage', prompt: 'x', maxTokens: 2 })),
    ).rejects.toBeInstanceOf(UpstreamProtocolError)
  })

  it('an unreachable upstream is UpstreamUnreachableError and the backend keeps serving', async () => {
    const stream = backend.generate({ model: 'down', prompt: 'x', maxTokens: 2 })
    await expect(drain(stream)).rejects.toBeInstanceOf(UpstreamUnreachableError)
    await expect(stream.result).rejects.toBeInstanceOf(UpstreamUnreachableError)
    expect(await drain(backend.generate({ model: 'm', prompt: 'ok', maxTokens: 1 }))).toBe('tok0 ')
  })
})

describe('OpenAI-compatible upstream through the runtime', () => {
  it('streams with admission and reports the upstream usage', async () => {
    const upstream = await startUpstream()
    const runtime = await createRuntime({
      hardware: cpuHardware,
      tensor: false,
      models: [{ kind: 'openai', name: 'up', baseUrl: upstream.url, maxConcurrency: 1, maxQueue: 0 }],
    })
    try {
      const stream = runtime.generate({
        model: 'up',
        messages: [{ role: 'user', content: 'hi' }],
        maxTokens: 4,
      })
      expect(() => runtime.generate({ model: 'up', prompt: 'x', maxTokens: 1 })).toThrow(QueueFullError)
      expect(await drain(stream)).toBe('tok0 tok1 tok2 tok3 ')
      expect(await stream.result).toMatchObject({
        usage: { promptTokens: 11, cachedTokens: 4, completionTokens: 4 },
        backend: `openai/${upstream.url}`,
      })
      expect(runtime.stats().up).toMatchObject({ running: 0, queued: 0 })
    } finally {
      await runtime.close()
      upstream.server.closeAllConnections()
      await new Promise((resolve) => upstream.server.close(resolve))
    }
  })
})
