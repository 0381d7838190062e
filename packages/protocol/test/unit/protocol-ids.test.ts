import { describe, expect, it } from 'vitest'
import {
  canonicalModelId,
  JOB_PROTOCOL,
  KAD_PROTOCOL,
  modelFromOrderBookTopic,
  orderBookTopic,
} from '../../src/index.js'

describe('protocol ids and topics', () => {
  it('are versioned', () => {
    expect(JOB_PROTOCOL).toBe('/cocoon/job/1.0.0')
    expect(KAD_PROTOCOL).toBe('/cocoon/kad/1.0.0')
  })

  it('order-book topics round-trip the canonical model id', () => {
    const topic = orderBookTopic('  Qwen2.5/0.5B Instruct ')
    expect(topic).toBe('/cocoon/orderbook/1/qwen2.5%2F0.5b%20instruct')
    expect(modelFromOrderBookTopic(topic)).toBe(canonicalModelId('Qwen2.5/0.5B Instruct'))
    for (const model of ['qwen2.5-0.5b', 'Llama-3/8B Instruct', 'tiny?model&x=1']) {
      expect(modelFromOrderBookTopic(orderBookTopic(model))).toBe(canonicalModelId(model))
    }
  })

  it('never throws on a foreign or malformed topic', () => {
    expect(modelFromOrderBookTopic('/other/topic')).toBeUndefined()
    expect(modelFromOrderBookTopic('/meshsub/other')).toBeUndefined()
    expect(modelFromOrderBookTopic('/cocoon/orderbook/1/%E0%A4%A')).toBeUndefined()
  })
})
