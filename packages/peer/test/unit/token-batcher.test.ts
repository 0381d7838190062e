import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../test-support/manual-clock.js'
import { tokensWithinCredit } from '../../src/jobs/serve-work.js'
import { type TokenBatch, TokenBatcher } from '../../src/jobs/token-batcher.js'

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void
  let reject!: (e: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('TokenBatcher', () => {
  it('sends the first chunk at once and coalesces what arrives while a send is in flight', async () => {
    const sent: TokenBatch[] = []
    const gates: Array<ReturnType<typeof deferred>> = []
    const batcher = new TokenBatcher({
      flushIntervalMs: 0,
      send: (batch) => {
        sent.push(batch)
        const gate = deferred()
        gates.push(gate)
        return gate.promise
      },
    })
    await batcher.push({ text: 'a', tokens: 1 })
    expect(sent).toEqual([{ text: 'a', tokens: 1 }])
    await batcher.push({ text: 'b', tokens: 1 })
    await batcher.push({ text: 'c', tokens: 2 })
    expect(sent).toHaveLength(1)
    gates[0]?.resolve()
    const closed = batcher.close()
    await new Promise((r) => setImmediate(r))
    expect(sent).toEqual([
      { text: 'a', tokens: 1 },
      { text: 'bc', tokens: 3 },
    ])
    gates[1]?.resolve()
    await closed
  })

  it('holds chunks for the flush interval after a send, then sends them together', async () => {
    const clock = new ManualClock(0)
    const sent: TokenBatch[] = []
    const batcher = new TokenBatcher({
      flushIntervalMs: 5,
      now: clock.now,
      timers: clock,
      send: async (batch) => {
        sent.push(batch)
      },
    })
    await batcher.push({ text: 'x', tokens: 1 })
    await batcher.push({ text: 'y', tokens: 1 })
    await batcher.push({ text: 'z', tokens: 1 })
    clock.advance(4)
    expect(sent.map((b) => b.text)).toEqual(['x'])
    clock.advance(1)
    expect(sent.map((b) => b.text)).toEqual(['x', 'yz'])
    await batcher.push({ text: '!', tokens: 1 })
    await batcher.close()
    expect(sent.map((b) => b.text)).toEqual(['x', 'yz', '!'])
    expect(sent.reduce((n, b) => n + b.tokens, 0)).toBe(4)
  })

  it('makes the producer wait when too many tokens are queued', async () => {
    const gate = deferred()
    const batcher = new TokenBatcher({ flushIntervalMs: 0, maxPendingTokens: 2, send: () => gate.promise })
    await batcher.push({ text: 'a', tokens: 1 })
    await batcher.push({ text: 'b', tokens: 1 })
    let third = false
    const pushed = batcher.push({ text: 'c', tokens: 1 }).then(() => {
      third = true
    })
    await new Promise((r) => setImmediate(r))
    expect(third).toBe(false)
    gate.resolve()
    await pushed
    expect(third).toBe(true)
    await batcher.close()
  })

  it('rethrows a failed send from the next push and from close', async () => {
    const failure = new Error('stream reset')
    const batcher = new TokenBatcher({
      flushIntervalMs: 0,
      send: () => Promise.reject(failure),
    })
    await batcher.push({ text: 'a', tokens: 1 })
    await new Promise((r) => setImmediate(r))
    await expect(batcher.push({ text: 'b', tokens: 1 })).rejects.toBe(failure)
    await expect(batcher.close()).rejects.toBe(failure)
  })

  it('sends nothing after cancel, also once the flush interval has passed', async () => {
    const clock = new ManualClock(0)
    const sent: string[] = []
    const batcher = new TokenBatcher({
      flushIntervalMs: 1000,
      now: clock.now,
      timers: clock,
      send: async (batch) => {
        sent.push(batch.text)
      },
    })
    await batcher.push({ text: 'a', tokens: 1 })
    await batcher.push({ text: 'b', tokens: 1 }) // held: 'a' left less than 1000 ms ago
    expect(clock.scheduled).toBeGreaterThan(0) // 'b' waits on a flush timer that cancel must stop
    batcher.cancel()
    clock.advance(5000)
    await new Promise((r) => setImmediate(r))
    expect(sent).toEqual(['a'])
    await expect(batcher.push({ text: 'c', tokens: 1 })).rejects.toThrow()
    clock.advance(5000)
    await new Promise((r) => setImmediate(r))
    expect(sent).toEqual(['a'])
  })
})

describe('TokenBatcher batch size', () => {
  it('never puts more than maxBatchTokens in a batch, but never splits a chunk', async () => {
    const sent: TokenBatch[] = []
    const gate = deferred()
    let first = true
    const batcher = new TokenBatcher({
      flushIntervalMs: 0,
      maxBatchTokens: 3,
      send: async (batch) => {
        sent.push(batch)
        if (first) {
          first = false
          await gate.promise
        }
      },
    })
    await batcher.push({ text: 'a', tokens: 1 })
    for (const [text, tokens] of [
      ['b', 1],
      ['c', 1],
      ['d', 2],
      ['e', 5],
      ['f', 1],
    ] as const)
      await batcher.push({ text, tokens })
    gate.resolve()
    await batcher.close()
    expect(sent).toEqual([
      { text: 'a', tokens: 1 },
      { text: 'bc', tokens: 2 },
      { text: 'd', tokens: 2 },
      { text: 'e', tokens: 5 },
      { text: 'f', tokens: 1 },
    ])
  })
})

describe('tokensWithinCredit', () => {
  const price = { perKPromptTokens: 1000n, perKCompletionTokens: 1000n, perTensorGflop: 0n }
  it('caps a frame at the tokens the credit left covers, with one token of slack', () => {
    expect(tokensWithinCredit(price, 10n)).toBe(9)
    expect(tokensWithinCredit({ ...price, perKCompletionTokens: 3000n }, 10n)).toBe(2)
    expect(tokensWithinCredit({ ...price, perKCompletionTokens: 1_000_000n }, 1n)).toBe(1)
  })
  it('is at least one token (reserve waits for it) and unlimited when tokens are free', () => {
    expect(tokensWithinCredit(price, 0n)).toBe(1)
    expect(tokensWithinCredit(price, -5n)).toBe(1)
    expect(tokensWithinCredit({ ...price, perKCompletionTokens: 0n }, 10n)).toBe(Number.POSITIVE_INFINITY)
  })
})
