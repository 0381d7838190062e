/**
 * Providers seen gone: their direct fetch failed, or their offers were
 * cancelled or expired. DHT provider records outlive a provider by up to a
 * day, so discovery skips these instead of dialling them again. An entry
 * ends after `ttlMs` or as soon as an offer of the provider is accepted
 * (it is alive again); the oldest entries go first past `max`.
 */
export class GoneProviders {
  readonly #until = new Map<string, number>()
  readonly #now: () => number
  readonly #ttlMs: number
  readonly #max: number

  constructor(options: { now: () => number; ttlMs?: number; max?: number }) {
    this.#now = options.now
    this.#ttlMs = options.ttlMs ?? 60_000
    this.#max = options.max ?? 10_000
  }

  add(provider: string): void {
    this.#until.delete(provider)
    this.#until.set(provider, this.#now() + this.#ttlMs)
    if (this.#until.size > this.#max) {
      const oldest = this.#until.keys().next().value
      if (oldest !== undefined) this.#until.delete(oldest)
    }
  }

  has(provider: string): boolean {
    const until = this.#until.get(provider)
    if (until === undefined) return false
    if (until > this.#now()) return true
    this.#until.delete(provider)
    return false
  }

  delete(provider: string): void {
    this.#until.delete(provider)
  }

  get size(): number {
    return this.#until.size
  }
}
