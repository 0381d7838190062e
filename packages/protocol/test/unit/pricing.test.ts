import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  expectedJobCost,
  InvalidFieldError,
  JobKind,
  jobKindFromName,
  jobKindToName,
  llmCost,
  matmulGflop,
  type Prices,
  tensorCost,
  usageCost,
} from '../../src/index.js'

const prices: Prices = { perKPromptTokens: 1_000n, perKCompletionTokens: 3_000n, perTensorGflop: 50n }

describe('pricing', () => {
  it('llmCost is per 1k tokens, rounded up once', () => {
    expect(llmCost(prices, { promptTokens: 1000, completionTokens: 1000 })).toBe(4_000n)
    expect(llmCost(prices, { promptTokens: 1, completionTokens: 0 })).toBe(1n) // 1000/1000 = 1
    expect(llmCost(prices, { promptTokens: 1, completionTokens: 1 })).toBe(4n) // (1000+3000)/1000
    expect(llmCost({ ...prices, perKPromptTokens: 1n }, { promptTokens: 1, completionTokens: 0 })).toBe(1n) // ceil(0.001)
    expect(llmCost(prices, { promptTokens: 0, completionTokens: 0 })).toBe(0n)
    expect(() => llmCost(prices, { promptTokens: -1, completionTokens: 0 })).toThrow(InvalidFieldError)
  })

  it('llmCost is never below the exact cost and less than 1 nanoTON above it', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.nat({ max: 10_000_000 }),
        fc.nat({ max: 10_000_000 }),
        (p, c, promptTokens, completionTokens) => {
          const cost = llmCost(
            { perKPromptTokens: p, perKCompletionTokens: c, perTensorGflop: 0n },
            { promptTokens, completionTokens },
          )
          const exactTimes1000 = BigInt(promptTokens) * p + BigInt(completionTokens) * c
          expect(cost * 1000n >= exactTimes1000).toBe(true)
          expect(cost * 1000n - exactTimes1000 < 1000n).toBe(true)
        },
      ),
    )
  })

  it('tensorCost bills GFLOP at 1e-6 resolution, rounded up', () => {
    expect(tensorCost(prices, 2)).toBe(100n)
    expect(tensorCost(prices, 0.5)).toBe(25n)
    expect(tensorCost(prices, 0.000001)).toBe(1n)
    expect(tensorCost(prices, 0)).toBe(0n)
    expect(tensorCost(prices, matmulGflop(1024, 1024, 1024))).toBe(108n) // 2.147483648 GFLOP * 50
    expect(() => tensorCost(prices, Number.NaN)).toThrow(InvalidFieldError)
    expect(() => tensorCost(prices, -1)).toThrow(InvalidFieldError)
    expect(() => tensorCost(prices, 1e305)).toThrow(InvalidFieldError)
  })

  it('expectedJobCost bounds the final cost', () => {
    const bound = expectedJobCost(prices, { kind: 'llm', promptTokens: 100, maxCompletionTokens: 64 })
    const usage = {
      promptTokens: 100,
      cachedTokens: 0,
      completionTokens: 50,
      reasoningTokens: 0,
      gflop: 0,
      cost: 0n,
    }
    expect(usageCost(prices, 'llm', usage)).toBeLessThanOrEqual(bound)
    expect(expectedJobCost(prices, { kind: 'tensor', gflop: 4 })).toBe(200n)
  })
})

describe('job kind names', () => {
  it('maps both ways and rejects unknown names', () => {
    expect(jobKindToName(JobKind.JOB_KIND_LLM)).toBe('llm')
    expect(jobKindToName(JobKind.JOB_KIND_TENSOR)).toBe('tensor')
    expect(jobKindFromName('llm')).toBe(JobKind.JOB_KIND_LLM)
    expect(jobKindFromName('tensor')).toBe(JobKind.JOB_KIND_TENSOR)
    expect(() => jobKindFromName('video')).toThrow(InvalidFieldError)
    expect(() => jobKindToName(JobKind.JOB_KIND_UNSPECIFIED)).toThrow(InvalidFieldError)
  })
})
