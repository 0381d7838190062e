/**
 * The OpenAI-compatible upstream backend: what GPU operators already run
 * (vLLM, SGLang, llama.cpp's llama-server, Ollama). Always streams, asks for
 * usage in the stream and reads it from there.
 */
import type { FeatureName } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import {
  EmbeddingUnsupportedError,
  InvalidRequestError,
  RuntimeClosedError,
  UnknownModelError,
  UpstreamProtocolError,
} from '../errors.js'
import type {
  EmbedRequest,
  EmbedResult,
  GenerateRequest,
  GenerationResult,
  GenerationStream,
  LlmBackend,
  OpenAiModelConfig,
} from '../types.js'
import { validateEmbedRequest } from './embed-request.js'
import { upstreamEmbeddings } from './openai-embeddings.js'
import { post, upstreamRequest } from './openai-request.js'
import { finishedToolCalls, readStream } from './openai-stream.js'
import { checkFeatures, usesTools, validateGenerateRequest } from './request.js'
import { StoppingEmitter } from './stop.js'
import {
  createGenerationStream,
  emptyUsage,
  type ProducerBackend,
  type StreamProducerContext,
} from './stream.js'

export interface OpenAiBackendInit {
  models: OpenAiModelConfig[]
  now?: () => number
  /** For tests; default global `fetch`. */
  fetch?: typeof fetch
  /** Default `defaultLogger()` of @libp2p/logger. */
  logger?: ComponentLogger
}

/** What an upstream honours unless its config says otherwise. */
export const OPENAI_DEFAULT_FEATURES: readonly FeatureName[] = [
  'stop',
  'top_p',
  'penalties',
  'json_object',
  'json_schema',
  'tools',
]

/**
 * The backend of `kind: 'openai'` models: streams from an OpenAI-compatible
 * upstream (vLLM, llama-server, Ollama). `generate()` throws
 * {@link LlmBackendGenerateErrorType}; the stream rejects with the `Upstream*`
 * errors or `GenerationError` ({@link GenerationStreamErrorType}).
 */
export function createOpenAiBackend(init: OpenAiBackendInit): LlmBackend & ProducerBackend {
  return new OpenAiBackend(init)
}

class OpenAiBackend implements LlmBackend, ProducerBackend {
  readonly name = 'openai'
  private readonly configs: Map<string, OpenAiModelConfig>
  private readonly fetch: typeof fetch
  private readonly log: Logger
  private closed = false

  constructor(private readonly init: OpenAiBackendInit) {
    this.configs = new Map(init.models.map((m) => [m.name, m]))
    this.fetch = init.fetch ?? fetch
    this.log = (init.logger ?? defaultLogger()).forComponent('cocoon:gpu-runtime:openai')
  }

  models(): string[] {
    return [...this.configs.keys()]
  }

  features(model: string): FeatureName[] {
    const config = this.configs.get(model)
    return config === undefined ? [] : [...(config.features ?? OPENAI_DEFAULT_FEATURES)]
  }

  canEmbed(model: string): boolean {
    return this.configs.get(model)?.embeddings === true
  }

  contextSize(model: string): number | undefined {
    return this.configs.get(model)?.contextSize
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    validateEmbedRequest(request)
    const config = this.config(request.model)
    if (config.embeddings !== true) {
      throw new EmbeddingUnsupportedError(`Model ${request.model} does not embed on this provider`, {
        details: 'Set embeddings: true on an upstream model that serves /v1/embeddings.',
      })
    }
    return upstreamEmbeddings(this.fetch, config, request)
  }

  produce(request: GenerateRequest, ctx: StreamProducerContext): Promise<GenerationResult> {
    return this.run(this.check(request), request, ctx)
  }

  generate(request: GenerateRequest): GenerationStream {
    const config = this.check(request)
    return createGenerationStream({
      signal: request.signal,
      deadline: request.deadline,
      now: this.init.now,
      produce: (ctx) => this.run(config, request, ctx),
    })
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private check(request: GenerateRequest): OpenAiModelConfig {
    validateGenerateRequest(request)
    const config = this.config(request.model)
    checkFeatures(request, this.features(request.model), this.name)
    if (usesTools(request) && request.messages === undefined) {
      throw new InvalidRequestError('Tools need chat messages on an OpenAI-compatible upstream', {
        details: 'The upstream /v1/completions endpoint takes no tools; send messages instead of a prompt.',
      })
    }
    return config
  }

  private config(model: string): OpenAiModelConfig {
    const config = this.configs.get(model)
    if (config === undefined) {
      throw new UnknownModelError(`Unknown model ${model}`, {
        details: `This backend serves: ${this.models().join(', ')}`,
      })
    }
    if (this.closed) throw new RuntimeClosedError('The upstream backend is closed')
    return config
  }

  private async run(
    config: OpenAiModelConfig,
    request: GenerateRequest,
    ctx: StreamProducerContext,
  ): Promise<GenerationResult> {
    const upstream = upstreamRequest(config, request)
    const backend = `openai/${upstream.base}`
    const usage = emptyUsage()
    const stopped = (): GenerationResult => ({ usage, finishReason: ctx.stopReason() ?? 'abort', backend })
    if (ctx.signal.aborted) return stopped()
    const body = await post(this.fetch, upstream, config, ctx)
    if (body === undefined) return stopped()
    const out = new StoppingEmitter((chunk) => ctx.emit(chunk), request.stop)
    const read = await readStream(body, upstream, usage, out, ctx)
    if (read === undefined) return stopped()
    out.finish()
    if (!read.sawDone && !read.sawUsage) {
      throw new UpstreamProtocolError(`Upstream ${upstream.base} ended the stream early`, {
        details: 'The stream closed without usage or [DONE]; the generation is incomplete.',
      })
    }
    if (!read.sawUsage)
      this.log('upstream %s sent no usage; completion tokens counted from chunks', upstream.base)
    const toolCalls = finishedToolCalls(read.toolCalls)
    if (toolCalls.length > 0) return { usage, finishReason: 'tool_calls', toolCalls, backend }
    return { usage, finishReason: out.stopped ? 'stop' : read.finishReason, backend }
  }
}
