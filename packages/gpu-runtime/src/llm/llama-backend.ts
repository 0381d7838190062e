/**
 * The node-llama-cpp backend: GGUF models loaded lazily (once) and served
 * with exact token counts, a chat template for messages, greedy or seeded
 * sampling, and cancellation between tokens.
 */
import { logger } from '@libp2p/logger'
import type { ChatHistoryItem, LlamaContextSequence, Token } from 'node-llama-cpp'
import {
  GenerationError,
  InvalidRequestError,
  type ModelCorruptError,
  type ModelLoadError,
  type ModelNotFoundError,
  type ModelTooLargeError,
  RuntimeClosedError,
  UnknownModelError,
} from '../errors.js'
import type {
  FinishReason,
  GenerateRequest,
  GenerationResult,
  GenerationStream,
  HardwareInfo,
  LlamaModelConfig,
  LlmBackend,
} from '../types.js'
import { type LoadedLlamaModel, loadLlamaModel } from './llama-model.js'
import { validateGenerateRequest } from './request.js'
import { createGenerationStream, type ProducerBackend, type StreamProducerContext } from './stream.js'

const log = logger('cocoon:gpu-runtime:llama')

export interface LlamaBackendInit {
  models: Array<LlamaModelConfig & { kind: 'llama' }>
  hardware: HardwareInfo
  modelsDir?: string
  /** Bytes a model may use (default: free memory at load time). */
  memoryLimitBytes?: number
  now?: () => number
}

/** What {@link LlamaBackend.load} rejects with. */
export type LlamaBackendLoadErrorType =
  | RuntimeClosedError
  | UnknownModelError
  | ModelNotFoundError
  | ModelCorruptError
  | ModelTooLargeError
  | ModelLoadError

export interface LlamaBackend extends LlmBackend, ProducerBackend {
  /**
   * Loads a model now instead of on its first job; rejects with the typed load error.
   * @throws {LlamaBackendLoadErrorType}
   */
  load(model: string): Promise<LoadedLlamaModel>
  /** `llama.cpp/cpu` etc. once loaded. */
  backendOf(model: string): string | undefined
}

/**
 * The backend of `kind: 'llama'` models. `generate()` throws
 * {@link LlmBackendGenerateErrorType}; the stream rejects with the load errors
 * of {@link LlamaBackendLoadErrorType} or `GenerationError`
 * ({@link GenerationStreamErrorType}).
 */
export function createLlamaBackend(init: LlamaBackendInit): LlamaBackend {
  const configs = new Map(init.models.map((m) => [m.name, m]))
  const loaded = new Map<string, Promise<LoadedLlamaModel>>()
  const ready = new Map<string, LoadedLlamaModel>()
  let closed = false

  const load = (name: string): Promise<LoadedLlamaModel> => {
    if (closed) return Promise.reject(new RuntimeClosedError('The llama backend is closed'))
    const config = configs.get(name)
    if (config === undefined) {
      return Promise.reject(
        new UnknownModelError(`Unknown model ${name}`, {
          details: `Served models: ${[...configs.keys()].join(', ')}`,
        }),
      )
    }
    let p = loaded.get(name)
    if (p === undefined) {
      log('loading %s from %s', name, config.source)
      p = loadLlamaModel({
        config,
        hardware: init.hardware,
        modelsDir: init.modelsDir,
        memoryLimitBytes: init.memoryLimitBytes,
      }).then((m) => {
        ready.set(name, m)
        log('loaded %s on %s with %d threads', name, m.backend, m.threads)
        return m
      })
      loaded.set(name, p)
      // A failed load is retried by the next job (the file may be fixed meanwhile).
      p.catch(() => loaded.delete(name))
    }
    return p
  }

  const run = async (request: GenerateRequest, ctx: StreamProducerContext): Promise<GenerationResult> => {
    const m = await load(request.model)
    const model = m.model
    const inputTokens = tokenizeRequest(m, request)
    const usage = {
      promptTokens: inputTokens.length,
      cachedTokens: 0,
      completionTokens: 0,
      reasoningTokens: 0,
    }
    const contextSize = m.context.contextSize
    if (inputTokens.length + request.maxTokens > contextSize) {
      throw new InvalidRequestError('Prompt and maxTokens exceed the context size', {
        details: `${inputTokens.length} prompt tokens + ${request.maxTokens} maxTokens > ${contextSize} context tokens of ${request.model}. Shorten the prompt or lower maxTokens.`,
      })
    }
    const stopped = (): GenerationResult => ({
      usage,
      finishReason: ctx.stopReason() ?? 'abort',
      backend: m.backend,
    })
    if (ctx.signal.aborted) return stopped()
    let sequence: LlamaContextSequence
    try {
      sequence = await m.acquire(ctx.signal)
    } catch {
      return stopped()
    }
    let finishReason: FinishReason = 'length'
    try {
      await sequence.clearHistory()
      const temperature = request.temperature ?? 0
      const generator = sequence.evaluate(inputTokens, {
        temperature,
        seed: request.seed ?? (temperature > 0 ? Math.floor(Math.random() * 2 ** 31) : 0),
      })
      const pending: Token[] = []
      const recent: Token[] = []
      for await (const token of generator) {
        if (ctx.signal.aborted) return stopped()
        if (model.isEogToken(token)) {
          finishReason = 'stop'
          break
        }
        usage.completionTokens++
        pending.push(token)
        const text = model.detokenize(pending, false, recent)
        // Hold back a partial UTF-8 character until the next token completes it.
        if (!text.endsWith('\uFFFD') || pending.length >= 4) {
          ctx.emit({ text, tokens: pending.length })
          recent.push(...pending)
          if (recent.length > 8) recent.splice(0, recent.length - 8)
          pending.length = 0
        }
        if (usage.completionTokens >= request.maxTokens) break
      }
      if (pending.length > 0)
        ctx.emit({ text: model.detokenize(pending, false, recent), tokens: pending.length })
    } catch (error) {
      if (ctx.signal.aborted) return stopped()
      throw new GenerationError(`Generation failed on ${request.model}`, {
        details: (error as Error).message,
        cause: error,
      })
    } finally {
      m.release(sequence)
    }
    if (ctx.signal.aborted && usage.completionTokens < request.maxTokens && finishReason !== 'stop')
      return stopped()
    return { usage, finishReason, backend: m.backend }
  }

  const check = (request: GenerateRequest): void => {
    validateGenerateRequest(request)
    if (!configs.has(request.model)) {
      throw new UnknownModelError(`Unknown model ${request.model}`, {
        details: `This backend serves: ${[...configs.keys()].join(', ')}`,
      })
    }
    if (closed) throw new RuntimeClosedError('The llama backend is closed')
  }

  return {
    name: 'llama.cpp',
    models: () => [...configs.keys()],
    load,
    backendOf: (name) => ready.get(name)?.backend,
    produce(request, ctx) {
      check(request)
      return run(request, ctx)
    },
    generate(request: GenerateRequest): GenerationStream {
      check(request)
      return createGenerationStream({
        signal: request.signal,
        deadline: request.deadline,
        now: init.now,
        produce: (ctx) => run(request, ctx),
      })
    },
    async close() {
      closed = true
      const all = [...loaded.values()]
      loaded.clear()
      ready.clear()
      await Promise.all(all.map((p) => p.then((m) => m.dispose()).catch(() => {})))
    },
  }
}

function tokenizeRequest(m: LoadedLlamaModel, request: GenerateRequest): Token[] {
  const { model } = m
  const continuation = request.continuation ?? ''
  if (request.messages !== undefined) {
    const history: ChatHistoryItem[] = []
    for (const message of request.messages) {
      if (message.role === 'system') history.push({ type: 'system', text: message.content })
      else if (message.role === 'assistant') history.push({ type: 'model', response: [message.content] })
      else history.push({ type: 'user', text: message.content })
    }
    history.push({ type: 'model', response: continuation === '' ? [] : [continuation] })
    const wrapper = m.chatWrapper
    const { contextText } = wrapper.generateContextState({ chatHistory: history })
    return contextText.tokenize(model.tokenizer)
  }
  const text = `${request.prompt ?? ''}${continuation}`
  const tokens = model.tokenize(text, false)
  const bos = model.tokens.bos
  return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...tokens] : tokens
}
