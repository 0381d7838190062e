/**
 * The payment channels of a run, one per (client, provider) pair that ever
 * traded: the amount paid and not claimed yet, and when the provider last
 * claimed. Clients trade with many providers, so a large run holds millions
 * of channels. They live in one open-addressing hash table of typed arrays
 * keyed by the pair: a lookup is one probe into adjacent memory, where maps
 * per provider cost a chain of dependent reads (and objects for the
 * collector to trace) per payment.
 */
import { SimulationInvariantError } from '../engine/errors.js'

const EMPTY = -1
/** Grown when more than this share of the buckets is taken, so probe runs stay short. */
const MAX_LOAD = 0.6

export class Channels {
  /** Per bucket: the client, or EMPTY; and the provider. */
  #client: Int32Array
  #provider: Int32Array
  /** nanoTON paid on each channel since its last claim; exact, as sums stay far below 2^53. */
  #unclaimed: Float64Array
  #lastClaimAt: Float64Array
  #mask: number
  #size = 0

  constructor(expected = 1024) {
    const buckets = 2 ** Math.ceil(Math.log2(Math.max(16, expected / MAX_LOAD)))
    this.#client = new Int32Array(buckets).fill(EMPTY)
    this.#provider = new Int32Array(buckets)
    this.#unclaimed = new Float64Array(buckets)
    this.#lastClaimAt = new Float64Array(buckets)
    this.#mask = buckets - 1
  }

  /** Channels ever opened. */
  get size(): number {
    return this.#size
  }

  /** The slot of client `c`'s channel with provider `p`, or -1 when they never traded. Valid until the next `open`. */
  find(c: number, p: number): number {
    const slot = this.#probe(c, p)
    return this.#client[slot] === EMPTY ? -1 : slot
  }

  /** Opens the channel of `c` with `p` at `now` (Unix ms), as if just claimed; returns its slot. */
  open(c: number, p: number, now: number): number {
    if (this.#size + 1 > MAX_LOAD * (this.#mask + 1)) this.#grow()
    const slot = this.#probe(c, p)
    if (this.#client[slot] !== EMPTY)
      throw new SimulationInvariantError(`channel of client ${c} with provider ${p} is open already`)
    this.#client[slot] = c
    this.#provider[slot] = p
    this.#unclaimed[slot] = 0
    this.#lastClaimAt[slot] = now
    this.#size++
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

  /** The bucket of (c, p), or the empty one where it would go (linear probing). */
  #probe(c: number, p: number): number {
    const mask = this.#mask
    // mixed so the low bits the mask keeps depend on every bit of both indices
    let h = Math.imul(c, 0x9e3779b1) ^ Math.imul(p + 1, 0x85ebca77)
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d)
    let slot = (h ^ (h >>> 15)) & mask
    for (;;) {
      const held = this.#client[slot] as number
      if (held === EMPTY || (held === c && this.#provider[slot] === p)) return slot
      slot = (slot + 1) & mask
    }
  }

  #grow(): void {
    const client = this.#client
    const provider = this.#provider
    const unclaimed = this.#unclaimed
    const lastClaimAt = this.#lastClaimAt
    const buckets = client.length * 2
    this.#client = new Int32Array(buckets).fill(EMPTY)
    this.#provider = new Int32Array(buckets)
    this.#unclaimed = new Float64Array(buckets)
    this.#lastClaimAt = new Float64Array(buckets)
    this.#mask = buckets - 1
    for (let i = 0; i < client.length; i++) {
      const c = client[i] as number
      if (c === EMPTY) continue
      const slot = this.#probe(c, provider[i] as number)
      this.#client[slot] = c
      this.#provider[slot] = provider[i] as number
      this.#unclaimed[slot] = unclaimed[i] as number
      this.#lastClaimAt[slot] = lastClaimAt[i] as number
    }
  }
}
