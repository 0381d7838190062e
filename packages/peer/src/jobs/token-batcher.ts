/**
 * Coalesces an LLM job's token chunks into TokenChunk frames. The first
 * chunk goes out at once; chunks produced within `flushIntervalMs` of the
 * last frame wait and leave together. A GPU producing 30-100 tokens/s sends
 * one frame per token as before; a fast producer (thousands of tokens/s)
 * sends a frame every few ms instead of one per token, so the per-frame
 * work on both sides (encode, noise, yamux, decode, payment reserve) stops
 * competing with generation for the CPU. A batch never holds more than
 * `maxBatchTokens`, so a paid job's frame never costs more than the
 * provider's credit window (the client pays only for what it received).
 */

import { TokenBatcherCancelledError } from '@cocoon-mesh/client/internal'
import type { TokenChunk } from '@cocoon-mesh/gpu-runtime'
import { systemTimers, type Timers } from '@cocoon-mesh/protocol'

export interface TokenBatch {
  text: string
  tokens: number
}

export interface TokenBatcherInit {
  /** Sends one batch (reserving its cost first); batches are sent one at a time, in order. */
  send(batch: TokenBatch): Promise<void>
  /** Longest a produced token waits for company, ms. 0 sends each chunk as soon as the previous send finished. */
  flushIntervalMs: number
  /** Tokens buffered before `push` waits for the sender (bounds memory when the client reads slowly). */
  maxPendingTokens?: number
  /**
   * Most tokens in one batch, asked before each send (a produced chunk is
   * never split, so a batch holds at least one).
   */
  maxBatchTokens?: number | (() => number)
  /** Monotonic ms the flush interval is measured with. Default `performance.now`. */
  now?: () => number
  /** Where the flush is scheduled; fake ones go with a fake `now`. Default the process's timers. */
  timers?: Timers
}

export class TokenBatcher {
  readonly #init: Required<Omit<TokenBatcherInit, 'maxBatchTokens'>> & {
    maxBatchTokens: () => number
  }
  #pending: TokenChunk[] = []
  #pendingTokens = 0
  #lastSent = Number.NEGATIVE_INFINITY
  #running: Promise<void> | undefined
  #cancelFlush: (() => void) | undefined
  #failure: { error: unknown } | undefined
  #closed = false
  #roomWaiters: Array<() => void> = []

  constructor(init: TokenBatcherInit) {
    const max = init.maxBatchTokens ?? Number.POSITIVE_INFINITY
    this.#init = {
      maxPendingTokens: 256,
      now: performance.now.bind(performance),
      timers: systemTimers,
      ...init,
      maxBatchTokens: typeof max === 'number' ? () => max : max,
    }
  }

  /** Queues a chunk; waits only when `maxPendingTokens` are already queued. Rethrows a failed send. */
  async push(chunk: TokenChunk): Promise<void> {
    this.#throwIfFailed()
    this.#pending.push(chunk)
    this.#pendingTokens += chunk.tokens
    this.#schedule()
    while (this.#pendingTokens >= this.#init.maxPendingTokens && this.#failure === undefined) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve))
    }
    this.#throwIfFailed()
  }

  /** Sends whatever is queued and waits for every send; rethrows a failed send. */
  async close(): Promise<void> {
    this.#closed = true
    this.#cancelFlush?.()
    this.#cancelFlush = undefined
    this.#schedule()
    while (this.#running !== undefined) await this.#running
    this.#throwIfFailed()
  }

  /** Drops what is queued and sends nothing more (the job ended some other way). */
  cancel(): void {
    this.#closed = true
    this.#cancelFlush?.()
    this.#cancelFlush = undefined
    this.#pending = []
    this.#pendingTokens = 0
    this.#failure ??= { error: new TokenBatcherCancelledError('token batcher cancelled') }
    this.#wakeProducers()
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure.error
  }

  #schedule(): void {
    if (this.#running !== undefined || this.#pending.length === 0 || this.#failure !== undefined) return
    const wait = this.#closed ? 0 : this.#lastSent + this.#init.flushIntervalMs - this.#init.now()
    if (wait > 0) {
      this.#cancelFlush ??= this.#init.timers.schedule(() => {
        this.#cancelFlush = undefined
        this.#schedule()
      }, wait)
      return
    }
    const batch = this.#take()
    this.#lastSent = this.#init.now()
    this.#wakeProducers()
    this.#running = this.#init.send(batch).then(
      () => {
        this.#running = undefined
        this.#schedule()
      },
      (error: unknown) => {
        this.#running = undefined
        this.#failure = { error }
        this.#wakeProducers()
      },
    )
  }

  /** The oldest queued chunks, up to `maxBatchTokens` (at least one chunk). */
  #take(): TokenBatch {
    const max = this.#init.maxBatchTokens()
    let count = 0
    let tokens = 0
    for (const chunk of this.#pending) {
      if (count > 0 && tokens + chunk.tokens > max) break
      tokens += chunk.tokens
      count++
    }
    const taken = this.#pending.splice(0, count)
    this.#pendingTokens -= tokens
    return { text: taken.map((c) => c.text).join(''), tokens }
  }

  #wakeProducers(): void {
    const waiters = this.#roomWaiters
    this.#roomWaiters = []
    for (const wake of waiters) wake()
  }
}
