import type { ProviderRecord } from './types.js'

export function emptyRecord(): ProviderRecord {
  return {
    successes: 0,
    failures: 0,
    timeouts: 0,
    rejections: 0,
    cheats: 0,
    lastFailureAt: 0,
    throughputRatioSum: 0,
    throughputSamples: 0,
    unreachableStreak: 0,
    unreachableUntil: 0,
  }
}

/** First backoff after a dial failure, ms; it doubles with each failure in a row. */
export const UNREACHABLE_BACKOFF_MS = 30_000
/** Longest backoff after dial failures, ms. */
export const MAX_UNREACHABLE_BACKOFF_MS = 30 * 60_000

/** How long the `streak`-th dial failure in a row keeps a provider out of the ranking, ms. */
export function unreachableBackoffMs(streak: number): number {
  return Math.min(MAX_UNREACHABLE_BACKOFF_MS, UNREACHABLE_BACKOFF_MS * 2 ** Math.max(0, streak - 1))
}

export type ProviderOutcome =
  | { type: 'success'; deliveredPerSecond?: number; promisedPerSecond?: number }
  | { type: 'failure' }
  | { type: 'timeout' }
  | { type: 'rejected' }
  /** The provider claimed more than it delivered (tokens, usage or price): weighs as {@link CHEAT_WEIGHT} failures. */
  | { type: 'cheated' }
  /** No stream could be opened to the provider: out of the ranking for a backoff. */
  | { type: 'unreachable' }

/**
 * The client's own book of how each provider behaved. Pure apart from the
 * injected clock, so the simulator runs the same code.
 */
export class ProviderRecords {
  readonly #records = new Map<string, ProviderRecord>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  get map(): ReadonlyMap<string, ProviderRecord> {
    return this.#records
  }

  get(providerId: string): ProviderRecord {
    return this.#records.get(providerId) ?? emptyRecord()
  }

  record(providerId: string, outcome: ProviderOutcome): ProviderRecord {
    const r = { ...this.get(providerId) }
    switch (outcome.type) {
      case 'success': {
        r.successes++
        const { deliveredPerSecond, promisedPerSecond } = outcome
        if (deliveredPerSecond !== undefined && promisedPerSecond !== undefined && promisedPerSecond > 0) {
          r.throughputRatioSum += Math.min(2, deliveredPerSecond / promisedPerSecond)
          r.throughputSamples++
        }
        break
      }
      case 'failure':
        r.failures++
        r.lastFailureAt = this.#now()
        break
      case 'timeout':
        r.timeouts++
        r.lastFailureAt = this.#now()
        break
      case 'rejected':
        r.rejections++
        break
      case 'cheated':
        r.cheats++
        r.lastFailureAt = this.#now()
        break
      case 'unreachable':
        r.unreachableStreak++
        r.unreachableUntil = this.#now() + unreachableBackoffMs(r.unreachableStreak)
        break
    }
    if (outcome.type !== 'unreachable') r.unreachableStreak = 0
    this.#records.set(providerId, r)
    return r
  }
}

/** One cheat (a claim beyond what was delivered) weighs as much as this many failures. */
const CHEAT_WEIGHT = 10
/** One-sided confidence of the lower bound on a provider's success rate (z = 1, about 84 %). */
const WILSON_Z = 1

/**
 * 0..1: the Wilson lower bound of the share of jobs a provider finished, so a
 * provider with no record scores 0 and one success counts for less than
 * twenty; halved while a failure is recent.
 */
export function reliability(record: ProviderRecord | undefined, now: number, cooldownMs: number): number {
  if (record === undefined) return 0
  let score = wilsonLowerBound(record.successes, record.successes + badOutcomes(record))
  if (isCooling(record, now, cooldownMs)) score *= 0.5
  return score
}

/** Failures, timeouts and weighted cheats: the outcomes that count against a provider. */
export function badOutcomes(record: ProviderRecord): number {
  return record.failures + record.timeouts + CHEAT_WEIGHT * record.cheats
}

/** True while a failure (not a dial failure) is more recent than `cooldownMs`. */
export function isCooling(record: ProviderRecord | undefined, now: number, cooldownMs: number): boolean {
  return record !== undefined && record.lastFailureAt > 0 && now - record.lastFailureAt < cooldownMs
}

/** Lower bound of the Wilson score interval for `successes` out of `n`; 0 when n is 0. */
export function wilsonLowerBound(successes: number, n: number): number {
  if (n <= 0) return 0
  const z2 = WILSON_Z * WILSON_Z
  const p = successes / n
  const centre = p + z2 / (2 * n)
  const spread = WILSON_Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  return Math.max(0, (centre - spread) / (1 + z2 / n))
}

/** True while a dial failure keeps the provider out of the ranking. */
export function isBackingOff(record: ProviderRecord | undefined, now: number): boolean {
  return record !== undefined && now < record.unreachableUntil
}

/** Mean delivered / promised throughput, 1 when unknown. */
export function throughputRatio(record: ProviderRecord | undefined): number {
  if (record === undefined || record.throughputSamples === 0) return 1
  return record.throughputRatioSum / record.throughputSamples
}
