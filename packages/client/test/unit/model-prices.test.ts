import type { Prices } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { OFFER_START, testOffer } from '../../../../test-support/offers.js'
import { estimateJobCost, providerIdOf, rankOffers } from '../../src/matching/index.js'

const cheap: Prices = { perKPromptTokens: 50n, perKCompletionTokens: 50n, perTensorGflop: 0n }
const job = { kind: 'llm', promptTokens: 1000, completionTokens: 1000 } as const

// provider 1 sells `tiny` at 500 and `small` at its own 50; provider 2 sells both at 100
const twoModels = testOffer(1, 500n, {
  models: ['tiny', 'small'],
  modelPrices: [{ model: 'small', prices: cheap }],
})
const flat = testOffer(2, 100n, { models: ['tiny', 'small'] })

function rank(model: string, maxPerK?: bigint) {
  return rankOffers({
    model,
    job,
    offers: [twoModels, flat],
    now: OFFER_START,
    ...(maxPerK === undefined ? {} : { maxPrice: { perKCompletionTokens: maxPerK } }),
  })
}

describe('ranking by per-model offer prices', () => {
  it('ranks a two-model offer by the price of the model asked for', () => {
    expect(rank('small').ranked.map((r) => r.providerId)).toEqual([
      providerIdOf(twoModels),
      providerIdOf(flat),
    ])
    expect(rank('tiny').ranked.map((r) => r.providerId)).toEqual([
      providerIdOf(flat),
      providerIdOf(twoModels),
    ])
  })

  it('costs the job and quotes the prices of its model', () => {
    const [top] = rank('Small').ranked
    expect(top?.prices).toEqual(cheap)
    expect(top?.cost).toBe(estimateJobCost(cheap, job))
    expect(top?.cost).toBe(100n)
    const dear = rank('tiny').ranked.find((r) => r.providerId === providerIdOf(twoModels))
    expect(dear?.cost).toBe(1000n)
  })

  it('applies a max price to the model price', () => {
    expect(rank('small', 60n).ranked.map((r) => r.providerId)).toEqual([providerIdOf(twoModels)])
    const tiny = rank('tiny', 60n)
    expect(tiny.ranked).toEqual([])
    expect(tiny.excluded.map((e) => e.reason)).toEqual(['over-max-price', 'over-max-price'])
  })
})
