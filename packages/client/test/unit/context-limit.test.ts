import { JobErrorCode, MAX_CONTEXT_SIZE } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { contextLimitError } from '../../src/jobs/context-limit.js'
import { ContextLengthExceededError, JobFailedError } from '../../src/jobs/errors.js'

const check = { maxTokens: 100, promptTokenBound: 5000, offerContextSize: 4096 }

describe("a provider's context claim", () => {
  it('is believed when nothing the client knows contradicts it, with the job own maxTokens', () => {
    const error = contextLimitError(
      { contextSize: 4096, promptTokens: 4000, maxTokens: 7 },
      check,
      'too long',
    )
    expect(error).toBeInstanceOf(ContextLengthExceededError)
    expect(error).toMatchObject({ contextSize: 4096, promptTokens: 4000, maxTokens: 100 })
  })

  const refuted: Array<[string, { contextSize: number; promptTokens: number }, Partial<typeof check>]> = [
    ['a context size of 0', { contextSize: 0, promptTokens: 10 }, {}],
    [
      'a context size past the protocol bound',
      { contextSize: MAX_CONTEXT_SIZE + 1, promptTokens: 5000 },
      { promptTokenBound: Number.MAX_SAFE_INTEGER },
    ],
    ['a context smaller than its offer states', { contextSize: 2048, promptTokens: 4000 }, {}],
    ['more prompt tokens than what was sent can hold', { contextSize: 4096, promptTokens: 5001 }, {}],
    ['counts that fit the context', { contextSize: 4096, promptTokens: 3996 }, {}],
  ]
  for (const [label, limit, patch] of refuted) {
    it(`is refuted for ${label}: a provider failure the client fails over from`, () => {
      const error = contextLimitError({ ...limit, maxTokens: 100 }, { ...check, ...patch }, 'too long')
      expect(error).toBeInstanceOf(JobFailedError)
      expect((error as JobFailedError).jobErrorCode).toBe(JobErrorCode.JOB_ERROR_CODE_INTERNAL)
      expect((error as JobFailedError).isClientFault).toBe(false)
    })
  }
})
