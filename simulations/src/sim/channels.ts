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

/** The buckets: per bucket the client (or EMPTY) and provider of a channel, and its two amounts. */
interface Table {
  client: Int32Array
  provider: Int32Array
  /** nanoTON paid on each channel since its last claim; exact, as sums stay far below 2^53. */
  unclaimed: Float64Array
  lastClaimAt: Float64Array
  mask: number
}

function emptyTable(buckets: number): Table {
  return {
    client: new Int32Array(buckets).fill(EMPTY),
    provider: new Int32Array(buckets),
    unclaimed: new Float64Array(buckets),
    lastClaimAt: new Float64Array(buckets),
    mask: buckets - 1,
  }
}

export class Channels {
  #t: Table
  #size = 0

  constructor(expected = 1024) {
    this.#t = emptyTable(2 ** Math.ceil(Math.log2(Math.max(16, expected / MAX_LOAD))))
  }

  /** Channels ever opened. */
  get size(): number {
    return this.#size
  }

  /** The slot of client `c`'s channel with provider `p`, or -1 when they never traded. Valid until the next `open`. */
  find(c: number, p: number): number {
    const slot = probe(this.#t, c, p)
    return this.#t.client[slot] === EMPTY ? -1 : slot
  }

  /** Opens the channel of `c` with `p` at `now` (Unix ms), as if just claimed; returns its slot. */
  open(c: number, p: number, now: number): number {
    if (this.#size + 1 > MAX_LOAD * (this.#t.mask + 1)) this.#grow()
    const slot = probe(this.#t, c, p)
    if (this.#t.client[slot] !== EMPTY)
      throw new SimulationInvariantError(`channel of client ${c} with provider ${p} is open already`)
    put(this.#t, slot, c, p, 0, now)
    this.#size++
    return slot
  }

  /** Adds a payment to the channel; returns what it now holds unclaimed. */
  pay(slot: number, nano: number): number {
    const total = (this.#t.unclaimed[slot] as number) + nano
    this.#t.unclaimed[slot] = total
    return total
  }

  lastClaimAt(slot: number): number {
    return this.#t.lastClaimAt[slot] as number
  }

  /** The provider claimed everything on the channel at `now`. */
  claimed(slot: number, now: number): void {
    this.#t.unclaimed[slot] = 0
    this.#t.lastClaimAt[slot] = now
  }

  /** Twice the buckets, every channel moved to its bucket there. */
  #grow(): void {
    const old = this.#t
    const t = emptyTable(old.client.length * 2)
    for (let i = 0; i < old.client.length; i++) {
      const c = old.client[i] as number
      if (c === EMPTY) continue
      const p = old.provider[i] as number
      put(t, probe(t, c, p), c, p, old.unclaimed[i] as number, old.lastClaimAt[i] as number)
    }
    this.#t = t
  }
}

/** The bucket of (c, p), or the empty one where it would go (linear probing). */
function probe(t: Table, c: number, p: number): number {
  // mixed so the low bits the mask keeps depend on every bit of both indices
  let h = Math.imul(c, 0x9e3779b1) ^ Math.imul(p + 1, 0x85ebca77)
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d)
  let slot = (h ^ (h >>> 15)) & t.mask
  for (;;) {
    const held = t.client[slot] as number
    if (held === EMPTY || (held === c && t.provider[slot] === p)) return slot
    slot = (slot + 1) & t.mask
  }
}

function put(t: Table, slot: number, c: number, p: number, unclaimed: number, lastClaimAt: number): void {
  t.client[slot] = c
  t.provider[slot] = p
  t.unclaimed[slot] = unclaimed
  t.lastClaimAt[slot] = lastClaimAt
}
