/**
 * What a client knows of each provider's load: the jobs it has running there
 * itself, and the queue depth the provider last reported (in a JobAccept or
 * an over-capacity JobReject), trusted for a short while only. A provider
 * lying about its depth gains nothing: a low figure draws work it then has to
 * reject or serve, a high one sends work elsewhere. Pure, injected clock.
 */

/** How long a reported queue depth counts, ms. */
const REPORT_TTL_MS = 2000

interface Load {
  inFlight: number
  reported: number
  reportedAt: number
}

export class ProviderLoads {
  readonly #now: () => number
  readonly #loads = new Map<string, Load>()

  constructor(now: () => number) {
    this.#now = now
  }

  #entry(providerId: string): Load {
    let load = this.#loads.get(providerId)
    if (load === undefined) {
      load = { inFlight: 0, reported: 0, reportedAt: 0 }
      this.#loads.set(providerId, load)
    }
    return load
  }

  /** An attempt on the provider started. */
  started(providerId: string): void {
    this.#entry(providerId).inFlight++
  }

  /** An attempt on the provider ended, however. */
  ended(providerId: string): void {
    const load = this.#entry(providerId)
    load.inFlight = Math.max(0, load.inFlight - 1)
    if (load.inFlight === 0 && this.#now() - load.reportedAt > REPORT_TTL_MS) this.#loads.delete(providerId)
  }

  /** The provider reported `depth` jobs held (running plus queued). */
  reported(providerId: string, depth: number): void {
    const load = this.#entry(providerId)
    load.reported = depth
    load.reportedAt = this.#now()
  }

  /** Load per provider: its own jobs in flight or the fresh reported depth, whichever is larger. */
  get map(): ReadonlyMap<string, number> {
    const now = this.#now()
    const out = new Map<string, number>()
    for (const [id, load] of this.#loads) {
      const reported = now - load.reportedAt <= REPORT_TTL_MS ? load.reported : 0
      out.set(id, Math.max(load.inFlight, reported))
    }
    return out
  }
}
