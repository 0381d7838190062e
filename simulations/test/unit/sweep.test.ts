import { describe, expect, it } from 'vitest'
import { InvalidSweepError, ShardMergeError } from '../../src/sweep/errors.js'
import { mergeShards, type ShardOutput } from '../../src/sweep/merge.js'
import { runsCsv, type SweepManifest, summarise } from '../../src/sweep/outputs.js'
import { type SweepRunResult, shardRuns } from '../../src/sweep/run-sweep.js'
import { expandSweep, gridPoints } from '../../src/sweep/spec.js'
import { meanCi95 } from '../../src/sweep/stats.js'

const base = { name: 'unit', peers: { count: 50 }, jobs: { total: 10 } }

function expectSweepError(fn: () => unknown, problem: RegExp): void {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSweepError)
    expect((error as InvalidSweepError).problems.join('\n')).toMatch(problem)
    return
  }
  throw new Error('expected an InvalidSweepError')
}

describe('sweep files', () => {
  it('expands the grid × seeds in a fixed order, the last path varying fastest', () => {
    expect(gridPoints({ a: [1, 2], b: ['x', 'y'] })).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ])
    const { runs } = expandSweep(
      { scenario: 'x.json', grid: { 'peers.count': [50, 60] }, seeds: { from: 7, count: 2 } },
      base,
    )
    expect(runs.map((r) => [r.index, r.point, r.seed, r.scenario.peers.count])).toEqual([
      [0, 0, 7, 50],
      [1, 0, 8, 50],
      [2, 1, 7, 60],
      [3, 1, 8, 60],
    ])
  })

  it('names the field of a grid path that does not exist, and of a value the scenario refuses', () => {
    expectSweepError(
      () => expandSweep({ scenario: 'x', grid: { 'peers.cuont.x': [1] }, seeds: [1] }, base),
      /grid\.peers\.cuont\.x: the scenario has no field cuont/,
    )
    expectSweepError(
      () => expandSweep({ scenario: 'x', grid: { 'peers.count': [-5] }, seeds: [1] }, base),
      /peers\.count: must be >= /,
    )
    expectSweepError(() => expandSweep({ scenario: 'x', grid: {}, seeds: [1] }, base), /sweep\.grid: /)
    expectSweepError(
      () => expandSweep({ scenario: 'x', grid: { 'peers.count': [50] }, seeds: { from: 0, count: 0 } }, base),
      /sweep\.seeds/,
    )
  })

  it('refuses more runs than the limit before any runs', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 50 + i)
    expectSweepError(
      () =>
        expandSweep({ scenario: 'x', grid: { 'peers.count': values }, seeds: { from: 0, count: 200 } }, base),
      /200000 runs, over the limit/,
    )
  })

  it('splits runs into shards that cover each run once', () => {
    const { runs } = expandSweep(
      { scenario: 'x', grid: { 'peers.count': [50, 60, 70] }, seeds: [1, 2, 3] },
      base,
    )
    const shards = [1, 2, 3, 4].map((index) => shardRuns(runs, { index, count: 4 }).map((r) => r.index))
    expect(shards.flat().sort((a, b) => a - b)).toEqual(runs.map((r) => r.index))
    expect(shards[0]).toEqual([0, 4, 8])
  })
})

describe('sweep statistics', () => {
  it('gives the t-based 95% interval of the mean', () => {
    // mean 3, sd sqrt(2.5), t(0.975, 4) = 2.776445
    const ci = meanCi95([1, 2, 3, 4, 5])
    expect(ci.mean).toBe(3)
    expect(ci.ci95High - ci.mean).toBeCloseTo(2.776445 * Math.sqrt(2.5 / 5), 5)
    expect(meanCi95([4])).toMatchObject({ n: 1, mean: 4, ci95Low: 4, ci95High: 4 })
    expect(Number.isNaN(meanCi95([]).mean)).toBe(true)
  })

  it('summarises per grid point and writes a tidy CSV with quoted object values', () => {
    const results: SweepRunResult[] = [
      { index: 0, point: 0, seed: 1, params: { s: { type: 'a' } }, metrics: { m: 1 } },
      { index: 1, point: 0, seed: 2, params: { s: { type: 'a' } }, metrics: { m: 3 } },
      { index: 2, point: 1, seed: 1, params: { s: { type: 'b' } }, metrics: { m: 10, extra: 2 } },
    ]
    const rows = summarise(results, ['m'])
    expect(rows.map((r) => [r.point, r.n, r.mean])).toEqual([
      [0, 2, 2],
      [1, 1, 10],
    ])
    expect(runsCsv(results, ['s']).split('\n')).toEqual([
      'run,point,seed,s,extra,m',
      '0,0,1,"{""type"":""a""}",,1',
      '1,0,2,"{""type"":""a""}",,3',
      '2,1,1,"{""type"":""b""}",2,10',
      '',
    ])
  })
})

describe('merging shards', () => {
  const manifest = (shard: string, runs: number, commit = 'c1'): SweepManifest => ({
    meta: {
      tool: 'cocoon-sim',
      version: '0',
      commit,
      node: 'v24',
      platform: 'linux-x64',
      scenarioSha256: 's',
      sweepSha256: 'w',
    },
    name: 'x',
    grid: { a: [1] },
    metrics: ['m'],
    totalRuns: 3,
    shard,
    runs,
  })
  const result = (index: number): SweepRunResult => ({
    index,
    point: 0,
    seed: index,
    params: { a: 1 },
    metrics: { m: index },
  })
  const out = (dir: string, shard: string, indices: number[], commit?: string): ShardOutput => ({
    dir,
    manifest: manifest(shard, indices.length, commit),
    results: indices.map(result),
  })

  it('recombines shards in run order and drops the shard label', () => {
    const merged = mergeShards([out('b', '2/2', [1]), out('a', '1/2', [0, 2])])
    expect(merged.results.map((r) => r.index)).toEqual([0, 1, 2])
    expect(merged.manifest.shard).toBeUndefined()
    expect(merged.manifest.runs).toBe(3)
  })

  it('refuses a missing run, a run twice and a shard of another sweep, each saying what to do', () => {
    expect(() => mergeShards([out('a', '1/2', [0, 2])])).toThrow(ShardMergeError)
    expect(() => mergeShards([out('a', '1/2', [0, 2])])).toThrow(/cover 2 of 3 runs/)
    expect(mergeShards([out('a', '1/2', [0, 2])], { partial: true }).results).toHaveLength(2)
    expect(() => mergeShards([out('a', '1/2', [0, 2]), out('b', '2/2', [1, 2])])).toThrow(
      /Run 2 is in two outputs/,
    )
    expect(() => mergeShards([out('a', '1/2', [0, 2]), out('b', '2/2', [1], 'c2')])).toThrow(
      /from another sweep/,
    )
  })
})
