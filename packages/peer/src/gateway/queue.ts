/**
 * The gateway's own bounded queue: at most `maxRunning` jobs in flight, at
 * most `maxWaiting` requests waiting for a slot, each for at most `maxWaitMs`.
 * A request that finds the queue full gets a {@link GatewayQueueFullError}
 * (429); one that waited too long a {@link ProvidersBusyError} (503). A job
 * whose providers were all busy waits here for the next job to end before it
 * tries again ({@link GatewayQueue.nextRelease}). Injected clock and timers.
 */
import { AbortedError, systemTimers, type Timers } from '@cocoon-mesh/protocol'
import { GatewayQueueFullError, ProvidersBusyError } from './errors.js'

export interface GatewayQueueOptions {
  /** Jobs in flight at once. Default 64. */
  maxRunning?: number
  /** Requests waiting for a slot or for a provider. Default 256. */
  maxWaiting?: number
  /** Longest a request waits, ms. Default 30 000. */
  maxWaitMs?: number
  /** `Retry-After` of a 429 or 503, ms. Default 1000. */
  retryAfterMs?: number
  now?: () => number
  timers?: Timers
}

/** Frees a slot; calling it twice is harmless. */
export type Release = () => void

interface Waiter {
  wake: () => void
}

export class GatewayQueue {
  readonly #maxRunning: number
  readonly #maxWaiting: number
  readonly #maxWaitMs: number
  readonly #retryAfterMs: number
  readonly #now: () => number
  readonly #timers: Timers
  #running = 0
  /** Requests waiting for a slot, first come first served. */
  readonly #slotWaiters: Waiter[] = []
  /** Requests whose providers were all busy, waiting for a job to end, first come first served. */
  readonly #releaseWaiters: Waiter[] = []

  constructor(options: GatewayQueueOptions = {}) {
    this.#maxRunning = options.maxRunning ?? 64
    this.#maxWaiting = options.maxWaiting ?? 256
    this.#maxWaitMs = options.maxWaitMs ?? 30_000
    this.#retryAfterMs = options.retryAfterMs ?? 1000
    this.#now = options.now ?? Date.now
    this.#timers = options.timers ?? systemTimers
  }

  get running(): number {
    return this.#running
  }

  get waiting(): number {
    return this.#slotWaiters.length + this.#releaseWaiters.length
  }

  /** The deadline of a request arriving now. */
  deadline(): number {
    return this.#now() + this.#maxWaitMs
  }

  /**
   * A slot for one job, waiting until `deadline` at most.
   * @throws {GatewayQueueFullError | ProvidersBusyError | AbortedError}
   */
  async acquire(deadline: number, signal?: AbortSignal): Promise<Release> {
    if (this.#running < this.#maxRunning && this.#slotWaiters.length === 0) {
      this.#running++
      return this.#releaser()
    }
    this.#checkRoom()
    // a release hands its slot straight to the first waiter
    await this.#wait(this.#slotWaiters, deadline, signal, 'for a free slot')
    return this.#releaser()
  }

  /**
   * Waits for a job to end (a provider may have room again), until `deadline`;
   * each job that ends wakes one such waiter.
   * @throws {GatewayQueueFullError | ProvidersBusyError | AbortedError}
   */
  async nextRelease(deadline: number, signal?: AbortSignal): Promise<void> {
    this.#checkRoom()
    await this.#wait(this.#releaseWaiters, deadline, signal, 'for a provider with room')
  }

  #checkRoom(): void {
    if (this.waiting >= this.#maxWaiting) {
      throw new GatewayQueueFullError('the gateway queue is full', this.#retryAfterMs, {
        details: `${this.#running} jobs running and ${this.waiting} requests waiting (at most ${this.#maxWaiting}); retry after ${this.#retryAfterMs} ms`,
      })
    }
  }

  #releaser(): Release {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.#slotWaiters[0]
      if (next === undefined) this.#running--
      else next.wake()
      this.#releaseWaiters[0]?.wake()
    }
  }

  #wait(waiters: Waiter[], deadline: number, signal: AbortSignal | undefined, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const remove = (): void => {
        const i = waiters.indexOf(waiter)
        if (i >= 0) waiters.splice(i, 1)
        cancel()
        signal?.removeEventListener('abort', onAbort)
      }
      const waiter: Waiter = {
        wake: () => {
          remove()
          resolve()
        },
      }
      const onAbort = (): void => {
        remove()
        reject(new AbortedError('request aborted while waiting in the gateway queue'))
      }
      const cancel = this.#timers.schedule(
        () => {
          remove()
          reject(
            new ProvidersBusyError('every provider is busy', this.#retryAfterMs, {
              details: `waited ${this.#maxWaitMs} ms ${what}; retry after ${this.#retryAfterMs} ms`,
            }),
          )
        },
        Math.max(0, deadline - this.#now()),
      )
      if (signal?.aborted === true) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
      waiters.push(waiter)
    })
  }
}
