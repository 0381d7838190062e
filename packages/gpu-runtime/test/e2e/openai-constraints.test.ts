import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  EmbeddingUnsupportedError,
  FeatureUnsupportedError,
  UpstreamProtocolError,
} from '../../src/errors.js'
import { createOpenAiBackend } from '../../src/llm/openai-backend.js'
import type { GenerationStream, LlmBackend, TokenChunk } from '../../src/types.js'

/**
 * An OpenAI-compatible server on 127.0.0.1:0 that records every request
 * body and answers per model: `echo` streams a text containing "STOP",
 * `caller` streams a tool call in deltas, `embedder` serves /v1/embeddings,
 * `liar` sends one vector too few.
 */
async function startUpstream(): Promise<{
  url: string
  seen: Array<Record<string, unknown>>
  close: () => Promise<void>
}> {
  const seen: Array<Record<string, unknown>> = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = ''
    req.on('data', (d) => {
      raw += d
    })
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>
      seen.push({ path: req.url, ...body })
      if (req.url === '/v1/embeddings') {
        const input = body.input as string[]
        const n = body.model === 'liar' ? input.length - 1 : input.length
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            data: Array.from({ length: n }, (_, i) => ({ index: i, embedding: [i, 0.5, -1] })),
            usage: { prompt_tokens: 7 },
          }),
        )
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const event = (data: unknown): void => {
        res.write(`data: ${JSON.stringify(data)}\n\n`)
      }
      if (body.model === 'caller') {
        const parts = ['{"ci', 'ty":"Os', 'lo"}']
        event({
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [{ index: 0, id: 'call_1', function: { name: 'get_weather', arguments: '' } }],
              },
            },
          ],
        })
        for (const p of parts)
          event({
            choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: p } }] } }],
          })
        event({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })
      } else {
        // an upstream that ignores `stop`: the backend still ends before it
        for (const p of ['Hello ', 'wor', 'ld ST', 'OP and more'])
          event({ choices: [{ index: 0, delta: { content: p } }] })
        event({ choices: [{ index: 0, delta: {}, finish_reason: 'length' }] })
      }
      event({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 4 } })
      res.end('data: [DONE]\n\n')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, seen, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

async function collect(stream: GenerationStream): Promise<TokenChunk[]> {
  const chunks: TokenChunk[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return chunks
}

describe('OpenAI-compatible upstream: constraints passed through', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>
  let backend: LlmBackend

  beforeAll(async () => {
    upstream = await startUpstream()
    const baseUrl = upstream.url
    backend = createOpenAiBackend({
      models: [
        { kind: 'openai', name: 'echo', baseUrl },
        { kind: 'openai', name: 'caller', baseUrl },
        { kind: 'openai', name: 'grammar', baseUrl, upstreamModel: 'echo', features: ['grammar'] },
        { kind: 'openai', name: 'embedder', baseUrl, embeddings: true },
        { kind: 'openai', name: 'liar', baseUrl, embeddings: true },
      ],
    })
  })

  afterAll(async () => {
    await backend?.close()
    await upstream?.close()
  })

  it('sends stop, top_p, penalties and response_format; ends before the stop string itself', async () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } }
    const stream = backend.generate({
      model: 'echo',
      messages: [{ role: 'user', content: 'hi' }],
      maxTokens: 8,
      stop: ['STOP'],
      topP: 0.9,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      responseFormat: { type: 'json_schema', schema },
    })
    const chunks = await collect(stream)
    const result = await stream.result
    expect(chunks.map((c) => c.text).join('')).toBe('Hello world ')
    expect(chunks.some((c) => c.text.includes('ST'))).toBe(false)
    expect(result.finishReason).toBe('stop')
    expect(upstream.seen.at(-1)).toMatchObject({
      path: '/v1/chat/completions',
      stop: ['STOP'],
      top_p: 0.9,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema, strict: true } },
    })
  })

  it('sends tools and tool_choice and assembles the streamed call', async () => {
    const parameters = { type: 'object', properties: { city: { type: 'string' } } }
    const stream = backend.generate({
      model: 'caller',
      messages: [{ role: 'user', content: 'weather?' }],
      maxTokens: 16,
      tools: [{ name: 'get_weather', description: 'Weather', parameters }],
      toolChoice: { name: 'get_weather' },
    })
    await collect(stream)
    const result = await stream.result
    expect(result.finishReason).toBe('tool_calls')
    expect(result.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }])
    expect(upstream.seen.at(-1)).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    })
  })

  it('json_object and a GBNF grammar (vLLM guided_grammar) where configured; refuses a feature it lacks', async () => {
    await collect(
      backend.generate({ model: 'echo', prompt: 'x', maxTokens: 4, responseFormat: { type: 'json_object' } }),
    )
    expect(upstream.seen.at(-1)).toMatchObject({
      path: '/v1/completions',
      response_format: { type: 'json_object' },
    })
    await collect(
      backend.generate({
        model: 'grammar',
        prompt: 'x',
        maxTokens: 4,
        responseFormat: { type: 'grammar', grammar: 'root ::= "a"' },
      }),
    )
    expect(upstream.seen.at(-1)).toMatchObject({ model: 'echo', guided_grammar: 'root ::= "a"' })
    expect(() =>
      backend.generate({
        model: 'echo',
        prompt: 'x',
        maxTokens: 4,
        responseFormat: { type: 'grammar', grammar: 'root ::= "a"' },
      }),
    ).toThrow(FeatureUnsupportedError)
    expect(backend.features('echo')).not.toContain('grammar')
    expect(backend.features('grammar')).toEqual(['grammar'])
  })

  it('embeds through /v1/embeddings and checks the answer', async () => {
    const result = await backend.embed({ model: 'embedder', inputs: ['a', 'b'] })
    expect(result.embeddings.map((v) => [...v])).toEqual([
      [0, 0.5, -1],
      [1, 0.5, -1],
    ])
    expect(result.usage.promptTokens).toBe(7)
    expect(upstream.seen.at(-1)).toMatchObject({
      path: '/v1/embeddings',
      model: 'embedder',
      input: ['a', 'b'],
    })
    await expect(backend.embed({ model: 'liar', inputs: ['a', 'b'] })).rejects.toBeInstanceOf(
      UpstreamProtocolError,
    )
    await expect(backend.embed({ model: 'echo', inputs: ['a'] })).rejects.toBeInstanceOf(
      EmbeddingUnsupportedError,
    )
  })
})
