/**
 * Application penalty per order-book message a peer is provably at fault
 * for: `invalid` for a REJECT (on top of gossipsub's invalid-delivery score),
 * `overLimit` for a message over the peer's own budget or, when the peer is
 * the provider itself, over its provider rate. A relay handing over a valid
 * message over someone else's origin limit is not at fault and gets nothing.
 */
export const PENALTY = { invalid: 10, overLimit: 1 } as const

/**
 * Application-level penalties per peer, fed to gossipsub's `appSpecificScore`
 * so peers that flood or send garbage lose mesh membership on top of
 * gossipsub's own invalid-delivery penalty. Decays with an injected clock.
 */
export class PeerPenalties {
  readonly #now: () => number
  readonly #halfLifeMs: number
  readonly #scores = new Map<string, { value: number; at: number }>()

  constructor(options: { now?: () => number; halfLifeMs?: number } = {}) {
    this.#now = options.now ?? Date.now
    this.#halfLifeMs = options.halfLifeMs ?? 60_000
  }

  /** Adds `amount` (positive) of penalty to a peer. */
  penalise(peerId: string, amount: number): void {
    const current = this.penalty(peerId)
    this.#scores.set(peerId, { value: current + amount, at: this.#now() })
    if (this.#scores.size > 10_000) {
      const oldest = this.#scores.keys().next().value
      if (oldest !== undefined) this.#scores.delete(oldest)
    }
  }

  /** Current (decayed) penalty of a peer, >= 0. */
  penalty(peerId: string): number {
    const entry = this.#scores.get(peerId)
    if (entry === undefined) return 0
    const decayed = entry.value * 0.5 ** ((this.#now() - entry.at) / this.#halfLifeMs)
    if (decayed < 0.01) {
      this.#scores.delete(peerId)
      return 0
    }
    return decayed
  }

  /** The gossipsub application score: minus the penalty. */
  readonly appSpecificScore = (peerId: string): number => -this.penalty(peerId)
}
