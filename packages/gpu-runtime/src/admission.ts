/**
 * Admission: a bounded number of running jobs and a bounded FIFO queue per
 * key (model name or `tensor`). Pure market logic with an injected clock and
 * timer, so the simulator runs the same code with virtual time.
 */
import { AbortedError, DeadlineExceededError, QueueFullError, UnknownModelError } from './errors.js'
import type { AdmissionLimits, AdmissionStats } from './types.js'

/** Releases a slot; calling it twice is harmless. */
export type Release = () => void

export interface AdmitOptions {
  signal?: AbortSignal
  /** Unix ms (in the injected clock); a queued job past it is rejected. */
  deadline?: number
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
}

const defaultSchedule = (callback: () => void, delayMs: number): (() => void) => {
  const t = setTimeout(callback, delayMs)
  return () => clearTimeout(t)
}

export class Admission {
  private readonly lanes = new Map<string, Lane>()
  private readonly now: () => number
  private readonly schedule: (callback: () => void, delayMs: number) => () => void

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
    if (lane === undefined) this.lanes.set(key, { limits: clean, running: 0, queue: [] })
    else {
      lane.limits = clean
      this.drain(lane)
    }
  }

  /**
   * Admits a job. Throws at once (synchronously) when the queue is full, the
   * key is unknown, the deadline already passed or the signal already fired;
   * otherwise returns a promise of the slot that rejects with `AbortedError`
   * or `DeadlineExceededError` if that happens while queued.
   */
  enqueue(key: string, options: AdmitOptions = {}): Promise<Release> {
    const lane = this.lanes.get(key)
    if (lane === undefined) {
      throw new UnknownModelError(`No admission lane for ${key}`, {
        details: `Configured: ${[...this.lanes.keys()].join(', ')}`,
      })
    }
    if (options.signal?.aborted === true) throw new AbortedError('Job aborted before admission')
    const { deadline } = options
    if (deadline !== undefined && deadline <= this.now()) {
      throw new DeadlineExceededError('Job deadline already passed', {
        details: `deadline ${deadline}, now ${this.now()}`,
      })
    }
    if (lane.running < lane.limits.maxConcurrency && lane.queue.length === 0) {
      lane.running++
      return Promise.resolve(this.releaser(lane))
    }
    if (lane.queue.length >= lane.limits.maxQueue) {
      throw new QueueFullError(`Queue full for ${key}`, {
        details: `${lane.running} running (max ${lane.limits.maxConcurrency}) and ${lane.queue.length} queued (max ${lane.limits.maxQueue}). Retry later or pick another provider.`,
      })
    }
    return this.wait(lane, options)
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
      out[key] = { running: lane.running, queued: lane.queue.length, ...lane.limits }
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
