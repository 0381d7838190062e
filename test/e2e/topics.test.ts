import { canonicalModelId, modelFromOrderBookTopic, orderBookTopic } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'

describe('order-book topics', () => {
  it('round-trips a model id through its topic name', () => {
    for (const model of ['qwen2.5-0.5b', 'Llama-3/8B Instruct', 'tiny?model&x=1']) {
      expect(modelFromOrderBookTopic(orderBookTopic(model))).toBe(canonicalModelId(model))
    }
  })

  it('does not take a foreign topic for an order book', () => {
    expect(modelFromOrderBookTopic('/meshsub/other')).toBeUndefined()
  })
})
