import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  decodeJobFrame,
  decodeOrderBookMessage,
  encodeJobFrame,
  encodeOrderBookMessage,
} from '../../src/codec.js'
import { sampleJobRequest, sampleOffer } from '../fixtures.js'

// protons-runtime writes uint64 values in [2^31, 2^32) as zero; src/uint64.ts works around it
const EDGES = [
  0n,
  2n ** 31n - 1n,
  2n ** 31n,
  3_000_000_000n, // 3 TON in nanoTON
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n + 1n,
  2n ** 64n - 1n,
]

describe('uint64 fields keep every value across the protons-runtime bug range', () => {
  it.each(EDGES)('offer prices of %s nanoTON', (value) => {
    const offer = sampleOffer({
      prices: { perKPromptTokens: value, perKCompletionTokens: value, perTensorGflop: value },
    })
    const decoded = decodeOrderBookMessage(encodeOrderBookMessage({ offer })).offer
    expect(decoded?.prices).toEqual(offer.prices)
  })

  it.each(EDGES)('job budget and voucher amount of %s nanoTON', (value) => {
    const request = sampleJobRequest({ budget: value })
    expect(decodeJobFrame(encodeJobFrame({ request })).request?.budget).toBe(value)
    const voucher = {
      channel: `0:${'ab'.repeat(32)}`,
      amount: value,
      jobId: 'j',
      signature: new Uint8Array(64),
    }
    expect(decodeJobFrame(encodeJobFrame({ voucher })).voucher?.amount).toBe(value)
  })

  it('the generated code writes uint64 fields only through writeUint64 (run npm run generate)', () => {
    const generated = readFileSync(new URL('../../src/generated/cocoon.ts', import.meta.url), 'utf8')
    expect(generated).not.toContain('w.uint64(')
    expect(generated).toContain('writeUint64(w, ')
  })
})
