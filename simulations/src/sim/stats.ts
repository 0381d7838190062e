/** Order statistics used in the summary; deterministic (sorts a copy). */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort()
  if (sorted.length === 0) return qs.map(() => 0)
  return qs.map(
    (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number,
  )
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return 0
  let s = 0
  for (let i = 0; i < values.length; i++) s += values[i] as number
  return s / values.length
}

/** Rounds to 6 significant digits so summaries compare byte for byte across platforms' float printing. */
export function round6(x: number): number {
  if (!Number.isFinite(x) || x === 0) return Number.isFinite(x) ? 0 : -1
  return Number(x.toPrecision(6))
}
