import { describe, expect, it } from 'vitest'
import {
  BadSignatureError,
  decodeOffer,
  encodeOffer,
  InvalidFieldError,
  MAX_UNIT_PRICE_NANOTON,
  type ModelPrices,
  type Offer,
  offerPricesFor,
  type Prices,
  signOffer,
  TrustTier,
  tierPrices,
  validateOffer,
  verifyOffer,
} from '../../src/index.js'
import { fixedKey, NOW, sampleOffer } from '../fixtures.js'

const provider = new Uint8Array([0, 36, 8, 1, 18, 32, ...new Uint8Array(32).fill(3)])
const cheap: Prices = { perKPromptTokens: 10n, perKCompletionTokens: 20n, perTensorGflop: 0n }
const models = ['small-model', 'big-model']

function offer(modelPrices: ModelPrices[], extra: Partial<Offer> = {}): Offer {
  return sampleOffer({ provider, jobKinds: ['llm'], models, modelPrices, ...extra })
}

function fieldOf(o: Offer): string {
  try {
    validateOffer(o, { now: NOW })
  } catch (error) {
    if (!(error instanceof InvalidFieldError)) throw error
    expect(error.message).toMatch(/Expected/)
    return error.field ?? '(no field)'
  }
  throw new Error('expected validateOffer to throw')
}

describe('per-model offer prices', () => {
  it('a listed model pays its own prices, any other model the offer prices, by canonical id', () => {
    const o = offer([{ model: 'small-model', prices: cheap }])
    expect(validateOffer(o, { now: NOW })).toBe(o)
    expect(offerPricesFor(o, 'small-model')).toEqual(cheap)
    expect(offerPricesFor(o, ' Small-Model ')).toEqual(cheap)
    expect(offerPricesFor(o, 'big-model')).toEqual(o.prices)
  })

  it('a job that requires attested pays the per-offer attested prices; others the model price', () => {
    const attested: Prices = { perKPromptTokens: 9_000n, perKCompletionTokens: 9_000n, perTensorGflop: 0n }
    const o = offer([{ model: 'small-model', prices: cheap }], { attestedPrices: attested })
    expect(tierPrices(o, TrustTier.TRUST_TIER_ATTESTED, 'small-model')).toEqual(attested)
    expect(tierPrices(o, TrustTier.TRUST_TIER_OPEN, 'small-model')).toEqual(cheap)
    expect(tierPrices(o, undefined, 'big-model')).toEqual(o.prices)
  })

  const bad: Array<[string, ModelPrices[], string, Partial<Offer>?]> = [
    ['a model the offer does not sell', [{ model: 'other', prices: cheap }], 'modelPrices[0].model'],
    [
      'a model listed twice (same canonical id)',
      [
        { model: 'small-model', prices: cheap },
        { model: 'SMALL-MODEL', prices: cheap },
      ],
      'modelPrices[1].model',
    ],
    [
      'more entries than models',
      [
        { model: 'small-model', prices: cheap },
        { model: 'other', prices: cheap },
      ],
      'modelPrices',
      { models: ['small-model'] },
    ],
    ['an empty model id', [{ model: '', prices: cheap }], 'modelPrices[0].model'],
    ['an entry without prices', [{ model: 'small-model' }], 'modelPrices[0].prices'],
    [
      'a price in TON, not nanoTON',
      [{ model: 'big-model', prices: { ...cheap, perKCompletionTokens: MAX_UNIT_PRICE_NANOTON + 1n } }],
      'modelPrices[0].prices.perKCompletionTokens',
    ],
  ]
  for (const [label, entries, field, extra] of bad) {
    it(`rejects ${label} with InvalidFieldError on ${field}`, () => {
      expect(fieldOf(offer(entries, extra))).toBe(field)
    })
  }

  it('round-trips through the codec and is covered by the offer signature', async () => {
    const key = await fixedKey(0)
    const signed = await signOffer(
      offer([{ model: 'small-model', prices: cheap }], { provider: new Uint8Array(0) }),
      key,
    )
    const decoded = decodeOffer(encodeOffer(signed))
    expect(decoded.modelPrices).toEqual([{ model: 'small-model', prices: cheap }])
    await verifyOffer(decoded)
    const raised = {
      ...decoded,
      modelPrices: [{ model: 'small-model', prices: { ...cheap, perKCompletionTokens: 21n } }],
    }
    await expect(verifyOffer(raised)).rejects.toBeInstanceOf(BadSignatureError)
  })
})
