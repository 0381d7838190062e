import { describe, expect, it } from 'vitest'
import { InvalidJobError } from '../../src/jobs/errors.js'
import { toMaxPrice } from '../../src/sdk/light-peer.js'

describe('price caps from the caller', () => {
  it('a whole number or bigint caps every unit', () => {
    expect(toMaxPrice(1000)).toEqual({
      perKPromptTokens: 1000n,
      perKCompletionTokens: 1000n,
      perTensorGflop: 1000n,
    })
    expect(toMaxPrice(7n).perTensorGflop).toBe(7n)
  })

  it('a fraction, a negative, NaN or Infinity is a typed error saying what to pass, not a RangeError', () => {
    for (const bad of [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, -3n]) {
      expect(() => toMaxPrice(bad)).toThrow(InvalidJobError)
      expect(() => toMaxPrice(bad)).toThrow(/maxPrice must be a whole number of nanoTON >= 0/)
    }
  })
})
