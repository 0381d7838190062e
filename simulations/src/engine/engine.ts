import { EventQueue, type PoppedEvent } from './event-queue.js'

/**
 * Dispatches one event. `kind` selects the handler (a small integer the model
 * defines), `a` and `b` are its integer arguments (peer index, job index...).
 * One dispatcher for the whole run, so hot paths allocate nothing per event.
 */
export type EventHandler = (kind: number, a: number, b: number) => void

/**
 * The discrete-event engine: a virtual clock in milliseconds and a queue of
 * events. Time only moves when an event is taken off the queue; it never goes
 * backwards, and events at equal times run in scheduling order.
 */
export class Engine {
  readonly queue: EventQueue
  #now = 0
  #processed = 0
  readonly #ev: PoppedEvent = { time: 0, kind: 0, a: 0, b: 0 }

  constructor(initialCapacity = 1024) {
    this.queue = new EventQueue(initialCapacity)
  }

  /** Virtual time in ms since the start of the run. */
  get now(): number {
    return this.#now
  }

  /** A clock function for code that takes an injected `now: () => number`. */
  readonly clock = (): number => this.#now

  get processed(): number {
    return this.#processed
  }

  /** Schedules `kind(a, b)` at `now + delay` (a negative delay counts as 0). */
  schedule(delay: number, kind: number, a = 0, b = 0): void {
    this.queue.push(this.#now + Math.max(delay, 0), kind, a, b)
  }

  /** Schedules at an absolute time; a time in the past runs now. */
  scheduleAt(time: number, kind: number, a = 0, b = 0): void {
    this.queue.push(Math.max(time, this.#now), kind, a, b)
  }

  /** Runs the earliest event if its time is <= `until`; false when there is none. */
  step(handler: EventHandler, until = Number.POSITIVE_INFINITY): boolean {
    const q = this.queue
    if (q.size === 0 || q.peekTime() > until) return false
    const ev = this.#ev
    q.pop(ev)
    this.#now = ev.time
    handler(ev.kind, ev.a, ev.b)
    this.#processed++
    return true
  }

  /**
   * Runs events with time <= `until` through `handler`. Returns the number of
   * events run. `onProgress` is called every `progressEvery` events.
   */
  run(
    handler: EventHandler,
    until = Number.POSITIVE_INFINITY,
    onProgress?: (now: number) => void,
    progressEvery = 65536,
  ): number {
    const q = this.queue
    const ev = this.#ev
    let n = 0
    while (q.size > 0 && q.peekTime() <= until) {
      q.pop(ev)
      this.#now = ev.time
      handler(ev.kind, ev.a, ev.b)
      n++
      if (onProgress !== undefined && n % progressEvery === 0) onProgress(this.#now)
    }
    if (until !== Number.POSITIVE_INFINITY && until > this.#now) this.#now = until
    this.#processed += n
    return n
  }
}
