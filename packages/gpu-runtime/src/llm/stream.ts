/**
 * The `GenerationStream` every LLM backend returns: production starts at
 * once, chunks are buffered for a single consumer, and breaking out of the
 * loop cancels the producer.
 */
import { markHandled } from '@cocoon-mesh/protocol'
import { AbortedError, DeadlineExceededError } from '../errors.js'
import type {
  FinishReason,
  GenerateRequest,
  GenerationResult,
  GenerationStream,
  TokenChunk,
  Usage,
} from '../types.js'

export interface StreamProducerContext {
  /** Hands one chunk to the consumer. */
  emit(chunk: TokenChunk): void
  /** Fires when the caller's signal aborts, the deadline passes or the consumer stops reading. */
  signal: AbortSignal
  /** Why `signal` fired: `abort` or `deadline` (undefined while it has not). */
  stopReason(): 'abort' | 'deadline' | undefined
}

export interface CreateGenerationStreamOptions {
  signal?: AbortSignal
  deadline?: number
  now?: () => number
  /**
   * Runs the generation. Resolves with the result however it ends (use
   * `stopReason()` for the finish reason after `signal` fired); rejects only
   * on failure, with a typed error.
   */
  produce(context: StreamProducerContext): Promise<GenerationResult>
}

/**
 * Implemented by the built-in LLM backends: generation straight into a
 * stream's producer context, so the runtime adds no second stream layer.
 */
export interface ProducerBackend {
  /** Validates like `generate()` (throwing synchronously), then returns the running production. */
  produce(request: GenerateRequest, context: StreamProducerContext): Promise<GenerationResult>
}

export function isProducerBackend(backend: unknown): backend is ProducerBackend {
  return typeof (backend as Partial<ProducerBackend>)?.produce === 'function'
}

type Slot = { chunk: TokenChunk } | { done: true } | { error: unknown }

export function createGenerationStream(options: CreateGenerationStreamOptions): GenerationStream {
  const stop = new StreamStop(options)
  const chunks = new ChunkQueue()
  const result = options
    .produce({
      emit: (chunk) => {
        if (!stop.signal.aborted) chunks.push({ chunk })
      },
      signal: stop.signal,
      stopReason: () => stop.reason,
    })
    .finally(() => stop.dispose())
  result.then(
    (r) => chunks.push(endSlot(r)),
    (error: unknown) => chunks.push({ error }),
  )
  const usage: Promise<Usage> = result.then((r) => r.usage)
  const finishReason: Promise<FinishReason> = result.then((r) => r.finishReason)
  // The iterator throws the same failure; callers may await these later or never.
  markHandled(result)
  markHandled(usage)
  markHandled(finishReason)

  let iterated = false
  return {
    result,
    usage,
    finishReason,
    [Symbol.asyncIterator](): AsyncIterator<TokenChunk> {
      if (iterated) throw new TypeError('A GenerationStream can be iterated only once')
      iterated = true
      return chunks.iterate(() => stop.stop('abort'))
    },
  }
}

/**
 * The producer's stop signal: fires once, on the caller's abort, at the
 * deadline or when the consumer stops reading, and remembers which.
 */
class StreamStop {
  private readonly controller = new AbortController()
  private why: 'abort' | 'deadline' | undefined
  private readonly timer: ReturnType<typeof setTimeout> | undefined
  private readonly onAbort = (): void => this.stop('abort')

  constructor(private readonly options: Pick<CreateGenerationStreamOptions, 'signal' | 'deadline' | 'now'>) {
    options.signal?.addEventListener('abort', this.onAbort, { once: true })
    if (options.signal?.aborted === true) this.stop('abort')
    if (options.deadline !== undefined) {
      const left = options.deadline - (options.now ?? Date.now)()
      if (left <= 0) this.stop('deadline')
      else this.timer = setTimeout(() => this.stop('deadline'), left)
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  get reason(): 'abort' | 'deadline' | undefined {
    return this.why
  }

  stop(why: 'abort' | 'deadline'): void {
    if (this.why !== undefined) return
    this.why = why
    this.controller.abort(
      why === 'deadline' ? new DeadlineExceededError('Job deadline passed') : new AbortedError('Job aborted'),
    )
  }

  /** Drops the deadline timer and the caller's signal listener once production ended. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.options.signal?.removeEventListener('abort', this.onAbort)
  }
}

/** Chunks buffered between the producer and the one consumer, then how the stream ended. */
class ChunkQueue {
  private readonly slots: Slot[] = []
  private wake: (() => void) | undefined

  push(slot: Slot): void {
    this.slots.push(slot)
    this.wake?.()
    this.wake = undefined
  }

  /** The consumer's iterator; `onReturn` runs when it stops reading before the end. */
  iterate(onReturn: () => void): AsyncIterator<TokenChunk> {
    let finished = false
    return {
      next: async (): Promise<IteratorResult<TokenChunk>> => {
        while (true) {
          if (finished) return { done: true, value: undefined }
          const slot = this.slots.shift()
          if (slot === undefined) {
            await new Promise<void>((resolve) => {
              this.wake = resolve
            })
            continue
          }
          if ('chunk' in slot) return { done: false, value: slot.chunk }
          finished = true
          if ('error' in slot) throw slot.error
          return { done: true, value: undefined }
        }
      },
      return: async (): Promise<IteratorResult<TokenChunk>> => {
        if (!finished) {
          finished = true
          onReturn()
        }
        return { done: true, value: undefined }
      },
    }
  }
}

/** The last slot of a finished production: a stop ends the iterator with the typed error. */
function endSlot(r: GenerationResult): Slot {
  if (r.finishReason === 'abort')
    return { error: new AbortedError('Job aborted', { details: abortDetails(r.usage) }) }
  if (r.finishReason === 'deadline')
    return { error: new DeadlineExceededError('Job deadline passed', { details: abortDetails(r.usage) }) }
  return { done: true }
}

function abortDetails(usage: Usage): string {
  return `Generation stopped after ${usage.completionTokens} completion tokens (${usage.promptTokens} prompt tokens); usage covers only the tokens produced.`
}

/** Usage with every count zero. */
export function emptyUsage(): Usage {
  return { promptTokens: 0, cachedTokens: 0, completionTokens: 0, reasoningTokens: 0 }
}
