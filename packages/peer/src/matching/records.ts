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
  }
}

export type ProviderOutcome =
  | { type: 'success'; deliveredPerSecond?: number; promisedPerSecond?: number }
  | { type: 'failure' }
  | { type: 'timeout' }
  | { type: 'rejected' }
  | { type: 'cheated' }

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
    }
    this.#records.set(providerId, r)
    return r
  }
}

/** One cheat (a claim beyond what was delivered) weighs as much as this many failures. */
const CHEAT_WEIGHT = 10

/**
 * 0..1: the share of attempts a provider finished, with a prior of one success
 * so a new provider starts at full trust, and a penalty while a failure is recent.
 */
export function reliability(record: ProviderRecord | undefined, now: number, cooldownMs: number): number {
  if (record === undefined) return 1
  const bad = record.failures + record.timeouts + CHEAT_WEIGHT * record.cheats
  let score = (record.successes + 1) / (record.successes + bad + 1)
  if (record.lastFailureAt > 0 && now - record.lastFailureAt < cooldownMs) score *= 0.5
  return score
}

/** Mean delivered / promised throughput, 1 when unknown. */
export function throughputRatio(record: ProviderRecord | undefined): number {
  if (record === undefined || record.throughputSamples === 0) return 1
  return record.throughputRatioSum / record.throughputSamples
}
