/**
 * How long a client waits on a provider, from what the provider promised:
 * the job's default deadline, the time to the first token and the least
 * progress an attempt must keep up. Pure: times are passed in, so the same
 * code runs on the process's clock and on a fake one.
 */
import type { Offer } from '@cocoon-mesh/protocol'
import { ProviderTimeoutError } from './errors.js'

/** Tokens/s assumed of a provider whose offer promises nothing (`tokensPerSecond` 0). */
export const DEFAULT_PROMISED_TOKENS_PER_SECOND = 5
/** A provider counts as stalled when it delivers less than its promise divided by this. */
const RATE_HEADROOM = 10
/** Shortest wait for the first token, ms: covers the stream setup and a short prompt on a loaded machine. */
const FIRST_TOKEN_FLOOR_MS = 3_000
/** Prompt tokens are processed about this many times faster than completion tokens are generated. */
const PROMPT_SPEEDUP = 10
/** Least time a job queued ahead of this one is allowed, ms: covers its stream setup and result. */
const QUEUED_JOB_FLOOR_MS = 500
/** Shortest silence after the first token that abandons a provider, ms. */
const IDLE_FLOOR_MS = 3_000
/** Shortest window over which the delivered rate is measured, ms. */
const WINDOW_FLOOR_MS = 5_000
/** A window is long enough to expect at least this many tokens at the least acceptable rate. */
const WINDOW_TOKENS = 3
/** Shortest default deadline of a whole job, ms: room for failing over a few times. */
const DEADLINE_FLOOR_MS = 30_000
/** A default deadline allows this many times the promised generation time. */
const DEADLINE_HEADROOM = 4

/** The limits one attempt runs under; an attempt that breaks one fails with `ProviderTimeoutError`. */
export interface StallLimits {
  /** Longest wait from the JobRequest to the first token (LLM) or the first output frame (tensor), ms. */
  firstTokenMs: number
  /** Longest silence after the first token, ms. */
  idleMs: number
  /** Fewest tokens per second over any `windowMs` after the first token; 0 turns the check off. */
  minTokensPerSecond: number
  windowMs: number
  /** The rate the provider promised (or the default assumed), for error details. */
  promisedPerSecond: number
}

/** The offer's promised token rate, or the default when it promises none. */
export function promisedRate(offer: Pick<Offer, 'tokensPerSecond'>): number {
  return offer.tokensPerSecond > 0 ? offer.tokensPerSecond : DEFAULT_PROMISED_TOKENS_PER_SECOND
}

/**
 * The limits of an LLM attempt on `offer` for a prompt of about
 * `promptTokens`: the first token within a floor plus headroom over the
 * promised prompt time, then no silence longer than a few tokens' worth at a
 * tenth of the promised rate, and at least that rate over a window.
 */
export function llmStallLimits(
  offer: Pick<Offer, 'tokensPerSecond'>,
  promptTokens: number,
  overrides?: Partial<StallLimits>,
): StallLimits {
  const rate = promisedRate(offer)
  const promptMs = (DEADLINE_HEADROOM * 1000 * promptTokens) / (rate * PROMPT_SPEEDUP)
  const minTokensPerSecond = rate / RATE_HEADROOM
  const fewTokensMs = (1000 * WINDOW_TOKENS) / minTokensPerSecond
  const windowMs = Math.max(WINDOW_FLOOR_MS, fewTokensMs)
  return {
    firstTokenMs: Math.max(FIRST_TOKEN_FLOOR_MS, promptMs),
    idleMs: Math.max(IDLE_FLOOR_MS, fewTokensMs),
    minTokensPerSecond,
    windowMs,
    promisedPerSecond: rate,
    ...overrides,
  }
}

/** The limits of a tensor attempt: only silence, `idleMs` at any point. */
export function tensorStallLimits(idleMs: number): StallLimits {
  return { firstTokenMs: idleMs, idleMs, minTokensPerSecond: 0, windowMs: idleMs, promisedPerSecond: 0 }
}

/**
 * The deadline of an LLM job whose caller set none, Unix ms: a floor plus
 * headroom over the time the provider promised for the prompt and `maxTokens`.
 */
export function defaultLlmDeadline(
  offer: Pick<Offer, 'tokensPerSecond'>,
  job: { promptTokens: number; maxTokens: number },
  now: number,
): number {
  const rate = promisedRate(offer)
  const promisedMs = (1000 * (job.maxTokens + job.promptTokens / PROMPT_SPEEDUP)) / rate
  return now + DEADLINE_FLOOR_MS + DEADLINE_HEADROOM * promisedMs
}

/**
 * Watches one attempt's progress against its {@link StallLimits}: after each
 * frame, {@link stallAt} says when the attempt counts as stalled if nothing
 * more arrives.
 */
export class ProgressWatch {
  readonly #limits: StallLimits
  readonly #startedAt: number
  /** Time the provider's queue adds before the first token, ms (see {@link queuedBehind}). */
  #queueMs = 0
  #firstAt: number | undefined
  #lastAt: number
  /** Tokens received after the first one within the last window, oldest first. */
  #window: Array<{ at: number; tokens: number }> = []

  constructor(limits: StallLimits, startedAt: number) {
    this.#limits = limits
    this.#startedAt = startedAt
    this.#lastAt = startedAt
  }

  /**
   * The provider accepted with `queueDepth` jobs held (this one included),
   * each of at most `jobTokens` tokens: the first token may come that many
   * promised job times later. A provider claiming a deeper queue than it has
   * gains only a later failover, never past the job's deadline.
   */
  queuedBehind(queueDepth: number, jobTokens: number): void {
    const ahead = Math.max(0, queueDepth - 1)
    const jobMs = (DEADLINE_HEADROOM * 1000 * jobTokens) / Math.max(1, this.#limits.promisedPerSecond)
    this.#queueMs = ahead * Math.max(QUEUED_JOB_FLOOR_MS, jobMs)
  }

  /** A frame that is progress arrived at `at` carrying `tokens` tokens (0 for a tensor frame). */
  progress(at: number, tokens: number): void {
    this.#lastAt = at
    if (this.#firstAt === undefined) {
      this.#firstAt = at
      return
    }
    if (tokens > 0) this.#window.push({ at, tokens })
    while (this.#window.length > 0 && (this.#window[0]?.at ?? at) <= at - this.#limits.windowMs) {
      this.#window.shift()
    }
  }

  /** When the attempt is stalled if nothing more arrives, and the error it then fails with. */
  stallAt(): { at: number; error: () => ProviderTimeoutError } {
    const l = this.#limits
    if (this.#firstAt === undefined) {
      return {
        at: this.#startedAt + l.firstTokenMs + this.#queueMs,
        error: () =>
          new ProviderTimeoutError('provider sent no first token in time', {
            details: `nothing within ${Math.round(l.firstTokenMs + this.#queueMs)} ms of the request (the offer promises ${l.promisedPerSecond} tokens/s)`,
          }),
      }
    }
    const idleAt = this.#lastAt + l.idleMs
    const rateAt = this.#rateFailsAt(this.#firstAt)
    if (rateAt < idleAt) {
      return {
        at: rateAt,
        error: () =>
          new ProviderTimeoutError('provider delivers far below its promised rate', {
            details: `fewer than ${l.minTokensPerSecond} tokens/s over ${Math.round(l.windowMs)} ms (the offer promises ${l.promisedPerSecond} tokens/s)`,
          }),
      }
    }
    return {
      at: idleAt,
      error: () =>
        new ProviderTimeoutError('provider went silent', {
          details: `no frame for ${Math.round(l.idleMs)} ms`,
        }),
    }
  }

  /** The earliest time the tokens of the trailing window fall below the least rate, if no more arrive. */
  #rateFailsAt(firstAt: number): number {
    const l = this.#limits
    if (l.minTokensPerSecond <= 0) return Number.POSITIVE_INFINITY
    const needed = (l.minTokensPerSecond * l.windowMs) / 1000
    const earliest = Math.max(firstAt + l.windowMs, this.#lastAt)
    let inWindow = this.#window.reduce((n, e) => n + e.tokens, 0)
    if (inWindow < needed) return earliest
    for (const entry of this.#window) {
      inWindow -= entry.tokens
      if (inWindow < needed) return Math.max(earliest, entry.at + l.windowMs)
    }
    return earliest
  }
}
