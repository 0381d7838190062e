/**
 * The node-llama-cpp backend: GGUF models loaded lazily (once) and served
 * with exact token counts, a chat template for messages, greedy or seeded
 * sampling, and cancellation between tokens.
 */
import type { FeatureName } from '@cocoon-mesh/protocol'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type { LlamaContextSequence, LlamaEmbeddingContext } from 'node-llama-cpp'
import {
  AbortedError,
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
  EmbedRequest,
  EmbedResult,
  GenerateRequest,
  GenerationResult,
  GenerationStream,
  HardwareInfo,
  LlamaModelConfig,
  LlmBackend,
} from '../types.js'
import { validateEmbedRequest } from './embed-request.js'
import { checkGrammarSchema } from './json-schema-subset.js'
import { type Evaluated, evaluate, finished } from './llama-evaluate.js'
import { llamaConstraint } from './llama-grammar.js'
import { type LoadedLlamaModel, loadLlamaModel } from './llama-model.js'
import { checkContextSize, tokenizeRequest } from './llama-prompt.js'
import { checkFeatures, usesTools, validateGenerateRequest } from './request.js'
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

function throwIfStopped(request: EmbedRequest, now: () => number): void {
  if (request.signal?.aborted === true) throw new AbortedError('Embedding aborted')
  if (request.deadline !== undefined && now() >= request.deadline)
    throw new DeadlineExceededError('Embedding deadline passed')
}
