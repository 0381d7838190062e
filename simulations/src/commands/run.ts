import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import cliProgress from 'cli-progress'
import { runMetadata } from '../output/metadata.js'
import { renderReport } from '../output/report.js'
import { loadScenario } from '../scenario/load.js'
import { assertFitsInMemory, memoryLimitBytes } from '../scenario/memory.js'
import { runScenario } from '../sim/run.js'

export interface RunCommandOptions {
  seed?: number
  out: string
  progress: boolean
  /** The memory the run may use, MiB (default: see memoryLimitBytes). */
  maxMemory?: number
  /** Threads for the gossip spread samples (default: every core). */
  gossipThreads?: number
}

/** Loads, runs and writes the outputs of one scenario. */
export async function runCommand(path: string, opts: RunCommandOptions): Promise<void> {
  const scenario = await loadScenario(path)
  const gossipThreads = opts.gossipThreads ?? availableParallelism()
  assertFitsInMemory([scenario], memoryLimitBytes(opts.maxMemory), { gossipThreads })
  const bar =
    opts.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          {
            format: `${scenario.name} [{bar}] {percentage}% | sim {sim}s | {duration}s`,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined
  bar?.start(100, 0, { sim: 0 })
  const started = performance.now()
  const result = await runScenario(scenario, {
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    gossipThreads,
    onProgress: (f) =>
      bar?.update(Math.floor(f * 100), { sim: Math.round((f * scenario.durationMs) / 1000) }),
  })
  bar?.stop()
  const wallMs = performance.now() - started
  await mkdir(opts.out, { recursive: true })
  await writeFile(join(opts.out, 'summary.json'), `${JSON.stringify(result.summary, null, 2)}\n`)
  await writeFile(join(opts.out, 'series.csv'), result.csv)
  const scenarioSha256 = createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
  const meta = { ...runMetadata({ scenarioSha256 }), seed: result.summary.seed }
  await writeFile(join(opts.out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`)
  await writeFile(
    join(opts.out, 'report.html'),
    await renderReport(result.summary, result.series, result.distributions),
  )
  const s = result.summary
  process.stdout.write(
    `${s.scenario} seed ${s.seed}: ${s.jobs.succeeded}/${s.jobs.arrived} jobs ok, offer propagation p50 ${s.offerPropagation.p50Ms} ms p99 ${s.offerPropagation.p99Ms} ms, ` +
      `DHT hops p50 ${s.dhtLookup.hopsP50} p99 ${s.dhtLookup.hopsP99}, median price ${s.price.medianPaidPerK}/k, ` +
      `${result.events} events in ${(wallMs / 1000).toFixed(1)} s wall\n` +
      (s.jobs.inFlightAtEnd > 0
        ? `${s.jobs.inFlightAtEnd} jobs were still in flight at the end (not counted as failures)\n`
        : '') +
      (s.jobs.overCap > 0
        ? `${s.jobs.overCap} arrivals came after jobs.total (${scenario.jobs.total}) was reached and were not simulated; raise jobs.total to simulate them\n`
        : '') +
      `wrote ${join(opts.out, 'summary.json')}, series.csv, meta.json, report.html\n`,
  )
}
