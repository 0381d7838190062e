/**
 * The one line every benchmark prints: a JSON object that `npm run bench`
 * collects. A ratio compares against a baseline measured in the same run, so
 * a noisy machine moves both sides together.
 */
export interface BenchResult {
  bench: string
  value: number
  unit: string
  baseline: number | null
  ratio: number | null
}

export interface ReportBenchParameters {
  bench: string
  value: number
  unit: string
  /** The same quantity measured for the reference implementation in this run. */
  baseline?: number
  /** `higher` (default) when bigger values are better, e.g. throughput; `lower` for latency. */
  better?: 'higher' | 'lower'
}

/** Prints one benchmark result as a JSON line and returns it. */
export function reportBench({
  bench,
  value,
  unit,
  baseline,
  better = 'higher',
}: ReportBenchParameters): BenchResult {
  let ratio: number | null = null
  if (baseline !== undefined && baseline !== 0 && value !== 0) {
    ratio = better === 'higher' ? value / baseline : baseline / value
  }
  const result: BenchResult = {
    bench,
    value: round(value),
    unit,
    baseline: baseline === undefined ? null : round(baseline),
    ratio: ratio === null ? null : round(ratio),
  }
  console.log(JSON.stringify(result))
  return result
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000
}
