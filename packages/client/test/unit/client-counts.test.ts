/**
 * The client trusts only what it counted and waits on nobody: scripted
 * providers over in-memory streams, on a fake clock, that stall, trickle,
 * send past `maxTokens`, over-bill or quote above their offer. Each is
 * abandoned within its limit, recorded, and the job finishes on an honest
 * provider with the usage the client counted.
 */
import type { JobFrame, JobRequest, Offer, Prices } from '@cocoon-mesh/protocol'
import type { Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../test-support/manual-clock.js'
import { testOffer } from '../../../../test-support/offers.js'
import {
  FrameWriter,
  type JobContext,
  type LlmJob,
  llmStallLimits,
  ProgressWatch,
  readFrames,
  runLlmJob,
} from '../../src/internal.js'
import { providerIdOf, rankOffers } from '../../src/matching/rank.js'
import { ProviderRecords, reliability } from '../../src/matching/records.js'
import { InMemoryProviders, until } from '../fixtures/in-memory-providers.js'

const PRICE: Prices = { perKPromptTokens: 1000n, perKCompletionTokens: 1000n, perTensorGflop: 0n }
const ZERO: Prices = { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }
const START = 1_700_000_000_000

function offer(seed: number, perK: bigint, tokensPerSecond = 0): Offer {
  return testOffer(seed, perK, { tokensPerSecond })
}

/** What a scripted provider saw of the job: the request and every frame after it. */
interface Seen {
  requests: JobRequest[]
  frames: JobFrame[]
}

type Script = (stream: Stream, seen: Seen) => Promise<void>

/** Reads the request, accepts at `price`, hands the writer to `serve`, then drains what the client sends. */
function script(price: Prices, serve: (writer: FrameWriter, request: JobRequest) => Promise<void>): Script {
  return async (stream, seen) => {
    const frames = readFrames(stream)[Symbol.asyncIterator]()
    const { value } = await frames.next()
    const request = value?.request
    if (request === undefined) throw new Error('no request')
    seen.requests.push(request)
    const writer = new FrameWriter(stream)
    await writer.write({ accept: { jobId: request.jobId, price, creditWindow: 0n, queueDepth: 0 } })
    const drained = (async () => {
      for (;;) {
        const next = await frames.next()
        if (next.done === true) return
        seen.frames.push(next.value)
      }
    })()
    await Promise.all([serve(writer, request), drained])
  }
}

/** Serves `maxTokens` tokens at once and an honest result at `price`. */
function honest(price: Prices): Script {
  return script(price, async (writer, request) => {
    const n = request.llm?.maxTokens ?? 0
    for (let i = 1; i <= n; i++)
      await writer.write({ tokenChunk: { text: `h${i} `, tokens: 1, totalTokens: i } })
    const usage = {
      promptTokens: 3,
      cachedTokens: 0,
      completionTokens: n,
      reasoningTokens: 0,
      gflop: 0,
      cost: ((3n + BigInt(n)) * price.perKCompletionTokens + 999n) / 1000n,
    }
    await writer.write({
      result: { jobId: request.jobId, usage, backend: 'honest', finishReason: 'length', toolCalls: [] },
    })
  })
}

const providers = new InMemoryProviders()
afterEach(() => providers.close())

function context(
  clock: ManualClock,
  scripted: Array<{ offer: Offer; script: Script; seen?: Seen }>,
  dialed: string[],
): JobContext & { records: ProviderRecords } {
  const serving = scripted.map((p) => ({
    offer: p.offer,
    serve: (stream: Stream) => {
      p.seen ??= { requests: [], frames: [] }
      return p.script(stream, p.seen)
    },
  }))
  return providers.context(clock, serving, dialed)
}

/** Iterates `job` in the background, collecting its text. */
function consume(job: LlmJob): { text: () => string; tokens: () => number; done: Promise<void> } {
  let text = ''
  let tokens = 0
  const done = (async () => {
    for await (const chunk of job) {
      text += chunk.text
      tokens += chunk.tokens
    }
  })()
  return { text: () => text, tokens: () => tokens, done }
}

describe('stall limits from the promised rate', () => {
  it('derives the first-token limit, the least rate and the window from the offer, with floors and a default', () => {
    const fast = llmStallLimits({ tokensPerSecond: 20 }, 10)
    expect(fast).toMatchObject({ firstTokenMs: 3_000, idleMs: 3_000, minTokensPerSecond: 2, windowMs: 5_000 })
    // a long prompt gets longer for its first token: 4x the promised prompt time (10x the token rate)
    expect(llmStallLimits({ tokensPerSecond: 20 }, 10_000).firstTokenMs).toBe(200_000)
    // no promise: 5 tokens/s assumed
    expect(llmStallLimits({ tokensPerSecond: 0 }, 10)).toMatchObject({
      promisedPerSecond: 5,
      idleMs: 6_000,
      minTokensPerSecond: 0.5,
      windowMs: 6_000,
    })
  })

  it('fails a trickle once the rate over the window falls below a tenth of the promise', () => {
    const limits = llmStallLimits({ tokensPerSecond: 20 }, 10)
    const watch = new ProgressWatch(limits, START)
    watch.progress(START + 100, 1)
    // one token a second: never silent for the 3 s idle limit, yet 5 tokens per 5 s < the 10 needed
    for (let t = 1; t <= 5; t++) watch.progress(START + 100 + t * 1_000, 1)
    const stall = watch.stallAt()
    expect(stall.at).toBe(START + 5_100)
    expect(stall.error().shortMessage).toContain('below its promised rate')
  })

  it('keeps a provider that delivers its promise', () => {
    const watch = new ProgressWatch(llmStallLimits({ tokensPerSecond: 20 }, 10), START)
    for (let i = 0; i <= 200; i++) watch.progress(START + i * 50, 1)
    // 100 tokens in the last 5 s: the window holds until the oldest 91 slide out
    expect(watch.stallAt().at).toBeGreaterThan(START + 10_000)
  })
})

describe('no job waits on a staller', () => {
  it('abandons a provider that sends a token every 25 s within its limits and the next job avoids it', async () => {
    const clock = new ManualClock(START)
    const staller = offer(1, 0n, 20)
    const good = offer(2, 2000n, 20)
    const dialed: string[] = []
    const trickle = script(ZERO, async (writer, request) => {
      for (let i = 1; i <= (request.llm?.maxTokens ?? 0); i++) {
        await writer.write({ tokenChunk: { text: `s${i} `, tokens: 1, totalTokens: i } })
        await new Promise<void>((resolve) => clock.schedule(resolve, 25_000))
      }
    })
    const ctx = context(
      clock,
      [
        { offer: staller, script: trickle },
        { offer: good, script: honest(good.prices ?? PRICE) },
      ],
      dialed,
    )
    const job = runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 4 })
    const run = consume(job)
    await until(() => run.tokens() >= 1, 'the first trickled token')
    // promised 20 tokens/s: silent past the 3 s idle floor
    clock.advance(2_999)
    expect(dialed).toEqual([providerIdOf(staller)])
    clock.advance(1)
    await run.done
    const usage = await job.usage
    expect(run.text()).toBe('s1 h1 h2 h3 ')
    expect(usage.parts.map((p) => p.outcome)).toEqual(['failed', 'completed'])
    expect(usage.parts[0]?.error).toContain('ERR_PROVIDER_TIMEOUT')
    expect((usage.parts[0]?.endedAt ?? 0) - START).toBe(3_000)
    expect(ctx.records.get(providerIdOf(staller)).timeouts).toBe(1)

    // the staller at price 0 ranks behind the honest provider while its failure is recent
    const ranked = rankOffers({
      model: 'tiny',
      job: { kind: 'llm', promptTokens: 2, completionTokens: 4 },
      offers: [staller, good],
      now: clock.now(),
      records: ctx.records.map,
    }).ranked.map((r) => r.providerId)
    expect(ranked).toEqual([providerIdOf(good), providerIdOf(staller)])
    const second = runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 2 })
    const again = consume(second)
    await again.done
    expect(dialed.slice(2)).toEqual([providerIdOf(good)])
  })

  it('sends a deadline derived from max_tokens and the promised rate when the caller gives none', async () => {
    const clock = new ManualClock(START)
    const good = {
      offer: offer(2, 2000n, 10),
      script: honest(PRICE),
      seen: { requests: [], frames: [] } as Seen,
    }
    const ctx = context(clock, [good], [])
    await consume(runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 100 })).done
    // 30 s floor + 4 x (100 tokens + 1/10 estimated prompt token) / 10 tokens/s
    expect(Number(good.seen.requests[0]?.deadline)).toBe(START + 30_000 + 4 * 10_010)
  })
})

describe('the client trusts only what it counted', () => {
  it('cancels a provider that sends 400 tokens for max_tokens 8 and refuses its claims', async () => {
    const clock = new ManualClock(START)
    const fake = {
      offer: offer(1, 0n),
      seen: { requests: [], frames: [] } as Seen,
      script: script(ZERO, async (writer, request) => {
        await writer.write({ tokenChunk: { text: 'x '.repeat(400), tokens: 400, totalTokens: 400 } })
        const usage = {
          promptTokens: 1_000_000,
          cachedTokens: 0,
          completionTokens: 400,
          reasoningTokens: 0,
          gflop: 0,
          cost: 10n ** 18n,
        }
        await writer.write({
          result: { jobId: request.jobId, usage, backend: 'fake', finishReason: 'stop', toolCalls: [] },
        })
      }),
    }
    const good = offer(2, 2000n)
    const dialed: string[] = []
    const ctx = context(clock, [fake, { offer: good, script: honest(good.prices ?? PRICE) }], dialed)
    const job = runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 8 })
    const run = consume(job)
    await run.done
    const usage = await job.usage
    expect(run.tokens()).toBe(8)
    expect(run.text()).not.toContain('x')
    expect(fake.seen.frames.some((f) => f.cancel?.jobId === job.jobId)).toBe(true)
    expect(usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([
      [providerIdOf(fake.offer), 'cheated'],
      [providerIdOf(good), 'completed'],
    ])
    expect(usage.parts[0]?.error).toContain('ERR_USAGE_MISMATCH')
    expect(usage).toMatchObject({ completionTokens: 8, promptTokens: 3, cost: 22n })
    expect(ctx.records.get(providerIdOf(fake.offer)).cheats).toBe(1)
    // one cheat weighs as ten failures, past the cooldown too
    const records = new ProviderRecords(clock.now)
    for (let i = 0; i < 5; i++)
      for (const p of ['cheat', 'ten', 'once']) records.record(p, { type: 'success' })
    records.record('cheat', { type: 'cheated' })
    for (let i = 0; i < 10; i++) records.record('ten', { type: 'failure' })
    records.record('once', { type: 'failure' })
    const later = clock.now() + 3_600_000
    const rel = (p: string): number => reliability(records.get(p), later, 60_000)
    expect(rel('cheat')).toBeCloseTo(rel('ten'))
    expect(rel('cheat')).toBeLessThan(rel('once'))
  })

  it('refuses a result that claims more than was delivered, fails over and reports the counted usage', async () => {
    const clock = new ManualClock(START)
    const overbiller = offer(1, 1000n)
    const liar = script(PRICE, async (writer, request) => {
      await writer.write({ tokenChunk: { text: 'a ', tokens: 1, totalTokens: 1 } })
      await writer.write({ tokenChunk: { text: 'b ', tokens: 1, totalTokens: 2 } })
      const usage = {
        promptTokens: 1_000_000,
        cachedTokens: 0,
        completionTokens: 2,
        reasoningTokens: 0,
        gflop: 0,
        cost: 10n ** 18n,
      }
      await writer.write({
        result: { jobId: request.jobId, usage, backend: 'fake', finishReason: 'stop', toolCalls: [] },
      })
    })
    const good = offer(2, 2000n)
    const ctx = context(
      clock,
      [
        { offer: overbiller, script: liar },
        { offer: good, script: honest(good.prices ?? PRICE) },
      ],
      [],
    )
    const job = runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 5 })
    const run = consume(job)
    await run.done
    const usage = await job.usage
    expect(run.text()).toBe('a b h1 h2 h3 ')
    expect(usage.parts.map((p) => p.outcome)).toEqual(['cheated', 'completed'])
    // the refused part is costed from the two tokens delivered at the accepted price, nothing more
    expect(usage.parts[0]).toMatchObject({ completionTokens: 2, promptTokens: 0, cost: 2n })
    expect(usage.completionTokens).toBe(5)
    expect(usage.cost).toBe(2n + 12n)
    expect(ctx.records.get(providerIdOf(overbiller)).cheats).toBe(1)
  })

  it('refuses an accept quoting more than the offer, though within the caller max price', async () => {
    const clock = new ManualClock(START)
    const bait = offer(1, 100n)
    const good = offer(2, 2000n)
    const ctx = context(
      clock,
      [
        { offer: bait, script: honest({ ...PRICE, perKPromptTokens: 5000n, perKCompletionTokens: 5000n }) },
        { offer: good, script: honest(good.prices ?? PRICE) },
      ],
      [],
    )
    const job = runLlmJob(ctx, {
      model: 'tiny',
      prompt: 'hi',
      maxTokens: 2,
      maxPrice: { perKPromptTokens: 10_000n, perKCompletionTokens: 10_000n },
    })
    await consume(job).done
    const usage = await job.usage
    expect(usage.parts.map((p) => p.outcome)).toEqual(['cheated', 'completed'])
    expect(usage.parts[0]?.error).toContain('ERR_PRICE_ABOVE_OFFER')
    expect(ctx.records.get(providerIdOf(bait)).cheats).toBe(1)
  })

  it("refuses an accept quoting the offer's default prices for a model the offer prices lower", async () => {
    const clock = new ManualClock(START)
    const cheapTiny: Prices = { ...PRICE, perKPromptTokens: 100n, perKCompletionTokens: 100n }
    // the offer's default prices (5000) are for its other model; tiny is offered at 100
    const bait = testOffer(1, 5000n, {
      models: ['tiny', 'other'],
      modelPrices: [{ model: 'tiny', prices: cheapTiny }],
    })
    const good = offer(2, 2000n)
    const ctx = context(
      clock,
      [
        { offer: bait, script: honest({ ...PRICE, perKPromptTokens: 5000n, perKCompletionTokens: 5000n }) },
        { offer: good, script: honest(good.prices ?? PRICE) },
      ],
      [],
    )
    const job = runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 2 })
    await consume(job).done
    const usage = await job.usage
    // ranked first at its model price, then caught quoting above it
    expect(usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([
      [providerIdOf(bait), 'cheated'],
      [providerIdOf(good), 'completed'],
    ])
    expect(usage.parts[0]?.error).toContain('ERR_PRICE_ABOVE_OFFER')
    expect(ctx.records.get(providerIdOf(bait)).cheats).toBe(1)
  })
})

describe('the client checks tool calls', () => {
  it('fails over from a provider whose tool call names a tool the job did not offer', async () => {
    const clock = new ManualClock(START)
    const callWith = (name: string, args: string): Script =>
      script(ZERO, async (writer, request) => {
        await writer.write({ tokenChunk: { text: '{}', tokens: 1, totalTokens: 1 } })
        const usage = {
          promptTokens: 1,
          cachedTokens: 0,
          completionTokens: 1,
          reasoningTokens: 0,
          gflop: 0,
          cost: 0n,
        }
        await writer.write({
          result: {
            jobId: request.jobId,
            usage,
            backend: 'fake',
            finishReason: 'tool_calls',
            toolCalls: [{ id: 'c1', name, arguments: args }],
          },
        })
      })
    const liar = {
      offer: testOffer(1, 0n, { features: ['tools'] }),
      seen: { requests: [], frames: [] } as Seen,
      script: callWith('rm_rf', '{}'),
    }
    const garbled = {
      offer: testOffer(2, 0n, { features: ['tools'] }),
      seen: { requests: [], frames: [] } as Seen,
      script: callWith('get_weather', '{oops'),
    }
    const good = {
      offer: testOffer(3, 1n, { features: ['tools'] }),
      seen: { requests: [], frames: [] } as Seen,
      script: callWith('get_weather', '{"city":"oslo"}'),
    }
    // a provider that offers no tools is never asked
    const plain = { offer: offer(4, 0n), seen: { requests: [], frames: [] } as Seen, script: honest(ZERO) }
    const ctx = context(clock, [plain, liar, garbled, good], [])
    const job = runLlmJob(ctx, {
      model: 'tiny',
      messages: [{ role: 'user', content: 'weather?' }],
      maxTokens: 8,
      tools: [{ name: 'get_weather' }],
      toolChoice: 'required',
    })
    await consume(job).done
    const usage = await job.usage
    expect(usage.parts.map((p) => p.outcome)).toEqual(['failed', 'failed', 'completed'])
    expect(usage.parts[0]?.error).toContain('ERR_MALFORMED_TOOL_CALL')
    expect(usage.toolCalls).toEqual([{ id: 'c1', name: 'get_weather', arguments: '{"city":"oslo"}' }])
    expect(usage.finishReason).toBe('tool_calls')
    // the request carried the tools and the choice to every provider
    expect(liar.seen.requests[0]?.llm).toMatchObject({
      tools: [{ name: 'get_weather' }],
      toolChoice: 'required',
    })
  })
})

describe('the client checks stop strings', () => {
  const streaming = (pieces: string[]): Script =>
    script(ZERO, async (writer, request) => {
      let sent = 0
      for (const text of pieces) {
        sent++
        await writer.write({ tokenChunk: { text, tokens: 1, totalTokens: sent } })
      }
      const usage = {
        promptTokens: 1,
        cachedTokens: 0,
        completionTokens: sent,
        reasoningTokens: 0,
        gflop: 0,
        cost: 0n,
      }
      await writer.write({
        result: { jobId: request.jobId, usage, backend: 'fake', finishReason: 'stop', toolCalls: [] },
      })
    })
  const provider = (seed: number, pieces: string[]) => ({
    offer: testOffer(seed, 0n, { features: ['stop'] }),
    seen: { requests: [], frames: [] } as Seen,
    script: streaming(pieces),
  })

  it('ends the job before a stop string a provider streamed and records the provider as failed', async () => {
    const liar = provider(1, ['Hel', 'lo S', 'TOP', ' and more'])
    const job = runLlmJob(context(new ManualClock(START), [liar], []), {
      model: 'tiny',
      prompt: 'hi',
      maxTokens: 8,
      stop: ['STOP'],
    })
    const run = consume(job)
    await run.done
    const usage = await job.usage
    expect(run.text()).toBe('Hello ')
    expect(usage.finishReason).toBe('stop')
    expect(usage.parts.map((p) => p.outcome)).toEqual(['failed'])
    expect(usage.parts[0]?.error).toContain('ERR_STOP_IGNORED')
    expect(liar.seen.requests[0]?.llm?.stop).toEqual(['STOP'])
  })

  it('passes an honest stream through whole, the held-back tail included', async () => {
    const honestOne = provider(2, ['ab', 'c'])
    const job = runLlmJob(context(new ManualClock(START), [honestOne], []), {
      model: 'tiny',
      prompt: 'hi',
      maxTokens: 8,
      stop: ['cd'],
    })
    const run = consume(job)
    await run.done
    expect(run.text()).toBe('abc')
    expect((await job.usage).parts.map((p) => p.outcome)).toEqual(['completed'])
  })
})
