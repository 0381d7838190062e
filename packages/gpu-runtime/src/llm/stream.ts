/**
 * The `GenerationStream` every LLM backend returns: production starts at
 * once, chunks are buffered for a single consumer, and breaking out of the
 * loop cancels the producer.
 */
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
  const now = options.now ?? Date.now
  const controller = new AbortController()
  let reason: 'abort' | 'deadline' | undefined
  const stop = (why: 'abort' | 'deadline'): void => {
    if (reason !== undefined) return
    reason = why
    controller.abort(
      why === 'deadline' ? new DeadlineExceededError('Job deadline passed') : new AbortedError('Job aborted'),
    )
  }
  const onAbort = (): void => stop('abort')
  options.signal?.addEventListener('abort', onAbort, { once: true })
  if (options.signal?.aborted === true) stop('abort')
  let timer: ReturnType<typeof setTimeout> | undefined
  if (options.deadline !== undefined) {
    const left = options.deadline - now()
    if (left <= 0) stop('deadline')
    else timer = setTimeout(() => stop('deadline'), left)
  }

  const queue: Slot[] = []
  let wake: (() => void) | undefined
  const push = (slot: Slot): void => {
    queue.push(slot)
    wake?.()
    wake = undefined
  }

  const result = options
    .produce({
      emit: (chunk) => {
        if (controller.signal.aborted) return
        push({ chunk })
      },
      signal: controller.signal,
      stopReason: () => reason,
    })
    .finally(() => {
      if (timer !== undefined) clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    })
  result.then(
    (r) => {
      if (r.finishReason === 'abort')
        push({ error: new AbortedError('Job aborted', { details: abortDetails(r.usage) }) })
      else if (r.finishReason === 'deadline')
        push({ error: new DeadlineExceededError('Job deadline passed', { details: abortDetails(r.usage) }) })
      else push({ done: true })
    },
    (error: unknown) => push({ error }),
  )
  // Nobody has to await these: never an unhandled rejection.
  result.catch(() => {})
  const usage: Promise<Usage> = result.then((r) => r.usage)
  usage.catch(() => {})
  const finishReason: Promise<FinishReason> = result.then((r) => r.finishReason)
  finishReason.catch(() => {})

  let iterated = false
  return {
    result,
    usage,
    finishReason,
    [Symbol.asyncIterator](): AsyncIterator<TokenChunk> {
      if (iterated) throw new TypeError('A GenerationStream can be iterated only once')
      iterated = true
      let finished = false
      return {
        async next(): Promise<IteratorResult<TokenChunk>> {
          while (true) {
            if (finished) return { done: true, value: undefined }
            const slot = queue.shift()
            if (slot === undefined) {
              await new Promise<void>((resolve) => {
                wake = resolve
              })
              continue
            }
            if ('chunk' in slot) return { done: false, value: slot.chunk }
            finished = true
            if ('error' in slot) throw slot.error
            return { done: true, value: undefined }
          }
        },
        async return(): Promise<IteratorResult<TokenChunk>> {
          if (!finished) {
            finished = true
            stop('abort')
          }
          return { done: true, value: undefined }
        },
      }
    },
  }
}

function abortDetails(usage: Usage): string {
  return `Generation stopped after ${usage.completionTokens} completion tokens (${usage.promptTokens} prompt tokens); usage covers only the tokens produced.`
}

/** Usage with every count zero. */
export function emptyUsage(): Usage {
  return { promptTokens: 0, cachedTokens: 0, completionTokens: 0, reasoningTokens: 0 }
}
