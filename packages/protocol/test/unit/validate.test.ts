import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CocoonError,
  ExpiredError,
  InvalidFieldError,
  isIgnorable,
  isRejectable,
  JobKind,
  MAX_CLOCK_DRIFT_MS,
  MAX_CONTEXT_SIZE,
  MAX_OFFER_TTL_MS,
  MAX_UNIT_PRICE_NANOTON,
  NotYetValidError,
  type Offer,
  UnsupportedVersionError,
  validateJobRequest,
  validateOffer,
  validateOfferCancel,
  validateUsageReceipt,
} from '../../src/index.js'
import { offerArb, usageReceiptArb } from '../arbitraries.js'
import { NOW, sampleCancel, sampleJobRequest, sampleOffer, sampleReceipt } from '../fixtures.js'

const provider = new Uint8Array([0, 36, 8, 1, 18, 32, ...new Uint8Array(32).fill(3)])
const valid = (o: Partial<Offer> = {}) => sampleOffer({ provider, ...o })

function errorOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('validateOffer', () => {
  it('accepts a good offer', () => {
    const offer = valid()
    expect(validateOffer(offer, { now: NOW })).toBe(offer)
  })

  const bad: Array<[string, Partial<Offer>, string]> = [
    ['empty models', { models: [] }, 'models'],
    ['duplicate model', { models: ['a', 'a'] }, 'models'],
    ['empty model id', { models: [''] }, 'models[]'],
    ['zero max concurrency', { maxConcurrency: 0 }, 'maxConcurrency'],
    ['unknown job kind', { jobKinds: ['llm', 'video'] }, 'jobKinds'],
    ['no job kinds', { jobKinds: [] }, 'jobKinds'],
    ['missing prices', { prices: undefined }, 'prices'],
    [
      'price in TON not nanoTON',
      {
        prices: {
          perKPromptTokens: MAX_UNIT_PRICE_NANOTON + 1n,
          perKCompletionTokens: 1n,
          perTensorGflop: 1n,
        },
      },
      'prices.perKPromptTokens',
    ],
    ['missing gpu', { gpu: undefined }, 'gpu'],
    ['empty provider', { provider: new Uint8Array(0) }, 'provider'],
    ['expiry before issue', { expiresAt: BigInt(NOW - 1) }, 'expiresAt'],
    ['lifetime too long', { expiresAt: BigInt(NOW + MAX_OFFER_TTL_MS + 1) }, 'expiresAt'],
    ['zero sequence', { sequence: 0n }, 'sequence'],
    ['NaN tokens/s', { tokensPerSecond: Number.NaN }, 'tokensPerSecond'],
    ['short settlement key', { settlementKey: new Uint8Array(31) }, 'settlementKey'],
    ['oversized signature', { signature: new Uint8Array(81) }, 'signature'],
    ['context size past any model', { contextSize: MAX_CONTEXT_SIZE + 1 }, 'contextSize'],
  ]
  for (const [label, patch, field] of bad) {
    it(`rejects ${label} with InvalidFieldError on ${field}`, () => {
      const error = errorOf(() => validateOffer(valid(patch), { now: NOW }))
      expect(error).toBeInstanceOf(InvalidFieldError)
      expect((error as InvalidFieldError).field).toBe(field)
      expect((error as InvalidFieldError).code).toBe('ERR_INVALID_FIELD')
      expect((error as InvalidFieldError).message).toMatch(/Expected/)
      expect(isRejectable(error)).toBe(true)
      expect(isIgnorable(error)).toBe(false)
    })
  }

  it('rejects an unknown version', () => {
    const error = errorOf(() => validateOffer(valid({ version: 7 }), { now: NOW }))
    expect(error).toBeInstanceOf(UnsupportedVersionError)
    expect(isRejectable(error)).toBe(true)
  })

  it('time: expired and not-yet-valid are ignorable, with drift allowance', () => {
    const offer = valid()
    const expiresAt = Number(offer.expiresAt)
    expect(validateOffer(offer, { now: expiresAt + MAX_CLOCK_DRIFT_MS - 1 })).toBe(offer)
    const expired = errorOf(() => validateOffer(offer, { now: expiresAt + MAX_CLOCK_DRIFT_MS }))
    expect(expired).toBeInstanceOf(ExpiredError)
    expect((expired as ExpiredError).code).toBe('ERR_EXPIRED')
    expect(isIgnorable(expired)).toBe(true)
    expect(isRejectable(expired)).toBe(false)

    expect(validateOffer(offer, { now: NOW - MAX_CLOCK_DRIFT_MS })).toBe(offer)
    const future = errorOf(() => validateOffer(offer, { now: NOW - MAX_CLOCK_DRIFT_MS - 1 }))
    expect(future).toBeInstanceOf(NotYetValidError)
    expect((future as NotYetValidError).code).toBe('ERR_NOT_YET_VALID')
    expect(isIgnorable(future)).toBe(true)
    expect(() => validateOffer(offer, { now: NOW - 1001, maxDriftMs: 1000 })).toThrow(NotYetValidError)
  })
})

describe('validators on arbitrary input', () => {
  it('throw only typed errors, whatever the decoded fields hold', () => {
    fc.assert(
      fc.property(offerArb, fc.integer({ min: 0, max: 2 ** 52 }), (offer, now) => {
        try {
          validateOffer(offer, { now })
        } catch (error) {
          if (!(error instanceof CocoonError)) throw error
        }
      }),
      { numRuns: 500 },
    )
    fc.assert(
      fc.property(usageReceiptArb, (receipt) => {
        try {
          validateUsageReceipt(receipt)
        } catch (error) {
          if (!(error instanceof CocoonError)) throw error
        }
      }),
    )
  })

  it('accept what they should: random valid offers pass', () => {
    const validOffer = fc.record({
      models: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 64 }),
      jobKinds: fc.subarray(['llm', 'tensor'], { minLength: 1 }),
      maxConcurrency: fc.integer({ min: 1, max: 4096 }),
      ttl: fc.integer({ min: 1, max: MAX_OFFER_TTL_MS }),
      price: fc.bigInt({ min: 0n, max: MAX_UNIT_PRICE_NANOTON }),
    })
    fc.assert(
      fc.property(validOffer, ({ models, jobKinds, maxConcurrency, ttl, price }) => {
        const offer = valid({
          models,
          jobKinds,
          maxConcurrency,
          expiresAt: BigInt(NOW + ttl),
          prices: { perKPromptTokens: price, perKCompletionTokens: price, perTensorGflop: price },
        })
        expect(validateOffer(offer, { now: NOW })).toBe(offer)
      }),
    )
  })
})

describe('validateOfferCancel', () => {
  it('accepts a fresh cancel and ignores stale or future ones', () => {
    const cancel = sampleCancel({ provider })
    expect(validateOfferCancel(cancel, { now: NOW })).toBe(cancel)
    expect(() => validateOfferCancel(cancel, { now: NOW + 10 * MAX_OFFER_TTL_MS })).toThrow(ExpiredError)
    expect(() => validateOfferCancel(cancel, { now: NOW - 10 * MAX_CLOCK_DRIFT_MS })).toThrow(
      NotYetValidError,
    )
    expect(() => validateOfferCancel(sampleCancel({ provider, sequence: 0n }), { now: NOW })).toThrow(
      InvalidFieldError,
    )
    expect(() => validateOfferCancel(sampleCancel(), { now: NOW })).toThrow(InvalidFieldError)
  })
})

describe('validateJobRequest', () => {
  it('checks kind/params consistency, prices and deadline', () => {
    const request = sampleJobRequest()
    expect(validateJobRequest(request, { now: NOW })).toBe(request)
    expect(() => validateJobRequest(sampleJobRequest({ llm: undefined }), { now: NOW })).toThrow(
      InvalidFieldError,
    )
    expect(() =>
      validateJobRequest(sampleJobRequest({ kind: JobKind.JOB_KIND_UNSPECIFIED }), { now: NOW }),
    ).toThrow(InvalidFieldError)
    expect(() =>
      validateJobRequest(sampleJobRequest({ tensor: { op: 'matmul', inputCount: 2, outputNames: [] } }), {
        now: NOW,
      }),
    ).toThrow(InvalidFieldError)
    expect(() => validateJobRequest(sampleJobRequest({ jobId: '' }), { now: NOW })).toThrow(InvalidFieldError)
    expect(() => validateJobRequest(request, { now: NOW + 3_600_000 })).toThrow(ExpiredError)
    expect(() => validateJobRequest(sampleJobRequest({ version: 0 }), { now: NOW })).toThrow(
      UnsupportedVersionError,
    )
  })
})

describe('validateUsageReceipt', () => {
  it('checks peers, usage and times', () => {
    const receipt = sampleReceipt({ provider })
    expect(validateUsageReceipt(receipt)).toBe(receipt)
    expect(() => validateUsageReceipt(sampleReceipt({ provider, usage: undefined }))).toThrow(
      InvalidFieldError,
    )
    expect(() => validateUsageReceipt(sampleReceipt({ provider, finishedAt: 1n }))).toThrow(InvalidFieldError)
    expect(() => validateUsageReceipt(sampleReceipt())).toThrow(InvalidFieldError)
  })
})
