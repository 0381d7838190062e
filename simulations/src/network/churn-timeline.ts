import { SimulationInvariantError } from '../engine/errors.js'
import { EventQueue, type PoppedEvent } from '../engine/event-queue.js'
import type { Rng } from '../engine/prng.js'
import { type SessionDistribution, sessionLength } from './churn.js'

const LEAVE = 0
const JOIN = 1

export interface ChurnParameters {
  session: SessionDistribution
  offlineMeanMs: number
}

/** A toggle the run has still to apply: peer `peer` goes offline (`leave`) or online at `time`. */
export interface ChurnToggle {
  time: number
  peer: number
  leave: boolean
  /** When the same peer toggles next. */
  next: number
}

/**
 * The churn of a run, drawn ahead of the run's own events. Churn depends on
 * nothing but its random stream, so it can be drawn on its own event queue,
 * in the same time order and with the same draws as the run would make.
 * That lets the run know who will be online at a future moment (a gossip
 * refresh, prepared on another thread before its time comes) without
 * changing a single toggle. The run applies the toggles in order (`take`).
 */
export class ChurnTimeline {
  readonly #queue = new EventQueue(1024)
  readonly #params: ChurnParameters
  readonly #rng: Rng
  readonly #popped: PoppedEvent = { time: 0, kind: 0, a: 0, b: 0 }
  /** Toggles drawn and not yet taken, in time order (from `#head`). */
  #toggles: ChurnToggle[] = []
  #head = 0
  /** Every toggle with a time <= this has been drawn. */
  #drawnUntil = Number.NEGATIVE_INFINITY

  constructor(params: ChurnParameters, rng: Rng) {
    this.#params = params
    this.#rng = rng
  }

  /** Peer `peer` churns, leaving first at `time`; the run schedules that first leave itself. */
  start(peer: number, time: number): void {
    if (time <= this.#drawnUntil)
      throw new SimulationInvariantError(
        `churn of peer ${peer} starts at ${time} ms, after the timeline was read`,
      )
    this.#queue.push(time, LEAVE, peer, 0)
  }

  /** The next toggle of the run, which must be `peer` at `time`: the run's and the timeline's order agree. */
  take(peer: number, time: number): ChurnToggle {
    this.#drawUntil(time)
    const t = this.#toggles[this.#head]
    if (t === undefined || t.peer !== peer || t.time !== time)
      throw new SimulationInvariantError(
        `churn timeline out of step: the run toggles peer ${peer} at ${time} ms`,
      )
    this.#head++
    if (this.#head > 4096 && this.#head * 2 > this.#toggles.length) {
      this.#toggles = this.#toggles.slice(this.#head)
      this.#head = 0
    }
    return t
  }

  /**
   * Who is online just before `time`: `online` (the run's state now) with the
   * toggles the run has not yet applied and that come before `time`.
   */
  onlineBefore(time: number, online: Uint8Array): Uint8Array {
    this.#drawUntil(time)
    const out = Uint8Array.from(online)
    for (let i = this.#head; i < this.#toggles.length; i++) {
      const t = this.#toggles[i] as ChurnToggle
      if (t.time >= time) break
      out[t.peer] = t.leave ? 0 : 1
    }
    return out
  }

  /** Draws every toggle up to `time`, exactly as the run's own events would, at least a second ahead. */
  #drawUntil(time: number): void {
    if (time <= this.#drawnUntil) return
    const until = time + 1000
    const q = this.#queue
    const e = this.#popped
    while (q.size > 0 && q.peekTime() <= until) {
      q.pop(e)
      // the run schedules `now + max(delay, 0)`: the same sum, so the same time to the bit
      const leave = e.kind === LEAVE
      const delay = leave
        ? this.#rng.exp(this.#params.offlineMeanMs)
        : sessionLength(this.#params.session, this.#rng)
      const next = e.time + Math.max(delay, 0)
      q.push(next, leave ? JOIN : LEAVE, e.a, 0)
      this.#toggles.push({ time: e.time, peer: e.a, leave, next })
    }
    this.#drawnUntil = until
  }
}
