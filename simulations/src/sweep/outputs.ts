import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RunMetadata } from '../output/metadata.js'
import type { SweepRunResult } from './run-sweep.js'
import { meanCi95 } from './stats.js'

/** What `sweep.json` holds: the run metadata and which runs the directory has. */
export interface SweepManifest {
  meta: RunMetadata
  name: string
  grid: Record<string, unknown[]>
  metrics: string[]
  totalRuns: number
  /** `i/n` when the directory holds one shard. */
  shard?: string
  runs: number
}

/** One grid point's statistics for one metric. */
export interface SweepSummaryRow {
  point: number
  params: Record<string, unknown>
  metric: string
  n: number
  mean: number
  sd: number
  ci95Low: number
  ci95High: number
}

function cell(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const line = (cells: unknown[]): string => `${cells.map(cell).join(',')}\n`

/** Per grid point and metric: mean and 95% confidence interval over the point's seeds. */
export function summarise(results: SweepRunResult[], metrics: string[]): SweepSummaryRow[] {
  const byPoint = new Map<number, SweepRunResult[]>()
  for (const r of results) byPoint.set(r.point, [...(byPoint.get(r.point) ?? []), r])
  const rows: SweepSummaryRow[] = []
  for (const [point, runs] of [...byPoint.entries()].sort(([a], [b]) => a - b)) {
    for (const metric of metrics) {
      const values = runs.map((r) => r.metrics[metric]).filter((v): v is number => v !== undefined)
      rows.push({ point, params: runs[0]?.params ?? {}, metric, ...meanCi95(values) })
    }
  }
  return rows
}

/** One row per run: the grid values, the seed, then every number of the run's summary. */
export function runsCsv(results: SweepRunResult[], gridPaths: string[]): string {
  const metricNames = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))].sort()
  let csv = line(['run', 'point', 'seed', ...gridPaths, ...metricNames])
  for (const r of results)
    csv += line([
      r.index,
      r.point,
      r.seed,
      ...gridPaths.map((p) => r.params[p]),
      ...metricNames.map((m) => r.metrics[m]),
    ])
  return csv
}

export function summaryCsv(rows: SweepSummaryRow[], gridPaths: string[]): string {
  let csv = line(['point', ...gridPaths, 'metric', 'n', 'mean', 'sd', 'ci95_low', 'ci95_high'])
  for (const r of rows)
    csv += line([
      r.point,
      ...gridPaths.map((p) => r.params[p]),
      r.metric,
      r.n,
      r.mean,
      r.sd,
      r.ci95Low,
      r.ci95High,
    ])
  return csv
}

/**
 * Writes a sweep's outputs: `runs.jsonl` (what `merge` reads), `runs.csv`
 * (tidy, one row per run), `summary.csv` (means with 95% CIs per grid point)
 * and `sweep.json` (metadata). Byte-identical for the same runs.
 */
export async function writeSweepOutputs(
  dir: string,
  manifest: SweepManifest,
  results: SweepRunResult[],
): Promise<SweepSummaryRow[]> {
  const gridPaths = Object.keys(manifest.grid)
  const rows = summarise(results, manifest.metrics)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'sweep.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  await writeFile(join(dir, 'runs.jsonl'), results.map((r) => `${JSON.stringify(r)}\n`).join(''))
  await writeFile(join(dir, 'runs.csv'), runsCsv(results, gridPaths))
  await writeFile(join(dir, 'summary.csv'), summaryCsv(rows, gridPaths))
  return rows
}
