/**
 * The payment channels of a run, one per (client, provider) pair that ever
 * traded: the amount paid and not claimed yet, and when the provider last
 * claimed. Clients trade with many providers, so a large run holds millions
 * of channels; they live in typed arrays behind one small map per provider
 * (client index to slot), where a map keyed by pair would need keys beyond
 * the small integers and an object per channel for the collector to trace.
 */
export class Channels {
  readonly #slots: Map<number, number>[]
  /** nanoTON paid on each channel since its last claim; exact, as sums stay far below 2^53. */
  #unclaimed = new Float64Array(1024)
  #lastClaimAt = new Float64Array(1024)
  #size = 0

  constructor(providerCount: number) {
    this.#slots = Array.from({ length: providerCount }, () => new Map<number, number>())
  }

  /** Channels ever opened. */
  get size(): number {
    return this.#size
  }

  /** The slot of client `c`'s channel with provider `p`, or -1 when they never traded. */
  find(c: number, p: number): number {
    return this.#slots[p]?.get(c) ?? -1
  }

  /** Opens the channel of `c` with `p` at `now` (Unix ms), as if just claimed; returns its slot. */
  open(c: number, p: number, now: number): number {
    const slot = this.#size++
    if (slot === this.#unclaimed.length) this.#grow()
    this.#slots[p]?.set(c, slot)
    this.#unclaimed[slot] = 0
    this.#lastClaimAt[slot] = now
    return slot
  }

  /** Adds a payment to the channel; returns what it now holds unclaimed. */
  pay(slot: number, nano: number): number {
    const total = (this.#unclaimed[slot] as number) + nano
    this.#unclaimed[slot] = total
    return total
  }

  lastClaimAt(slot: number): number {
    return this.#lastClaimAt[slot] as number
  }

  /** The provider claimed everything on the channel at `now`. */
  claimed(slot: number, now: number): void {
    this.#unclaimed[slot] = 0
    this.#lastClaimAt[slot] = now
  }

  #grow(): void {
    this.#unclaimed = doubled(this.#unclaimed)
    this.#lastClaimAt = doubled(this.#lastClaimAt)
  }
}

/** `a` copied into an array twice its length. */
function doubled(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const out = new Float64Array(a.length * 2)
  out.set(a)
  return out
}
