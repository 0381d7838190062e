/** What a client owes for the work a provider delivered so far (the `delivered()` of its payments). */

import { deliveredCost } from '@cocoon-mesh/client/internal'
import { describe, expect, it } from 'vitest'

describe('deliveredCost', () => {
  const usage = {
    promptTokens: 1000,
    cachedTokens: 0,
    completionTokens: 99,
    reasoningTokens: 0,
    gflop: 2.5,
    cost: 0n,
  }
  it('bills the provider-reported prompt and the client-counted completion tokens', () => {
    const price = { perKPromptTokens: 3000n, perKCompletionTokens: 5000n, perTensorGflop: 7n }
    expect(deliveredCost(price, 'llm', usage, 10)).toBe(3000n + 50n)
    expect(deliveredCost(price, 'llm', undefined, 10)).toBe(50n)
  })
  it('bills GFLOP for tensor jobs', () => {
    // tokens priced too, so billing them on a tensor job would show
    const price = { perKPromptTokens: 1000n, perKCompletionTokens: 1000n, perTensorGflop: 4n }
    expect(deliveredCost(price, 'tensor', usage, 0)).toBe(10n)
  })
})
