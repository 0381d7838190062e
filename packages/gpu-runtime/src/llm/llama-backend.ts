import type { FeatureName } from '@cocoon-mesh/protocol'
import { errorMessage } from '@cocoon-mesh/protocol'
/**
 * The node-llama-cpp backend: GGUF models loaded lazily (once) and served
 * with exact token counts, a chat template for messages, greedy or seeded
 * sampling, and cancellation between tokens.
 */
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type {
  ChatHistoryItem,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaGrammar,
  LlamaModel,
  SequenceEvaluateOptions,
  Token,
} from 'node-llama-cpp'
import {
  AbortedError,
  ContextLengthExceededError,
  DeadlineExceededError,
  GenerationError,
  type ModelCorruptError,
  type ModelLoadError,
  type ModelNotFoundError,
  type ModelTooLargeError,
  RuntimeClosedError,
  UnknownModelError,
} from '../errors.js'
import type {
  ChatMessage,
  EmbedRequest,
  EmbedResult,
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
import { validateEmbedRequest } from './embed-request.js'
import { checkGrammarSchema } from './json-schema-subset.js'
import {
  JSON_SUFFIX,
  type LlamaConstraint,
  llamaConstraint,
  parseToolCall,
  toolCallText,
  toolResultText,
  toolsPrompt,
} from './llama-grammar.js'
import { type LoadedLlamaModel, loadLlamaModel } from './llama-model.js'
import { checkFeatures, usesTools, validateGenerateRequest } from './request.js'
import { StoppingEmitter } from './stop.js'
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

/** What node-llama-cpp honours: every feature, through its sampler and grammars. */
export const LLAMA_FEATURES: readonly FeatureName[] = [
  'stop',
  'top_p',
  'penalties',
  'json_object',
  'json_schema',
  'grammar',
  'tools',
]

/** Generated tokens the presence and frequency penalties look back over. */
const PENALTY_WINDOW = 64

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
  private readonly embedders = new Map<string, Promise<LlamaEmbeddingContext>>()
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

  features(model: string): FeatureName[] {
    return this.configs.has(model) ? [...LLAMA_FEATURES] : []
  }

  canEmbed(model: string): boolean {
    return this.configs.has(model)
  }

  contextSize(model: string): number | undefined {
    return this.ready.get(model)?.context.contextSize
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    validateEmbedRequest(request)
    this.checkModel(request.model)
    const m = await this.load(request.model)
    const embedder = await this.embedder(request.model, m)
    const embeddings: Float32Array[] = []
    let promptTokens = 0
    for (const input of request.inputs) {
      throwIfStopped(request, this.init.now ?? Date.now)
      promptTokens += m.model.tokenize(input, false).length
      try {
        embeddings.push(Float32Array.from((await embedder.getEmbeddingFor(input)).vector))
      } catch (error) {
        throw new GenerationError(`Embedding failed on ${request.model}`, {
          details: errorMessage(error),
          cause: error,
        })
      }
    }
    return { embeddings, usage: { ...emptyUsage(), promptTokens }, backend: m.backend }
  }

  /** One embedding context per model, made on its first embedding job. */
  private embedder(name: string, m: LoadedLlamaModel): Promise<LlamaEmbeddingContext> {
    let p = this.embedders.get(name)
    if (p === undefined) {
      p = m.model
        .createEmbeddingContext({ contextSize: m.context.contextSize, threads: m.threads })
        .catch((error: unknown) => {
          this.embedders.delete(name)
          throw new GenerationError(`Could not create an embedding context for ${name}`, {
            details: errorMessage(error),
            cause: error,
          })
        })
      this.embedders.set(name, p)
    }
    return p
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
    const embedders = [...this.embedders.values()]
    this.embedders.clear()
    for (const s of await Promise.allSettled(embedders)) {
      if (s.status === 'fulfilled') await s.value.dispose()
    }
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
    this.checkModel(request.model)
    checkFeatures(request, LLAMA_FEATURES, this.name)
    // refused before the job is accepted: a schema keyword the grammar would silently ignore
    const format = request.responseFormat
    if (format?.type === 'json_schema') checkGrammarSchema('responseFormat.schema', format.schema)
    if (usesTools(request))
      for (const tool of request.tools ?? [])
        checkGrammarSchema(`tools.${tool.name}.parameters`, tool.parameters ?? {})
  }

  private checkModel(model: string): void {
    if (!this.configs.has(model)) {
      throw new UnknownModelError(`Unknown model ${model}`, {
        details: `This backend serves: ${this.models().join(', ')}`,
      })
    }
    if (this.closed) throw new RuntimeClosedError('The llama backend is closed')
  }

  private async run(request: GenerateRequest, ctx: StreamProducerContext): Promise<GenerationResult> {
    const m = await this.load(request.model)
    const constraint = await llamaConstraint(m.llama, request)
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
    let end: Evaluated | undefined
    try {
      end = await evaluate(m, sequence, inputTokens, request, constraint, usage, ctx)
    } catch (error) {
      if (ctx.signal.aborted) return stopped()
      throw new GenerationError(`Generation failed on ${request.model}`, {
        details: errorMessage(error),
        cause: error,
      })
    } finally {
      m.release(sequence)
    }
    if (end === undefined) return stopped()
    if (ctx.signal.aborted && usage.completionTokens < request.maxTokens && end.finishReason !== 'stop')
      return stopped()
    return { usage, ...finished(end, constraint), backend: m.backend }
  }
}

/** The finish reason and tool calls of a completed generation. */
function finished(
  end: Evaluated,
  constraint: LlamaConstraint,
): Pick<GenerationResult, 'finishReason' | 'toolCalls'> {
  // a completion cut by maxTokens is incomplete JSON: it stays `length`, with no call
  if (constraint.tools === undefined || end.finishReason !== 'stop') return { finishReason: end.finishReason }
  const call = parseToolCall(end.text, constraint.tools)
  if (call === undefined) return { finishReason: 'stop' }
  return { finishReason: 'tool_calls', toolCalls: [call] }
}

function throwIfStopped(request: EmbedRequest, now: () => number): void {
  if (request.signal?.aborted === true) throw new AbortedError('Embedding aborted')
  if (request.deadline !== undefined && now() >= request.deadline)
    throw new DeadlineExceededError('Embedding deadline passed')
}

/** Throws ContextLengthExceededError when the rendered prompt plus maxTokens do not fit the model's context. */
function checkContextSize(m: LoadedLlamaModel, request: GenerateRequest, promptTokens: number): void {
  const contextSize = m.context.contextSize
  const { maxTokens } = request
  if (promptTokens + maxTokens > contextSize) {
    throw new ContextLengthExceededError(`The prompt and maxTokens exceed the context of ${request.model}`, {
      contextSize,
      promptTokens,
      maxTokens,
      details: `${promptTokens} prompt tokens + ${maxTokens} maxTokens > ${contextSize} context tokens. Shorten the prompt or lower maxTokens.`,
    })
  }
}

interface Evaluated {
  finishReason: FinishReason
  /** The completion as emitted (stop string and trailing grammar whitespace left out). */
  text: string
}

/**
 * Evaluates the prompt on `sequence` and streams the completion into `ctx`
 * through the stop filter, counting tokens in `usage`. Returns how it ended,
 * or undefined when ctx.signal fired between tokens.
 */
async function evaluate(
  m: LoadedLlamaModel,
  sequence: LlamaContextSequence,
  inputTokens: Token[],
  request: GenerateRequest,
  constraint: LlamaConstraint,
  usage: Usage,
  ctx: StreamProducerContext,
): Promise<Evaluated | undefined> {
  await sequence.clearHistory()
  const generated: Token[] = []
  const generator = sequence.evaluate(
    inputTokens,
    await samplingOptions(m, request, constraint.grammar, generated),
  )
  const text = new TokenText(m.model)
  const out = new StoppingEmitter(
    (chunk) => ctx.emit(chunk),
    request.stop,
    constraint.grammar?.trimWhitespaceSuffix,
  )
  let finishReason: FinishReason = 'length'
  for await (const token of generator) {
    if (ctx.signal.aborted) return undefined
    if (m.model.isEogToken(token)) {
      finishReason = 'stop'
      break
    }
    usage.completionTokens++
    generated.push(token)
    const chunk = text.push(token)
    if (chunk !== undefined && out.push(chunk)) {
      finishReason = 'stop'
      break
    }
    if (jsonDone(constraint, out)) {
      finishReason = 'stop'
      break
    }
    if (usage.completionTokens >= request.maxTokens) break
  }
  // a grammar that is complete ends the evaluation without an end-of-generation token
  if (finishReason === 'length' && usage.completionTokens < request.maxTokens) finishReason = 'stop'
  const rest = text.flush()
  if (rest !== undefined) out.push(rest)
  out.finish()
  return { finishReason, text: out.text }
}

/**
 * True once a JSON value is complete under a grammar that then allows blank
 * lines without end (in auto tool mode only when the output is a call).
 */
function jsonDone(constraint: LlamaConstraint, out: StoppingEmitter): boolean {
  if (!constraint.endsWithBlankLines || !out.heldWhitespace.includes(JSON_SUFFIX)) return false
  return constraint.toolMode !== 'auto' || out.text.trimStart().startsWith('{')
}

/** Temperature, seed, top-p, presence/frequency penalties over the generated tokens, and the grammar. */
async function samplingOptions(
  m: LoadedLlamaModel,
  request: GenerateRequest,
  grammar: LlamaGrammar | undefined,
  generated: Token[],
): Promise<SequenceEvaluateOptions> {
  const temperature = request.temperature ?? 0
  const options: SequenceEvaluateOptions = {
    temperature,
    seed: request.seed ?? (temperature > 0 ? Math.floor(Math.random() * 2 ** 31) : 0),
  }
  if (request.topP !== undefined) options.topP = request.topP
  const presencePenalty = request.presencePenalty ?? 0
  const frequencyPenalty = request.frequencyPenalty ?? 0
  if (presencePenalty !== 0 || frequencyPenalty !== 0) {
    options.repeatPenalty = {
      punishTokens: () => generated.slice(-PENALTY_WINDOW),
      maxPunishTokens: PENALTY_WINDOW,
      penalty: 1,
      presencePenalty,
      frequencyPenalty,
    }
  }
  if (grammar !== undefined) {
    const { LlamaGrammarEvaluationState } = await import('node-llama-cpp')
    options.grammarEvaluationState = new LlamaGrammarEvaluationState({ model: m.model, grammar })
  }
  return options
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

/**
 * The messages as node-llama-cpp history: an assistant's tool calls follow
 * its text in its turn, and a tool's result is a user turn naming the call.
 */
function chatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const names = new Map<string, string>()
  return messages.map((message): ChatHistoryItem => {
    if (message.role === 'system') return { type: 'system', text: message.content }
    if (message.role === 'assistant') {
      const calls = message.toolCalls ?? []
      for (const call of calls) names.set(call.id, call.name)
      const parts = [message.content, ...calls.map(toolCallText)].filter((p) => p !== '')
      return { type: 'model', response: [parts.join('\n')] }
    }
    if (message.role === 'tool' && message.toolCallId !== undefined) {
      const id = message.toolCallId
      return { type: 'user', text: toolResultText(names.get(id), id, message.content) }
    }
    return { type: 'user', text: message.content }
  })
}

function tokenizeRequest(m: LoadedLlamaModel, request: GenerateRequest): Token[] {
  const { model } = m
  const continuation = request.continuation ?? ''
  const tools = usesTools(request) ? toolsPrompt(request.tools ?? []) : undefined
  if (request.messages !== undefined) {
    const history: ChatHistoryItem[] = tools === undefined ? [] : [{ type: 'system', text: tools }]
    history.push(...chatHistory(request.messages))
    history.push({ type: 'model', response: continuation === '' ? [] : [continuation] })
    const wrapper = m.chatWrapper
    const { contextText } = wrapper.generateContextState({ chatHistory: history })
    return contextText.tokenize(model.tokenizer)
  }
  const text = `${tools === undefined ? '' : `${tools}\n\n`}${request.prompt ?? ''}${continuation}`
  const tokens = model.tokenize(text, false)
  const bos = model.tokens.bos
  return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...tokens] : tokens
}
