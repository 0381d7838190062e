import { describe, expect, it } from 'vitest'
import { DeadlineExceededError, GenerationError } from '../../src/errors.js'
import { createGenerationStream, emptyUsage } from '../../src/llm/stream.js'

describe('GenerationStream', () => {
  it('a deadline that passes mid-stream stops the producer and rejects with DeadlineExceededError', async () => {
    let produced = 0
    const stream = createGenerationStream({
      deadline: Date.now() + 20,
      produce: async (ctx) => {
        const usage = emptyUsage()
        // Emit one chunk per macrotask until the runtime signals the stop.
        while (!ctx.signal.aborted) {
          ctx.emit({ text: 'x', tokens: 1 })
          usage.completionTokens++
          produced++
          await new Promise((resolve) => setImmediate(resolve))
        }
        return { usage, finishReason: ctx.stopReason() ?? 'abort', backend: 'test' }
      },
    })
    let received = 0
    const error = await (async () => {
      try {
        for await (const c of stream) received += c.tokens
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(DeadlineExceededError)
    const result = await stream.result
    expect(result.finishReason).toBe('deadline')
    expect(result.usage.completionTokens).toBe(produced)
    expect(produced).toBeGreaterThan(0) // the deadline passed mid-stream, not before the first token
    expect(received).toBeLessThanOrEqual(produced)
  })

  it('a failing producer rejects the iterator and the promises, without unhandled rejections', async () => {
    const stream = createGenerationStream({
      produce: async () => {
        throw new GenerationError('boom')
      },
    })
    await expect(
      (async () => {
        for await (const _ of stream) {
          // nothing
        }
      })(),
    ).rejects.toBeInstanceOf(GenerationError)
    await expect(stream.usage).rejects.toBeInstanceOf(GenerationError)
  })

  it('can be iterated only once', async () => {
    const stream = createGenerationStream({
      produce: async () => ({ usage: emptyUsage(), finishReason: 'stop', backend: 'test' }),
    })
    stream[Symbol.asyncIterator]()
    expect(() => stream[Symbol.asyncIterator]()).toThrow(TypeError)
    expect((await stream.result).finishReason).toBe('stop')
  })
})
