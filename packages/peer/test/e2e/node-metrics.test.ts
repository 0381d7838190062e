import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLightPeer, type LightPeer } from '@cocoon-mesh/client/internal'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { afterEach, describe, expect, it } from 'vitest'
import { runCleanups } from '../../../../test-support/cleanup.ts'
import { LineLog } from '../../../../test-support/wait.ts'
import { type RunningNode, runNode } from '../../src/cli/run-node.js'
import { DEFAULT_CONFIG, type NodeConfig } from '../../src/home/config.js'
import { createIdentity } from '../../src/home/identity.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await runCleanups(cleanups)
})

async function scrape(url: string): Promise<string> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  return res.text()
}

describe('cocoon node start --metrics-port', () => {
  it('serves process, libp2p, order-book and job metrics that move with a served job', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cocoon-metrics-'))
    cleanups.push(() => rm(home, { recursive: true, force: true }))
    await mkdir(join(home, 'models'), { recursive: true })
    await writeTinyGguf(join(home, 'models', 'tiny.gguf'))
    const config: NodeConfig = {
      ...DEFAULT_CONFIG,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      provide: { ...DEFAULT_CONFIG.provide, models: ['tiny'] },
    }
    const log = new LineLog()
    const node: RunningNode = await runNode({
      home,
      privateKey: await createIdentity(home),
      config,
      provide: true,
      metricsPort: 0,
      log: log.log,
    })
    cleanups.push(() => node.shutdown())
    const url = log.lines.find((l) => l.startsWith('metrics '))?.split(' ')[1]
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)

    const before = await scrape(url as string)
    expect(before).toContain('process_cpu_seconds_total')
    expect(before).toMatch(/^libp2p_/m)
    expect(before).toContain('cocoon_orderbook_offers')
    expect(before).not.toContain('cocoon_jobs_total{kind_outcome="llm/finished"}')

    const client: LightPeer = await createLightPeer({
      bootstrap: node.peer.libp2p.getMultiaddrs().map(String),
    })
    cleanups.push(() => client.stop())
    const job = client.generate({ model: 'tiny', prompt: 'hi', maxTokens: 8 })
    for await (const _ of job) {
      // drain
    }
    expect((await job.usage).completionTokens).toBe(8)
    // the job service reports the finish just after the result frame: counted, then logged
    await log.until((lines) => lines.some((l) => l.startsWith('job-finished ')), {
      what: "the node's job-finished line",
    })
    const after = await scrape(url as string)
    expect(after).toContain('cocoon_jobs_total{kind_outcome="llm/finished"} 1')
    expect(after).toContain('cocoon_completion_tokens_total 8')
    expect(after).toContain('cocoon_jobs_active 0')
  }, 120_000)
})
