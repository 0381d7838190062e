import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createNodeMetrics,
  jobMetrics,
  MetricsListenError,
  type MetricsServer,
  startMetricsServer,
} from '../../src/metrics/index.js'

const servers: MetricsServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
})

describe('metrics server', () => {
  it('serves the registry on GET /metrics and nothing else', async () => {
    const { registry, metrics } = createNodeMetrics()
    jobMetrics(metrics)
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
