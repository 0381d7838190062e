/**
 * Admission: a bounded number of running jobs and a bounded FIFO queue per
 * key (model name or `tensor`). Pure market logic with an injected clock and
 * timer, so the simulator runs the same code with virtual time.
 */
import { AbortedError, DeadlineExceededError, QueueFullError, UnknownModelError } from './errors.js'
import type { AdmissionLimits, AdmissionStats } from './types.js'

/** Releases a slot; calling it twice is harmless. */
export type Release = () => void

/**
 * A place held in a lane ({@link Admission.reserve}): it counts as queued
 * until the job it was taken for is enqueued with it (which cannot then fail
 * for a full queue) or it is released unused.
 */
export interface Reservation {
  readonly key: string
  /** Gives the place back if no job used it; harmless after the job was enqueued with it. */
  release(): void
}

export interface AdmitOptions {
  signal?: AbortSignal
  /** Unix ms (in the injected clock); a queued job past it is rejected. */
  deadline?: number
  /** A place reserved for this job in the same lane: the job takes it instead of checking for room. */
  reservation?: Reservation
}

export interface AdmissionInit {
  limits: Record<string, AdmissionLimits>
  now?: () => number
  /** Schedules a deadline check; default `setTimeout`. Return a cancel function. */
  schedule?: (callback: () => void, delayMs: number) => () => void
}

interface Waiter {
  deadline: number | undefined
  resolve: (release: Release) => void
  reject: (error: unknown) => void
  cleanup: () => void
}

interface Lane {
  limits: AdmissionLimits
  running: number
  queue: Waiter[]
  /** Places reserved for jobs not enqueued yet. */
  reserved: number
}

const defaultSchedule = (callback: () => void, delayMs: number): (() => void) => {
  const t = setTimeout(callback, delayMs)
  return () => clearTimeout(t)
}

export class Admission {
  private readonly lanes = new Map<string, Lane>()
  private readonly now: () => number
  private readonly schedule: (callback: () => void, delayMs: number) => () => void
  /** Reservations not used or released yet, and their lane. */
  private readonly held = new Map<Reservation, Lane>()

  constructor(init: AdmissionInit) {
    this.now = init.now ?? Date.now
    this.schedule = init.schedule ?? defaultSchedule
    for (const [key, limits] of Object.entries(init.limits)) this.configure(key, limits)
  }

  /** Adds or changes the limits of a key (running jobs are not affected). */
  configure(key: string, limits: AdmissionLimits): void {
    const clean = {
      maxConcurrency: Math.max(1, Math.floor(limits.maxConcurrency)),
      maxQueue: Math.max(0, Math.floor(limits.maxQueue)),
    }
    const lane = this.lanes.get(key)
    if (lane === undefined) this.lanes.set(key, { limits: clean, running: 0, queue: [], reserved: 0 })
    else {
      lane.limits = clean
      this.drain(lane)
    }
  }

  /**
   * Admits a job. Throws at once (synchronously) when the queue is full (never
   * for a job enqueued with its {@link Reservation}), the
   * key is unknown, the deadline already passed or the signal already fired;
   * otherwise returns a promise of the slot that rejects with `AbortedError`
   * or `DeadlineExceededError` if that happens while queued.
   */
  enqueue(key: string, options: AdmitOptions = {}): Promise<Release> {
    const lane = this.lane(key)
    const reserved = this.take(options.reservation, lane)
    if (options.signal?.aborted === true) throw new AbortedError('Job aborted before admission')
    const { deadline } = options
    if (deadline !== undefined && deadline <= this.now()) {
      throw new DeadlineExceededError('Job deadline already passed', {
        details: `deadline ${deadline}, now ${this.now()}`,
      })
    }
    // a job without a reservation finds room only beside the reserved places
    if (!reserved && this.full(lane)) throw this.queueFull(key, lane)
    if (this.free(lane)) return Promise.resolve(this.occupy(lane))
    return this.wait(lane, options)
  }

  /**
   * Admits a job only into a free running slot, never into the queue: its
   * release at once, synchronously, for a caller that would rather try
   * elsewhere than wait (and that needs no promise per job, as a simulator
   * running millions of them).
   * @throws {UnknownModelError | QueueFullError} QueueFullError when no slot is free right now
   */
  admitNow(key: string): Release {
    const lane = this.lane(key)
    if (!this.free(lane) || this.full(lane)) {
      throw new QueueFullError(`No free slot for ${key}`, {
        details: `${lane.running} running (max ${lane.limits.maxConcurrency}) and ${lane.queue.length} queued. Retry later, enqueue to wait, or pick another provider.`,
      })
    }
    return this.occupy(lane)
  }

  /**
   * Holds a place in `key`'s lane for a job about to be enqueued, so that a
   * job accepted now cannot find the queue full later. Throws at once when
   * the lane has no room (running, queued and reserved against its limits).
   * @throws {UnknownModelError | QueueFullError}
   */
  reserve(key: string): Reservation {
    const lane = this.lane(key)
    if (this.full(lane)) throw this.queueFull(key, lane)
    lane.reserved++
    const reservation: Reservation = {
      key,
      release: () => {
        if (this.held.delete(reservation)) lane.reserved--
      },
    }
    this.held.set(reservation, lane)
    return reservation
  }

  private lane(key: string): Lane {
    const lane = this.lanes.get(key)
    if (lane === undefined) {
      throw new UnknownModelError(`No admission lane for ${key}`, {
        details: `Configured: ${[...this.lanes.keys()].join(', ')}`,
      })
    }
    return lane
  }

  /** Uses up `reservation` when it holds a place in `lane`; whether it did. */
  private take(reservation: Reservation | undefined, lane: Lane): boolean {
    if (reservation === undefined || this.held.get(reservation) !== lane) return false
    this.held.delete(reservation)
    lane.reserved--
    return true
  }

  /** No room for one more job: running, queued and reserved fill the running slots and the queue. */
  private full(lane: Lane): boolean {
    return (
      lane.running + lane.queue.length + lane.reserved >= lane.limits.maxConcurrency + lane.limits.maxQueue
    )
  }

  /** A running slot is free and no queued job is ahead for it. */
  private free(lane: Lane): boolean {
    return lane.running < lane.limits.maxConcurrency && lane.queue.length === 0
  }

  private occupy(lane: Lane): Release {
    lane.running++
    return this.releaser(lane)
  }

  private queueFull(key: string, lane: Lane): QueueFullError {
    return new QueueFullError(`Queue full for ${key}`, {
      details: `${lane.running} running (max ${lane.limits.maxConcurrency}), ${lane.queue.length} queued and ${lane.reserved} reserved (max ${lane.limits.maxQueue} waiting). Retry later or pick another provider.`,
    })
  }

  /** Queues a job until a slot frees, its signal fires or its deadline passes. */
  private wait(lane: Lane, options: AdmitOptions): Promise<Release> {
    const { deadline } = options
    return new Promise<Release>((resolve, reject) => {
      const cancels: Array<() => void> = []
      const waiter: Waiter = {
        deadline,
        resolve,
        reject,
        cleanup: () => {
          for (const c of cancels) c()
        },
      }
      const drop = (error: unknown): void => {
        const i = lane.queue.indexOf(waiter)
        if (i < 0) return
        lane.queue.splice(i, 1)
        waiter.cleanup()
        reject(error)
      }
      if (options.signal !== undefined) {
        const signal = options.signal
        const onAbort = (): void => drop(new AbortedError('Job aborted while queued'))
        signal.addEventListener('abort', onAbort, { once: true })
        cancels.push(() => signal.removeEventListener('abort', onAbort))
      }
      if (deadline !== undefined) {
        cancels.push(
          this.schedule(
            () =>
              drop(
                new DeadlineExceededError('Job deadline passed while queued', {
                  details: `${lane.running} jobs were running ahead of it.`,
                }),
              ),
            Math.max(0, deadline - this.now()),
          ),
        )
      }
      lane.queue.push(waiter)
    })
  }

  /** Running and queued counts per key. */
  stats(): Record<string, AdmissionStats> {
    const out: Record<string, AdmissionStats> = {}
    for (const [key, lane] of this.lanes) {
      // a reserved place is a queued job that has not reached the queue yet
      out[key] = { running: lane.running, queued: lane.queue.length + lane.reserved, ...lane.limits }
    }
    return out
  }

  /** Rejects every queued job (e.g. on shutdown). */
  rejectAll(error: unknown): void {
    for (const lane of this.lanes.values()) {
      for (const w of lane.queue.splice(0)) {
        w.cleanup()
        w.reject(error)
      }
    }
  }

  private releaser(lane: Lane): Release {
    let released = false
    return () => {
      if (released) return
      released = true
      lane.running--
      this.drain(lane)
    }
  }

  private drain(lane: Lane): void {
    while (lane.running < lane.limits.maxConcurrency) {
      const next = lane.queue.shift()
      if (next === undefined) return
      next.cleanup()
      if (next.deadline !== undefined && next.deadline <= this.now()) {
        next.reject(new DeadlineExceededError('Job deadline passed while queued'))
        continue
      }
      lane.running++
      next.resolve(this.releaser(lane))
    }
  }
}
