/**
 * The gossip spread samples on worker threads: `cocoon-sim run` (the built
 * CLI, as the threads load the built worker) gives byte-identical outputs on
 * one thread and on three, with churn and refreshes of the mesh, where each
 * refresh spreads its samples over the threads.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { smallSpec } from './helpers.js'

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/cli.js')
let dir: string

const scenario = smallSpec({
  name: 'gossip-threads',
  peers: { count: 3000, providerFraction: 0.05 },
  crypto: { mode: 'table' },
  jobs: { total: 3000, rankRefreshMs: 1000 },
  dht: { lookups: 20 },
  gossip: { samples: 6, observers: 3, refreshMs: 30_000 },
  churn: { fraction: 0.4, session: { type: 'exponential', meanMs: 40_000 }, offlineMeanMs: 20_000 },
  output: { bucketMs: 10_000, priceSamples: 100 },
})

async function run(threads: number): Promise<{ summary: string; series: string }> {
  const out = join(dir, `t${threads}`)
  await promisify(execFile)(
    process.execPath,
    [
      CLI,
      'run',
      join(dir, 'scenario.json'),
      '--out',
      out,
      '--no-progress',
      '--gossip-threads',
      String(threads),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  )
  return {
    summary: await readFile(join(out, 'summary.json'), 'utf8'),
    series: await readFile(join(out, 'series.csv'), 'utf8'),
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cocoon-gossip-threads-'))
  await writeFile(join(dir, 'scenario.json'), JSON.stringify(scenario))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('gossip samples on threads', () => {
  it('give the same outputs on one thread and on three', async () => {
    const one = await run(1)
    const three = await run(3)
    expect(three.summary).toBe(one.summary)
    expect(three.series).toBe(one.series)
    const summary = JSON.parse(one.summary) as {
      offerPropagation: { p50Ms: number }
      jobs: { succeeded: number }
    }
    // the runs did spread offers and serve jobs, so the comparison is not of two empty runs
    expect(summary.offerPropagation.p50Ms).toBeGreaterThan(0)
    expect(summary.jobs.succeeded).toBeGreaterThan(1000)
  }, 240_000)
})
