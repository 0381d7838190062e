/**
 * The tier of each part of a job: the failover labels every part with the
 * client's verdict on its provider, and refuses to send anything to a
 * provider whose verdict fell below the job's minimum after it was ranked
 * (in-memory streams, scripted providers, a manual clock).
 */

import { type Offer, type Prices, TrustTier } from '@cocoon-mesh/protocol'
import type { Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../test-support/manual-clock.js'
import { testOffer } from '../../../../test-support/offers.js'
import {
  FrameWriter,
  type OfferTrust,
  openTrust,
  providerIdOf,
  readFrames,
  runLlmJob,
} from '../../src/internal.js'
import { servedTier } from '../../src/jobs/served-tier.js'
import { InMemoryProviders } from '../fixtures/in-memory-providers.js'

const PRICE: Prices = { perKPromptTokens: 1000n, perKCompletionTokens: 1000n, perTensorGflop: 0n }
const START = 1_700_000_000_000
const providers = new InMemoryProviders()
afterEach(() => providers.close())

function attested(offer: Offer): OfferTrust {
  return {
    tier: TrustTier.TRUST_TIER_ATTESTED,
    claimed: offer.trustTier,
    tee: 'tdx',
    tcbStatus: 'UpToDate',
    gpu: 'not-attested',
  }
}

/** Accepts, streams `tokens` tokens, then sends the result (or, with `die`, ends the stream without one). */
function script(tokens: number, die = false): (stream: Stream) => Promise<void> {
  return async (stream) => {
    const frames = readFrames(stream)[Symbol.asyncIterator]()
    const { value } = await frames.next()
    const jobId = value?.request?.jobId ?? ''
    const writer = new FrameWriter(stream)
    await writer.write({ accept: { jobId, price: PRICE, creditWindow: 0n, queueDepth: 0 } })
    for (let i = 1; i <= tokens; i++)
      await writer.write({ tokenChunk: { text: `t${i} `, tokens: 1, totalTokens: i } })
    if (!die) {
      const usage = {
        promptTokens: 1,
        cachedTokens: 0,
        completionTokens: tokens,
        reasoningTokens: 0,
        gflop: 0,
        cost: 1n,
      }
      await writer.write({
        result: { jobId, usage, backend: 'scripted', finishReason: 'stop', toolCalls: [] },
      })
    }
    await stream.close()
  }
}

async function drain(job: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of job) {
    // the tokens
  }
}

describe('trust tiers across a failover', () => {
  it('labels each part with its provider tier: an open part that streamed makes the job open', async () => {
    const open = testOffer(1, 1000n)
    const tee = testOffer(2, 2000n)
    const dialed: string[] = []
    const ctx = providers.context(
      new ManualClock(START),
      [
        { offer: open, serve: script(1, true) },
        { offer: tee, serve: script(2) },
      ],
      dialed,
    )
    const job = runLlmJob(
      { ...ctx, trust: (o) => (o === tee ? attested(o) : undefined) },
      { model: 'tiny', prompt: 'hi', maxTokens: 3 },
    )
    await drain(job)
    const usage = await job.usage
    expect(usage.parts.map((p) => [p.providerId, p.outcome, p.tier])).toEqual([
      [providerIdOf(open), 'failed', TrustTier.TRUST_TIER_OPEN],
      [providerIdOf(tee), 'completed', TrustTier.TRUST_TIER_ATTESTED],
    ])
    expect(usage.parts[0]?.trust).toEqual(openTrust(open, 'no-evidence'))
    expect(servedTier(usage)).toBe('open')
  })

  it('refuses a provider whose verdict dropped below the minimum after ranking: nothing is sent to it', async () => {
    const flipping = testOffer(1, 1000n)
    const tee = testOffer(2, 2000n)
    const dialed: string[] = []
    const ctx = providers.context(
      new ManualClock(START),
      [
        { offer: flipping, serve: script(2) },
        { offer: tee, serve: script(2) },
      ],
      dialed,
    )
    // ranking reads each verdict once; the attempt's read sees it dropped
    let reads = 0
    const trust = (o: Offer): OfferTrust | undefined => {
      if (o === tee) return attested(o)
      reads++
      return reads <= 1 ? attested(o) : openTrust(o, 'collateral-expired')
    }
    const job = runLlmJob(
      { ...ctx, trust },
      { model: 'tiny', prompt: 'hi', maxTokens: 2, minTrustTier: TrustTier.TRUST_TIER_ATTESTED },
    )
    await drain(job)
    const usage = await job.usage
    expect(dialed).toEqual([providerIdOf(tee)])
    expect(usage.parts.map((p) => [p.providerId, p.outcome, p.tier, p.cost])).toEqual([
      [providerIdOf(flipping), 'refused', TrustTier.TRUST_TIER_OPEN, 0n],
      [providerIdOf(tee), 'completed', TrustTier.TRUST_TIER_ATTESTED, 1n],
    ])
    expect(usage.parts[0]?.error).toContain('ERR_BELOW_TRUST_TIER')
    expect(servedTier(usage)).toBe('attested')
    expect(ctx.records.map.get(providerIdOf(flipping))).toBeUndefined()
  })
})
