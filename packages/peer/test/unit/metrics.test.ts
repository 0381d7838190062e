import { RejectReason } from '@cocoon-mesh/protocol'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import {
  jobMetrics,
  MetricsListenError,
  type MetricsServer,
  startMetricsServer,
} from '../../src/metrics/index.js'

const servers: MetricsServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
})

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

describe('metrics server', () => {
  it('serves the registry on GET /metrics and nothing else', async () => {
    const registry = new Registry()
    jobMetrics(registry)
    const server = await startMetricsServer({ registry, port: 0 })
    servers.push(server)
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const ok = await fetch(server.url)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toContain('text/plain')
    expect(await ok.text()).toContain('# TYPE cocoon_jobs_total counter')
    const other = await fetch(server.url.replace('/metrics', '/'))
    expect(other.status).toBe(404)
    await other.text()
  })

  it('says which port is taken instead of crashing', async () => {
    const registry = new Registry()
    const first = await startMetricsServer({ registry, port: 0 })
    servers.push(first)
    const port = Number(new URL(first.url).port)
    const err = await startMetricsServer({ registry, port }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MetricsListenError)
    expect((err as MetricsListenError).details).toContain(`127.0.0.1:${port}`)
  })
})
