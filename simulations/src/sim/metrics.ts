import type { Scenario } from '../scenario/types.js'

/** Counters and samples collected during a run; turned into the summary at the end. */
export class Metrics {
  readonly bucketMs: number
  readonly buckets: number
  readonly series: Record<string, Float64Array>
  jobsArrived = 0
  jobsOk = 0
  jobsClientOffline = 0
  /** Arrivals after jobs.total was reached: demand the run did not simulate. */
  jobsOverCap = 0
  readonly failures = new Map<string, number>()
  attempts = 0
  rejectionsFull = 0
  unreachableProbes = 0
  propagation: number[] = []
  propagationCoverage: number[] = []
  meshSends = 0
  pulled = 0
  dhtHops: number[] = []
  dhtMs: number[] = []
  dhtFound = 0
  dhtTimeouts = 0
  readonly priceRatio: number[] = []
  onchainOpens = 0
  onchainClaims = 0
  onchainCloses = 0
  paidNano = 0
  offersPublished = 0
  offersDelivered = 0
  readonly verdicts = new Map<string, number>()
  spamPublished = 0
  spamRateLimited = 0
  /** Spam the first hop dropped unread: its sender's score was below gossipsub's graylist threshold. */
  spamGraylisted = 0
  spamInHonestBooks = 0
  stallAssigned = 0
  stallTimeouts = 0
  sybilDials = 0
  overclaimAttemptedNano = 0
  overclaimPaidNano = 0
  overclaimJobs = 0
  ranks = 0
  realSigns = 0
  realVerifies = 0

  constructor(scenario: Scenario) {
    this.bucketMs = scenario.output.bucketMs
    this.buckets = Math.max(1, Math.ceil(scenario.durationMs / this.bucketMs))
    const cols = [
      'jobs_arrived',
      'jobs_ok',
      'jobs_failed',
      'price_sum',
      'price_n',
      'cheapest_offer',
      'utilisation',
      'online_peers',
      'book_size',
      'spam_in_books',
      'attempts',
      'attacker_wasted_ms',
    ]
    this.series = Object.fromEntries(cols.map((c) => [c, new Float64Array(this.buckets)]))
  }

  bucket(now: number): number {
    return Math.min(this.buckets - 1, Math.floor(now / this.bucketMs))
  }

  add(column: string, now: number, value = 1): void {
    const col = this.series[column]
    if (col !== undefined) col[this.bucket(now)] = (col[this.bucket(now)] as number) + value
  }

  set(column: string, bucket: number, value: number): void {
    const col = this.series[column]
    if (col !== undefined && bucket < col.length) col[bucket] = value
  }

  fail(reason: string, now: number): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1)
    this.add('jobs_failed', now)
  }

  verdict(reason: string): void {
    this.verdicts.set(reason, (this.verdicts.get(reason) ?? 0) + 1)
  }
}
