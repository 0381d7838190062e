import { RejectReason } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import {
  createNodeMetrics,
  jobMetrics,
  orderBookMetrics,
  settlementMetrics,
} from '../../src/metrics/index.js'

describe('job metrics', () => {
  it('count jobs by kind and outcome, rejections by reason, tokens, GFLOP and billed nanoTON', async () => {
    const { registry, metrics } = createNodeMetrics()
    const onEvent = jobMetrics(metrics)
    onEvent({ type: 'accepted', jobId: 'a', client: 'c', model: 'm', kind: 'llm', via: '/ip4/1.2.3.4/tcp/1' })
    onEvent({
      type: 'accepted',
      jobId: 'b',
      client: 'c',
      model: 'm',
      kind: 'tensor',
      via: '/ip4/1.2.3.4/tcp/1',
    })
    onEvent({
      type: 'finished',
      jobId: 'a',
      cost: 1500n,
      completionTokens: 40,
      gflop: 0,
      via: '/ip4/1.2.3.4/tcp/1',
    })
    onEvent({ type: 'failed', jobId: 'b', client: 'c', code: 'aborted', message: 'gone' })
    onEvent({
      type: 'rejected',
      jobId: 'c',
      client: 'c',
      reason: RejectReason.REJECT_REASON_OVER_CAPACITY,
      message: '',
    })
    const text = await registry.metrics()
    expect(text).toContain('cocoon_jobs_total{kind_outcome="llm/finished"} 1')
    expect(text).toContain('cocoon_jobs_total{kind_outcome="tensor/failed"} 1')
    expect(text).toContain('cocoon_jobs_total{kind_outcome="unknown/rejected"} 1')
    expect(text).toContain(
      `cocoon_job_rejections_total{reason="${RejectReason.REJECT_REASON_OVER_CAPACITY}"} 1`,
    )
    expect(text).toContain('cocoon_job_failures_total{code="aborted"} 1')
    expect(text).toContain('cocoon_completion_tokens_total 40')
    expect(text).toContain('cocoon_billed_nanoton_total 1500')
    expect(text).toContain('cocoon_jobs_active 0')
  })
})

describe('order-book and settlement metrics', () => {
  it('count messages by verdict and reason, read the book size at scrape, count claims and failed passes', async () => {
    const { registry, metrics } = createNodeMetrics()
    const book = { size: 3 }
    const orderBook = orderBookMetrics(metrics, book)
    orderBook.message('reject', 'bad-signature')
    orderBook.message('reject', 'bad-signature')
    orderBook.message('accept', 'added')
    const settlement = settlementMetrics(metrics)
    settlement.observeClaims([
      { channel: 'a', reason: 'threshold', paid: 700n },
      { channel: 'b', error: new Error('chain down') },
    ])
    settlement.observeFailedPass()
    let text = await registry.metrics()
    expect(text).toContain('cocoon_orderbook_messages_total{verdict_reason="reject/bad-signature"} 2')
    expect(text).toContain('cocoon_orderbook_messages_total{verdict_reason="accept/added"} 1')
    expect(text).toContain('cocoon_orderbook_offers 3')
    expect(text).toContain('cocoon_claims_total{reason="threshold"} 1')
    expect(text).toContain('cocoon_claimed_nanoton_total 700')
    expect(text).toContain('cocoon_claim_failures_total 2')
    book.size = 1
    text = await registry.metrics()
    expect(text).toContain('cocoon_orderbook_offers 1')
  })
})
