/**
 * `cocoon-sim sweep` as a researcher runs it: the built CLI in child
 * processes, worker threads inside. The sweep on one worker thread and the
 * same sweep split into two shards on two threads each, merged back, give
 * byte-identical outputs, and the undercutting sweep separates the two strategies'
 * median prices with non-overlapping 95% confidence intervals.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const PKG = resolve(import.meta.dirname, '../..')
const CLI = join(PKG, 'dist/cli.js')
const SWEEP = join(PKG, 'scenarios/sweeps/undercut.json')
let out: string

async function sim(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  })
  return stdout
}

const read = (dir: string, file: string): Promise<string> => readFile(join(out, dir, file), 'utf8')

beforeAll(async () => {
  execFileSync(
    'flock',
    ['/tmp/cocoon-sim-dist-build.lock', join(PKG, '../node_modules/.bin/tsc'), '-b', PKG],
    {
      stdio: 'pipe',
    },
  )
  out = await mkdtemp(join(tmpdir(), 'cocoon-sim-sweep-'))
}, 120_000)
afterAll(() => rm(out, { recursive: true, force: true }))

describe('cocoon-sim sweep', () => {
  it('gives the same outputs for any worker count and for shards merged back', async () => {
    await sim('sweep', SWEEP, '--out', join(out, 'w1'), '--workers', '1', '--no-progress')
    // two shards, each on two worker threads, merged back
    await sim('sweep', SWEEP, '--out', join(out, 's1'), '--shard', '1/2', '--workers', '2', '--no-progress')
    await sim('sweep', SWEEP, '--out', join(out, 's2'), '--shard', '2/2', '--workers', '2', '--no-progress')
    await sim('merge', join(out, 's1'), join(out, 's2'), '--out', join(out, 'merged'))
    for (const file of ['runs.csv', 'summary.csv', 'runs.jsonl', 'sweep.json'])
      expect(await read('merged', file)).toBe(await read('w1', file))
    expect(JSON.parse(await read('s1', 'sweep.json'))).toMatchObject({ shard: '1/2', runs: 5 })
    const manifest = JSON.parse(await read('w1', 'sweep.json'))
    expect(manifest).toMatchObject({
      totalRuns: 10,
      runs: 10,
      meta: { tool: 'cocoon-sim', node: process.version },
    })
    expect(manifest.meta.scenarioSha256).toMatch(/^[0-9a-f]{64}$/)
    expect((await read('w1', 'runs.csv')).trim().split('\n')).toHaveLength(11)
  }, 600_000)

  it('reproduces "undercutting lowers the median price" with non-overlapping 95% confidence intervals', async () => {
    const rows = (await read('w1', 'summary.csv'))
      .trim()
      .split('\n')
      .filter((l) => l.includes(',price.medianPaidPerK,'))
      .map((l) => l.split(','))
    const ci = (row: string[] | undefined): { low: number; high: number } => ({
      low: Number(row?.at(-2)),
      high: Number(row?.at(-1)),
    })
    const fixed = ci(rows.find((r) => r[0] === '0'))
    const undercut = ci(rows.find((r) => r[0] === '1'))
    expect(undercut.high).toBeLessThan(fixed.low)
  })

  it('names the field at fault in a bad sweep file and exits non-zero', async () => {
    const bad = join(out, 'bad.json')
    const base = join(PKG, 'scenarios/small-market.json')
    await writeFile(bad, JSON.stringify({ scenario: base, grid: { 'jobs.totl': [1] }, seeds: [1] }))
    const failed = await sim('sweep', bad, '--out', join(out, 'bad')).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stderr).toMatch(
      /Grid point 0 .* gives an invalid scenario\njobs\.totl: is not a known field/,
    )
    expect(failed?.stderr).not.toMatch(/\n\s+at /)
  })
})
