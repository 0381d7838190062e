/**
 * The client's timeout and deadline decisions follow the injected clock: with
 * a fake `now` and fake timers, a provider that goes silent is timed out and
 * replaced, and a deadline ends the job, without any real waiting (the
 * streams are in-memory pairs, the providers scripted).
 */
import type { Offer, Prices } from '@cocoon-mesh/protocol'
import type { Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../test-support/manual-clock.js'
import { testOffer } from '../../../../test-support/offers.js'
import {
  DeadlineExceededError,
  FrameWriter,
  type JobContext,
  llmStallLimits,
  readFrames,
  runLlmJob,
} from '../../src/internal.js'
import { promptTokenBound } from '../../src/jobs/failover.js'
import { providerIdOf } from '../../src/matching/rank.js'
import type { ProviderRecords } from '../../src/matching/records.js'
import { InMemoryProviders, until } from '../fixtures/in-memory-providers.js'

const PRICE: Prices = { perKPromptTokens: 1000n, perKCompletionTokens: 1000n, perTensorGflop: 0n }
const START = 1_700_000_000_000

function offer(seed: number, perK: bigint): Offer {
  return testOffer(seed, perK)
}

type Script = (stream: Stream) => Promise<void>

/** Accepts the job, then says nothing more. */
function silent(accepted: () => void): Script {
  return async (stream) => {
    const frames = readFrames(stream)[Symbol.asyncIterator]()
    const { value } = await frames.next()
    const jobId = value?.request?.jobId ?? ''
    await new FrameWriter(stream).write({ accept: { jobId, price: PRICE, creditWindow: 0n, queueDepth: 0 } })
    accepted()
    // drain until the client resets the stream
    for (;;) if ((await frames.next()).done === true) return
  }
}

/** Accepts the job and serves `tokens` tokens. */
function serves(tokens: number): Script {
  return async (stream) => {
    const frames = readFrames(stream)[Symbol.asyncIterator]()
    const { value } = await frames.next()
    const jobId = value?.request?.jobId ?? ''
    const writer = new FrameWriter(stream)
    await writer.write({ accept: { jobId, price: PRICE, creditWindow: 0n, queueDepth: 0 } })
    for (let i = 1; i <= tokens; i++) {
      await writer.write({ tokenChunk: { text: `t${i} `, tokens: 1, totalTokens: i } })
    }
    const usage = {
      promptTokens: 1,
      cachedTokens: 0,
      completionTokens: tokens,
      reasoningTokens: 0,
      gflop: 0,
      cost: 1n,
    }
    await writer.write({ result: { jobId, usage, backend: 'scripted', finishReason: 'stop', toolCalls: [] } })
    await stream.close()
  }
}

const providers = new InMemoryProviders()
afterEach(() => providers.close())

function context(
  clock: ManualClock,
  scripted: Array<{ offer: Offer; script: Script }>,
  dialed: string[],
): JobContext & { records: ProviderRecords } {
  return providers.context(
    clock,
    scripted.map((p) => ({ offer: p.offer, serve: p.script })),
    dialed,
  )
}

/** A silent provider that accepts the job and never answers, then a dearer one that serves two tokens. */
function silentThenServing(clock: ManualClock): {
  ctx: ReturnType<typeof context>
  cheap: Offer
  dear: Offer
  dialed: string[]
  accepted: () => boolean
} {
  const cheap = offer(1, 1000n)
  const dear = offer(2, 2000n)
  let accepted = false
  const dialed: string[] = []
  const ctx = context(
    clock,
    [
      { offer: cheap, script: silent(() => (accepted = true)) },
      { offer: dear, script: serves(2) },
    ],
    dialed,
  )
  return { ctx, cheap, dear, dialed, accepted: () => accepted }
}

describe('timeouts and deadlines on an injected clock', () => {
  it('abandons a provider that sends no first token within the first-token limit and fails over', async () => {
    const clock = new ManualClock(START)
    const { ctx, cheap, dear, dialed, accepted } = silentThenServing(clock)
    const job = runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 2 })
    let text = ''
    const done = (async () => {
      for await (const chunk of job) text += chunk.text
    })()
    // the client read the accept and waits for the next frame on its second idle timer
    await until(
      () => accepted() && clock.scheduled >= 2,
      'the silent provider to accept and the timers to be set',
    )
    // the offers promise no rate: the limit for the default rate and the prompt's bound
    const bound = promptTokenBound({ prompt: 'hi', messages: [], continuation: '' })
    const limit = llmStallLimits(cheap, bound).firstTokenMs
    expect(limit).toBeGreaterThanOrEqual(3_000)
    clock.advance(limit - 1)
    expect(dialed).toHaveLength(1)
    clock.advance(1)
    await done
    const usage = await job.usage
    expect(text).toBe('t1 t2 ')
    expect(dialed).toEqual([providerIdOf(cheap), providerIdOf(dear)])
    expect(usage.parts.map((p) => p.outcome)).toEqual(['failed', 'completed'])
    expect(usage.parts[0]?.error).toContain('ERR_PROVIDER_TIMEOUT')
    expect(usage.parts[0]?.endedAt).toBe(START + limit)
    expect(ctx.records.get(providerIdOf(cheap)).timeouts).toBe(1)
    expect(ctx.records.get(providerIdOf(cheap)).lastFailureAt).toBe(START + limit)
  })

  it('ends the job at the deadline, before the first-token limit, without trying another provider', async () => {
    const clock = new ManualClock(START)
    const { ctx, cheap, dialed, accepted } = silentThenServing(clock)
    const job = runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 2, deadline: START + 2_000 })
    const failed = (async () => {
      for await (const _ of job) {
        // no tokens arrive
      }
    })().catch((e: unknown) => e)
    await until(
      () => accepted() && clock.scheduled >= 2,
      'the silent provider to accept and the timers to be set',
    )
    clock.advance(2_000)
    expect(await failed).toBeInstanceOf(DeadlineExceededError)
    await expect(job.usage).rejects.toBeInstanceOf(DeadlineExceededError)
    expect(dialed).toEqual([providerIdOf(cheap)])
    // a deadline is the job's limit, not the provider's fault
    expect(ctx.records.get(providerIdOf(cheap)).timeouts).toBe(0)
  })

  it('refuses to start a job whose deadline already passed on the injected clock', async () => {
    const clock = new ManualClock(START)
    const dialed: string[] = []
    const ctx = context(clock, [{ offer: offer(1, 1000n), script: serves(1) }], dialed)
    clock.advance(10_000)
    const job = runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 1, deadline: START + 10_000 })
    const iterated = await (async () => {
      for await (const _ of job) {
        // nothing
      }
    })().catch((e: unknown) => e)
    expect(iterated).toBeInstanceOf(DeadlineExceededError)
    await expect(job.usage).rejects.toBeInstanceOf(DeadlineExceededError)
    expect(dialed).toEqual([])
  })
})
