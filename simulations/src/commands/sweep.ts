import { availableParallelism } from 'node:os'
import cliProgress from 'cli-progress'
import { runMetadata } from '../output/metadata.js'
import { assertFitsInMemory, machineLimitBytes, memoryLimitBytes } from '../scenario/memory.js'
import { mergeShards, readShardOutput } from '../sweep/merge.js'
import { type SweepManifest, type SweepSummaryRow, writeSweepOutputs } from '../sweep/outputs.js'
import { runSweep, type Shard, shardRuns } from '../sweep/run-sweep.js'
import { loadSweep } from '../sweep/spec.js'

export interface SweepCommandOptions {
  out: string
  workers?: number
  shard?: Shard
  progress: boolean
  /** The memory the sweep's concurrent runs may use together, MiB (default 80% of the machine's). */
  maxMemory?: number
}

function progressBar(enabled: boolean, name: string): cliProgress.SingleBar | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined
  return new cliProgress.SingleBar(
    { format: `${name} [{bar}] {value}/{total} runs | {duration}s`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  )
}

function printSummary(rows: SweepSummaryRow[]): void {
  for (const r of rows)
    process.stdout.write(
      `point ${r.point} ${JSON.stringify(r.params)} ${r.metric}: ${r.mean} (95% CI ${r.ci95Low} … ${r.ci95High}, n=${r.n})\n`,
    )
}

/** `cocoon-sim sweep FILE`: runs a grid × seeds on worker threads and writes tidy outputs. */
export async function sweepCommand(path: string, opts: SweepCommandOptions): Promise<void> {
  const sweep = await loadSweep(path)
  const runs = shardRuns(sweep.runs, opts.shard)
  const scenarios = runs.map((r) => r.scenario)
  assertFitsInMemory(scenarios, memoryLimitBytes(opts.maxMemory))
  assertFitsInMemory(scenarios, machineLimitBytes(opts.maxMemory), {
    concurrent: opts.workers ?? availableParallelism(),
  })
  const bar = progressBar(opts.progress, sweep.spec.name)
  bar?.start(runs.length, 0)
  const started = performance.now()
  const results = await runSweep({
    sweep,
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.shard === undefined ? {} : { shard: opts.shard }),
    onRunDone: (done) => bar?.update(done),
  })
  bar?.stop()
  const manifest: SweepManifest = {
    meta: runMetadata({ scenarioSha256: sweep.scenarioSha256, sweepSha256: sweep.sweepSha256 }),
    name: sweep.spec.name,
    grid: sweep.spec.grid,
    metrics: sweep.spec.metrics,
    totalRuns: sweep.runs.length,
    ...(opts.shard === undefined ? {} : { shard: `${opts.shard.index}/${opts.shard.count}` }),
    runs: results.length,
  }
  const rows = await writeSweepOutputs(opts.out, manifest, results)
  printSummary(rows)
  const workers = opts.workers ?? availableParallelism()
  process.stdout.write(
    `${results.length} runs on ${workers} worker threads in ${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${opts.out}/runs.csv, summary.csv, runs.jsonl, sweep.json\n`,
  )
}

/** `cocoon-sim merge DIR... --out DIR`: recombines the shards of one sweep. */
export async function mergeCommand(dirs: string[], opts: { out: string; partial: boolean }): Promise<void> {
  const shards = await Promise.all(dirs.map((d) => readShardOutput(d)))
  const { manifest, results } = mergeShards(shards, { partial: opts.partial })
  const rows = await writeSweepOutputs(opts.out, manifest, results)
  printSummary(rows)
  process.stdout.write(
    `merged ${results.length} of ${manifest.totalRuns} runs from ${dirs.length} outputs into ${opts.out}\n`,
  )
}
