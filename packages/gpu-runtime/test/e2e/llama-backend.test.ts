import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AbortedError,
  ContextLengthExceededError,
  DeadlineExceededError,
  InvalidInputError,
  InvalidRequestError,
  ModelCorruptError,
  ModelNotFoundError,
  ModelTooLargeError,
  UnknownModelError,
} from '../../src/errors.js'
import { createLlamaBackend, type LlamaBackend } from '../../src/llm/llama-backend.js'
import type { GenerationStream, TokenChunk } from '../../src/types.js'
import { cpuHardware, tempDir, tinyModel } from '../helpers.js'

async function collect(stream: GenerationStream): Promise<{ chunks: TokenChunk[]; text: string }> {
  const chunks: TokenChunk[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return { chunks, text: chunks.map((c) => c.text).join('') }
}

describe('node-llama-cpp backend on the generated tiny model', () => {
  let backend: LlamaBackend
  let tmp: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    tmp = await tempDir()
    const path = await tinyModel(tmp.dir)
    await writeFile(
      join(tmp.dir, 'corrupt.gguf'),
      new TextEncoder().encode('GGUF\u0003\u0000\u0000\u0000garbage'),
    )
    const whole = await readFile(path)
    await writeFile(join(tmp.dir, 'truncated.gguf'), whole.subarray(0, whole.length >> 1))
    await writeFile(join(tmp.dir, 'not-gguf.bin'), new TextEncoder().encode('hello, not a model at all'))
    backend = createLlamaBackend({
      hardware: cpuHardware,
      models: [
        { kind: 'llama', name: 'tiny', source: path, threads: 1, contextSize: 512, maxConcurrency: 2 },
        { kind: 'llama', name: 'missing', source: join(tmp.dir, 'nope.gguf') },
        { kind: 'llama', name: 'corrupt', source: join(tmp.dir, 'corrupt.gguf'), threads: 1 },
        { kind: 'llama', name: 'truncated', source: join(tmp.dir, 'truncated.gguf'), threads: 1 },
        { kind: 'llama', name: 'not-gguf', source: join(tmp.dir, 'not-gguf.bin') },
      ],
    })
    await backend.load('tiny')
  })

  afterAll(async () => {
    await backend?.close()
    await tmp?.cleanup()
  })

  it('streams exactly maxTokens completion tokens with exact prompt counts', async () => {
    const stream = backend.generate({ model: 'tiny', prompt: 'hello world', maxTokens: 12 })
    const { chunks } = await collect(stream)
    const result = await stream.result
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.reduce((n, c) => n + c.tokens, 0)).toBe(12)
    expect(result.usage.completionTokens).toBe(12)
    expect(result.finishReason).toBe('length')
    expect(result.backend).toBe('llama.cpp/cpu')
    // BOS + the model's own tokenization of the prompt.
    const { model } = await backend.load('tiny')
    expect(result.usage.promptTokens).toBe(1 + model.tokenize('hello world').length)
  })

  it('serves two jobs at once on two sequences with exact counts', async () => {
    const a = backend.generate({ model: 'tiny', prompt: 'one', maxTokens: 15 })
    const b = backend.generate({ model: 'tiny', prompt: 'two two', maxTokens: 9 })
    await Promise.all([collect(a), collect(b)])
    expect((await a.usage).completionTokens).toBe(15)
    expect((await b.usage).completionTokens).toBe(9)
  })

  it('greedy output repeats exactly', async () => {
    const a = await collect(backend.generate({ model: 'tiny', prompt: 'the cat sat', maxTokens: 20 }))
    const b = await collect(backend.generate({ model: 'tiny', prompt: 'the cat sat', maxTokens: 20 }))
    expect(b.text).toBe(a.text)
    const c = await collect(backend.generate({ model: 'tiny', prompt: 'another prompt', maxTokens: 20 }))
    expect(c.text).not.toBe(a.text)
  })

  it('seeded sampling repeats with the same seed', async () => {
    const run = (seed: number) =>
      collect(backend.generate({ model: 'tiny', prompt: 'hello', maxTokens: 16, temperature: 1, seed }))
    const a = await run(7)
    const b = await run(7)
    expect(b.text).toBe(a.text)
  })

  it('applies the chat template to messages', async () => {
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello' },
    ]
    const stream = backend.generate({ model: 'tiny', messages, maxTokens: 4 })
    await collect(stream)
    const usage = await stream.usage
    // ChatML framing adds control tokens around each message, so the prompt is
    // longer than the raw text of the two messages.
    const raw = backend.generate({ model: 'tiny', prompt: 'be brief hello', maxTokens: 1 })
    await collect(raw)
    expect(usage.promptTokens).toBeGreaterThan((await raw.usage).promptTokens + 6)
    expect(usage.completionTokens).toBe(4)
  })

  it('a continuation from an earlier provider is part of the prompt', async () => {
    const cont = backend.generate({ model: 'tiny', prompt: 'hello', continuation: ' world', maxTokens: 6 })
    const whole = backend.generate({ model: 'tiny', prompt: 'hello world', maxTokens: 6 })
    const [a, b] = [await collect(cont), await collect(whole)]
    expect((await cont.usage).promptTokens).toBe((await whole.usage).promptTokens)
    expect(a.text).toBe(b.text)
  })

  it('abort mid-stream stops within one token and rejects with AbortedError', async () => {
    const controller = new AbortController()
    const stream = backend.generate({
      model: 'tiny',
      prompt: 'hello',
      maxTokens: 400,
      signal: controller.signal,
    })
    let received = 0
    let abortedAt = -1
    const error = await (async () => {
      try {
        for await (const chunk of stream) {
          received += chunk.tokens
          if (received >= 5 && abortedAt < 0) {
            abortedAt = received
            controller.abort()
          }
        }
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(AbortedError)
    expect(received).toBeLessThanOrEqual(abortedAt + 1)
    const result = await stream.result
    expect(result.finishReason).toBe('abort')
    expect(result.usage.completionTokens).toBeLessThanOrEqual(abortedAt + 1)
  })

  it('breaking out of the loop stops generation', async () => {
    const stream = backend.generate({ model: 'tiny', prompt: 'hello', maxTokens: 400 })
    let received = 0
    for await (const chunk of stream) {
      received += chunk.tokens
      if (received >= 3) break
    }
    const result = await stream.result
    expect(result.finishReason).toBe('abort')
    expect(result.usage.completionTokens).toBeLessThanOrEqual(4)
  })

  it('a passed deadline rejects with DeadlineExceededError', async () => {
    const stream = backend.generate({
      model: 'tiny',
      prompt: 'hello',
      maxTokens: 10,
      deadline: Date.now() - 1,
    })
    await expect(collect(stream)).rejects.toBeInstanceOf(DeadlineExceededError)
    expect((await stream.result).usage.completionTokens).toBe(0)
  })

  it('bad requests and bad models are typed errors, and the backend keeps serving', async () => {
    expect(() => backend.generate({ model: 'tiny', maxTokens: 5 })).toThrow(InvalidRequestError)
    expect(() => backend.generate({ model: 'tiny', prompt: 'x', maxTokens: 0 })).toThrow(InvalidRequestError)
    expect(() => backend.generate({ model: 'nope', prompt: 'x', maxTokens: 1 })).toThrow(UnknownModelError)
    const call = { id: 'call_1', name: 'f', arguments: '{}' }
    for (const messages of [
      [{ role: 'tool', content: 'a result that names no call' }],
      [{ role: 'user', content: 'x', toolCallId: 'call_1' }],
      [{ role: 'user', content: 'x', toolCalls: [call] }],
    ]) {
      expect(
        () => backend.generate({ model: 'tiny', messages, maxTokens: 1 }),
        JSON.stringify(messages),
      ).toThrow(InvalidRequestError)
    }
    await expect(
      collect(backend.generate({ model: 'missing', prompt: 'x', maxTokens: 1 })),
    ).rejects.toBeInstanceOf(ModelNotFoundError)
    await expect(
      collect(backend.generate({ model: 'not-gguf', prompt: 'x', maxTokens: 1 })),
    ).rejects.toBeInstanceOf(ModelCorruptError)
    await expect(
      collect(backend.generate({ model: 'corrupt', prompt: 'x', maxTokens: 1 })),
    ).rejects.toBeInstanceOf(ModelCorruptError)
    await expect(
      collect(backend.generate({ model: 'truncated', prompt: 'x', maxTokens: 1 })),
    ).rejects.toBeInstanceOf(ModelCorruptError)
    await expect(
      collect(backend.generate({ model: 'tiny', prompt: 'x', maxTokens: 100_000 })),
    ).rejects.toBeInstanceOf(ContextLengthExceededError)
    const ok = await collect(backend.generate({ model: 'tiny', prompt: 'still here', maxTokens: 3 }))
    expect(ok.chunks.reduce((n, c) => n + c.tokens, 0)).toBe(3)
  })

  it('a chat prompt over the context is ContextLengthExceededError counted by the model tokenizer', async () => {
    const messages = [
      { role: 'system', content: 'You answer briefly.' },
      { role: 'user', content: 'word '.repeat(120) },
    ]
    const fits = backend.generate({ model: 'tiny', messages, maxTokens: 1 })
    await collect(fits)
    const promptTokens = (await fits.result).usage.promptTokens
    expect(promptTokens).toBeGreaterThan(120)
    expect(promptTokens).toBeLessThan(512)
    expect(backend.contextSize('tiny')).toBe(512)

    const maxTokens = 512 - promptTokens + 1
    const over = collect(backend.generate({ model: 'tiny', messages, maxTokens }))
    const error = await over.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ContextLengthExceededError)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect(error).toMatchObject({ contextSize: 512, promptTokens, maxTokens })

    // one token less fits exactly: generation starts (stopped after its first token)
    const controller = new AbortController()
    const edge = backend.generate({
      model: 'tiny',
      messages,
      maxTokens: maxTokens - 1,
      signal: controller.signal,
    })
    const first = await edge[Symbol.asyncIterator]().next()
    controller.abort()
    expect(first.done).toBe(false)
    expect((await edge.result).usage.promptTokens).toBe(promptTokens)
  })

  it('a model larger than the memory limit is ModelTooLargeError', async () => {
    const small = createLlamaBackend({
      hardware: cpuHardware,
      memoryLimitBytes: 1024,
      models: [{ kind: 'llama', name: 'tiny', source: join(tmp.dir, 'tiny-1.gguf'), threads: 1 }],
    })
    try {
      await expect(small.load('tiny')).rejects.toBeInstanceOf(ModelTooLargeError)
    } finally {
      await small.close()
    }
  })
})
