/**
 * Per-key token buckets with an injected clock: gossipsub has no rate limit
 * of its own, so the order book bounds how many messages each forwarding
 * peer may make it verify, each provider identity may publish, and each
 * source subnet may introduce. Pure; bounded in memory (the least recently
 * used buckets are dropped, which only ever grants a fresh burst).
 */
export interface RateLimiterOptions {
  now: () => number
  /** Sustained messages per second per key. */
  ratePerSecond: number
  /** Largest burst per key. */
  burst: number
  /** Most keys tracked; the least recently seen are dropped beyond it (default 10 000). */
  maxKeys?: number
}

interface Bucket {
  tokens: number
  at: number
}

export class RateLimiter {
  readonly #options: Required<RateLimiterOptions>
  readonly #buckets = new Map<string, Bucket>()

  constructor(options: RateLimiterOptions) {
    this.#options = { maxKeys: 10_000, ...options }
  }

  /** Whether `key` has a token now, without taking it. */
  peek(key: string): boolean {
    const bucket = this.#buckets.get(key)
    return bucket === undefined || this.#refilled(bucket, this.#options.now()) >= 1
  }

  /** Takes one token for `key`; false when the key is over its rate. */
  take(key: string): boolean {
    const { now, burst, maxKeys } = this.#options
    const t = now()
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: t }
    bucket.tokens = this.#refilled(bucket, t)
    bucket.at = t
    // re-insert to keep the map ordered by last use
    this.#buckets.delete(key)
    this.#buckets.set(key, bucket)
    if (this.#buckets.size > maxKeys) {
      const oldest = this.#buckets.keys().next().value
      if (oldest !== undefined) this.#buckets.delete(oldest)
    }
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  #refilled(bucket: Bucket, t: number): number {
    const { ratePerSecond, burst } = this.#options
    return Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * ratePerSecond)
  }
}
