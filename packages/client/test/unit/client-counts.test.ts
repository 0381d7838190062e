/**
 * The client trusts only what it counted and waits on nobody: scripted
 * providers over in-memory streams, on a fake clock, that stall, trickle,
 * send past `maxTokens`, over-bill or quote above their offer. Each is
 * abandoned within its limit, recorded, and the job finishes on an honest
 * provider with the usage the client counted.
 */
import type { Prices } from '@cocoon-mesh/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../test-support/manual-clock.js'
import { testOffer } from '../../../../test-support/offers.js'
import { llmStallLimits, ProgressWatch, runLlmJob } from '../../src/internal.js'
import { providerIdOf, rankOffers } from '../../src/matching/rank.js'
import { ProviderRecords, reliability } from '../../src/matching/records.js'
import { until } from '../fixtures/in-memory-providers.js'
import {
  consume,
  honest,
  scriptedOffer as offer,
  type Seen,
  START,
  script,
  scriptedProviders,
  ZERO,
} from '../fixtures/scripted-providers.js'

const PRICE: Prices = { perKPromptTokens: 1000n, perKCompletionTokens: 1000n, perTensorGflop: 0n }

const { context, close } = scriptedProviders()
afterEach(() => close())

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
