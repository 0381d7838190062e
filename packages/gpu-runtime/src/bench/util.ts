/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * The best round. Other processes on a shared machine only ever slow a round
 * down, so the best of interleaved rounds is the least noisy comparison.
 */
export function best(values: number[]): number {
  return Math.max(...values)
}
