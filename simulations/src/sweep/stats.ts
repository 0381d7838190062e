import jStat from 'jstat'

/** The mean of a sample with its two-sided 95% confidence interval (Student's t, n − 1 degrees of freedom). */
export interface MeanCi {
  n: number
  mean: number
  sd: number
  ci95Low: number
  ci95High: number
}

/**
 * Mean, sample standard deviation and 95% confidence interval of the mean.
 * One value gives an interval of zero width at the mean (no spread is known);
 * no values give NaN, which the CSV writes as an empty cell.
 */
export function meanCi95(values: number[]): MeanCi {
  const n = values.length
  if (n === 0) return { n, mean: Number.NaN, sd: Number.NaN, ci95Low: Number.NaN, ci95High: Number.NaN }
  const mean = values.reduce((s, v) => s + v, 0) / n
  if (n === 1) return { n, mean, sd: 0, ci95Low: mean, ci95High: mean }
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1))
  const half = jStat.studentt.inv(0.975, n - 1) * (sd / Math.sqrt(n))
  return { n, mean, sd, ci95Low: mean - half, ci95High: mean + half }
}
