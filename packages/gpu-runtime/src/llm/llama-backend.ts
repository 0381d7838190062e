import { errorMessage } from '@cocoon-mesh/protocol'
/**
 * The node-llama-cpp backend: GGUF models loaded lazily (once) and served
 * with exact token counts, a chat template for messages, greedy or seeded
 * sampling, and cancellation between tokens.
 */
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type { ChatHistoryItem, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp'
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
  TokenChunk,
  Usage,
} from '../types.js'
import { type LoadedLlamaModel, loadLlamaModel } from './llama-model.js'
import { validateGenerateRequest } from './request.js'
import {
  createGenerationStream,
  emptyUsage,
  type ProducerBackend,
  type StreamProducerContext,
} from './stream.js'

export interface LlamaBackendInit {
  models: Array<LlamaModelConfig & { kind: 'llama' }>
  hardware: HardwareInfo
  modelsDir?: string
  /** Bytes a model may use (default: free memory at load time). */
  memoryLimitBytes?: number
  now?: () => number
  /** Default `defaultLogger()` of @libp2p/logger. */
  logger?: ComponentLogger
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
  return new NodeLlamaBackend(init)
}

class NodeLlamaBackend implements LlamaBackend {
  readonly name = 'llama.cpp'
  private readonly configs: Map<string, LlamaModelConfig & { kind: 'llama' }>
  private readonly loaded = new Map<string, Promise<LoadedLlamaModel>>()
  private readonly ready = new Map<string, LoadedLlamaModel>()
  private readonly logger: ComponentLogger
  private readonly log: Logger
  private closed = false

  constructor(private readonly init: LlamaBackendInit) {
    this.configs = new Map(init.models.map((m) => [m.name, m]))
    this.logger = init.logger ?? defaultLogger()
    this.log = this.logger.forComponent('cocoon:gpu-runtime:llama')
  }

  models(): string[] {
    return [...this.configs.keys()]
  }

  backendOf(name: string): string | undefined {
    return this.ready.get(name)?.backend
  }

  load(name: string): Promise<LoadedLlamaModel> {
    if (this.closed) return Promise.reject(new RuntimeClosedError('The llama backend is closed'))
    const config = this.configs.get(name)
    if (config === undefined) {
      return Promise.reject(
        new UnknownModelError(`Unknown model ${name}`, {
          details: `Served models: ${this.models().join(', ')}`,
        }),
      )
    }
    let p = this.loaded.get(name)
    if (p === undefined) {
      this.log('loading %s from %s', name, config.source)
      p = loadLlamaModel({
        config,
        hardware: this.init.hardware,
        modelsDir: this.init.modelsDir,
        memoryLimitBytes: this.init.memoryLimitBytes,
        logger: this.logger,
      }).then((m) => {
        this.ready.set(name, m)
        this.log('loaded %s on %s with %d threads', name, m.backend, m.threads)
        return m
      })
      this.loaded.set(name, p)
      // A failed load is retried by the next job (the file may be fixed meanwhile).
      p.catch(() => this.loaded.delete(name))
    }
    return p
  }

  produce(request: GenerateRequest, ctx: StreamProducerContext): Promise<GenerationResult> {
    this.check(request)
    return this.run(request, ctx)
  }

  generate(request: GenerateRequest): GenerationStream {
    this.check(request)
    return createGenerationStream({
      signal: request.signal,
      deadline: request.deadline,
      now: this.init.now,
      produce: (ctx) => this.run(request, ctx),
    })
  }

  async close(): Promise<void> {
    this.closed = true
    const all = [...this.loaded.values()]
    this.loaded.clear()
    this.ready.clear()
    // A load that failed was reported to the jobs that waited for it; only loaded models are disposed.
    const settled = await Promise.allSettled(all)
    await Promise.all(
      settled.map(async (s) => {
        if (s.status === 'rejected') return
        try {
          await s.value.dispose()
        } catch (error) {
          this.log('disposing %s failed: %e', s.value.path, error)
        }
      }),
    )
  }

  private check(request: GenerateRequest): void {
    validateGenerateRequest(request)
    if (!this.configs.has(request.model)) {
      throw new UnknownModelError(`Unknown model ${request.model}`, {
        details: `This backend serves: ${this.models().join(', ')}`,
      })
    }
    if (this.closed) throw new RuntimeClosedError('The llama backend is closed')
  }

  private async run(request: GenerateRequest, ctx: StreamProducerContext): Promise<GenerationResult> {
    const m = await this.load(request.model)
    const inputTokens = tokenizeRequest(m, request)
    checkContextSize(m, request, inputTokens.length)
    const usage = { ...emptyUsage(), promptTokens: inputTokens.length }
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
      // acquire() rejects only when ctx.signal fires while it waits for a sequence.
      return stopped()
    }
    let finishReason: FinishReason | undefined
    try {
      finishReason = await evaluate(m, sequence, inputTokens, request, usage, ctx)
    } catch (error) {
      if (ctx.signal.aborted) return stopped()
      throw new GenerationError(`Generation failed on ${request.model}`, {
        details: errorMessage(error),
        cause: error,
      })
    } finally {
      m.release(sequence)
    }
    if (finishReason === undefined) return stopped()
    if (ctx.signal.aborted && usage.completionTokens < request.maxTokens && finishReason !== 'stop')
      return stopped()
    return { usage, finishReason, backend: m.backend }
  }
}

function checkContextSize(m: LoadedLlamaModel, request: GenerateRequest, promptTokens: number): void {
  const contextSize = m.context.contextSize
  if (promptTokens + request.maxTokens > contextSize) {
    throw new InvalidRequestError('Prompt and maxTokens exceed the context size', {
      details: `${promptTokens} prompt tokens + ${request.maxTokens} maxTokens > ${contextSize} context tokens of ${request.model}. Shorten the prompt or lower maxTokens.`,
    })
  }
}

/**
 * Evaluates the prompt on `sequence` and streams the completion into `ctx`,
 * counting tokens in `usage`. Returns the finish reason, or undefined when
 * ctx.signal fired between tokens.
 */
async function evaluate(
  m: LoadedLlamaModel,
  sequence: LlamaContextSequence,
  inputTokens: Token[],
  request: GenerateRequest,
  usage: Usage,
  ctx: StreamProducerContext,
): Promise<FinishReason | undefined> {
  await sequence.clearHistory()
  const temperature = request.temperature ?? 0
  const generator = sequence.evaluate(inputTokens, {
    temperature,
    seed: request.seed ?? (temperature > 0 ? Math.floor(Math.random() * 2 ** 31) : 0),
  })
  const text = new TokenText(m.model)
  let finishReason: FinishReason = 'length'
  for await (const token of generator) {
    if (ctx.signal.aborted) return undefined
    if (m.model.isEogToken(token)) {
      finishReason = 'stop'
      break
    }
    usage.completionTokens++
    const chunk = text.push(token)
    if (chunk !== undefined) ctx.emit(chunk)
    if (usage.completionTokens >= request.maxTokens) break
  }
  const rest = text.flush()
  if (rest !== undefined) ctx.emit(rest)
  return finishReason
}

/** Detokenizes a token stream into chunks, holding back a partial UTF-8 character until the next token completes it. */
class TokenText {
  private readonly pending: Token[] = []
  /** The last few emitted tokens, the context detokenize() needs to space the next ones right. */
  private readonly recent: Token[] = []

  constructor(private readonly model: LlamaModel) {}

  push(token: Token): TokenChunk | undefined {
    this.pending.push(token)
    const text = this.model.detokenize(this.pending, false, this.recent)
    if (text.endsWith('\uFFFD') && this.pending.length < 4) return undefined
    const chunk = { text, tokens: this.pending.length }
    this.recent.push(...this.pending)
    if (this.recent.length > 8) this.recent.splice(0, this.recent.length - 8)
    this.pending.length = 0
    return chunk
  }

  /** The tokens still held back, when the stream ends. */
  flush(): TokenChunk | undefined {
    if (this.pending.length === 0) return undefined
    return { text: this.model.detokenize(this.pending, false, this.recent), tokens: this.pending.length }
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
