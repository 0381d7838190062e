import { RejectReason } from '@cocoon-mesh/protocol'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { jobMetrics } from '../../src/metrics/index.js'

describe('job metrics', () => {
  it('count jobs by kind and outcome, rejections by reason, tokens, GFLOP and billed nanoTON', async () => {
    const registry = new Registry()
    const onEvent = jobMetrics(registry)
    onEvent({ type: 'accepted', jobId: 'a', client: 'c', model: 'm', kind: 'llm' })
    onEvent({ type: 'accepted', jobId: 'b', client: 'c', model: 'm', kind: 'tensor' })
    onEvent({ type: 'finished', jobId: 'a', cost: 1500n, completionTokens: 40, gflop: 0 })
    onEvent({ type: 'failed', jobId: 'b', code: 'aborted', message: 'gone' })
    onEvent({
      type: 'rejected',
      jobId: 'c',
      client: 'c',
      reason: RejectReason.REJECT_REASON_OVER_CAPACITY,
      message: '',
    })
    const text = await registry.metrics()
    expect(text).toContain('cocoon_jobs_total{kind="llm",outcome="finished"} 1')
    expect(text).toContain('cocoon_jobs_total{kind="tensor",outcome="failed"} 1')
    expect(text).toContain(
      `cocoon_job_rejections_total{reason="${RejectReason.REJECT_REASON_OVER_CAPACITY}"} 1`,
    )
    expect(text).toContain('cocoon_job_failures_total{code="aborted"} 1')
    expect(text).toContain('cocoon_completion_tokens_total 40')
    expect(text).toContain('cocoon_billed_nanoton_total 1500')
    expect(text).toContain('cocoon_jobs_active 0')
  })
})
