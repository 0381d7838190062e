import { availableParallelism } from 'node:os'
import { Tinypool } from 'tinypool'
import type { LoadedSweep, SweepRun } from './spec.js'
import type { SweepTask } from './worker.js'

/** `--shard i/n`: this process runs the runs whose index is i − 1 modulo n. */
export interface Shard {
  index: number
  count: number
}

export interface SweepRunResult {
  index: number
  point: number
  seed: number
  params: Record<string, unknown>
  metrics: Record<string, number>
}

export interface RunSweepParameters {
  sweep: LoadedSweep
  /** Worker threads; defaults to every core. The results do not depend on it. */
  workers?: number
  shard?: Shard
  onRunDone?: (done: number, total: number) => void
}

export type RunSweepReturnType = SweepRunResult[]

/** The runs of a sweep that belong to one shard (all of them without a shard). */
export function shardRuns(runs: SweepRun[], shard: Shard | undefined): SweepRun[] {
  if (shard === undefined) return runs
  return runs.filter((run) => run.index % shard.count === shard.index - 1)
}

/**
 * Runs a sweep's runs (one shard of them) on a pool of worker threads. Each
 * run is deterministic in its scenario and seed, and results are ordered by
 * run index, so the output is the same for any worker count or shard split.
 */
export async function runSweep(parameters: RunSweepParameters): Promise<RunSweepReturnType> {
  const runs = shardRuns(parameters.sweep.runs, parameters.shard)
  const threads = Math.max(1, Math.min(parameters.workers ?? availableParallelism(), runs.length))
  const pool = new Tinypool({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
  })
  let done = 0
  try {
    const results = await Promise.all(
      runs.map(async (run): Promise<SweepRunResult> => {
        const task: SweepTask = { scenario: run.scenario, seed: run.seed }
        const metrics = (await pool.run(task)) as Record<string, number>
        parameters.onRunDone?.(++done, runs.length)
        return { index: run.index, point: run.point, seed: run.seed, params: run.params, metrics }
      }),
    )
    return results.sort((a, b) => a.index - b.index)
  } finally {
    await pool.destroy()
  }
}
