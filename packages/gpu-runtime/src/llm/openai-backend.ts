import { errorMessage } from '@cocoon-mesh/protocol'
/**
 * The OpenAI-compatible upstream backend: what GPU operators already run
 * (vLLM, SGLang, llama.cpp's llama-server, Ollama). Always streams, asks for
 * usage in the stream and reads it from there.
 */
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import {
  GenerationError,
  RuntimeClosedError,
  UnknownModelError,
  UpstreamProtocolError,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from '../errors.js'
import type {
  FinishReason,
  GenerateRequest,
  GenerationResult,
  GenerationStream,
  LlmBackend,
  OpenAiModelConfig,
  Usage,
} from '../types.js'
import { validateGenerateRequest } from './request.js'
import { readSseData } from './sse.js'
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

interface OpenAiUsage {
  prompt_tokens?: number
  completion_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number } | null
  completion_tokens_details?: { reasoning_tokens?: number } | null
}

interface OpenAiChunk {
  choices?: Array<{
    delta?: { content?: string | null; reasoning_content?: string | null }
    text?: string | null
    finish_reason?: string | null
  }>
  usage?: OpenAiUsage | null
  error?: { message?: string }
}

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
    const config = this.configs.get(request.model)
    if (config === undefined) {
      throw new UnknownModelError(`Unknown model ${request.model}`, {
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
    const read = await readStream(body, upstream, usage, ctx)
    if (read === undefined) return stopped()
    if (!read.sawDone && !read.sawUsage) {
      throw new UpstreamProtocolError(`Upstream ${upstream.base} ended the stream early`, {
        details: 'The stream closed without usage or [DONE]; the generation is incomplete.',
      })
    }
    if (!read.sawUsage)
      this.log('upstream %s sent no usage; completion tokens counted from chunks', upstream.base)
    return { usage, finishReason: read.finishReason, backend }
  }
}

/** One streaming completion request to an upstream. */
interface UpstreamRequest {
  /** The base URL without a trailing `/` or `/v1`. */
  base: string
  url: string
  chat: boolean
  body: Record<string, unknown>
}

/** The streaming request body; a continuation is sent as a final assistant message to continue. */
function upstreamRequest(config: OpenAiModelConfig, request: GenerateRequest): UpstreamRequest {
  const base = config.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
  const chat = request.messages !== undefined
  const url = `${base}/v1/${chat ? 'chat/completions' : 'completions'}`
  const body: Record<string, unknown> = {
    model: config.upstreamModel ?? config.name,
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: request.maxTokens,
    temperature: request.temperature ?? 0,
  }
  if (request.seed !== undefined) body.seed = request.seed
  if (chat) {
    const messages = (request.messages ?? []).map((m) => ({ role: m.role, content: m.content }))
    if (request.continuation !== undefined && request.continuation !== '') {
      messages.push({ role: 'assistant', content: request.continuation })
      body.continue_final_message = true
      body.add_generation_prompt = false
    }
    body.messages = messages
  } else {
    body.prompt = `${request.prompt ?? ''}${request.continuation ?? ''}`
  }
  return { base, url, chat, body }
}

/**
 * POSTs the request and returns the event-stream body, or undefined when
 * the job stopped meanwhile. `timeoutMs` bounds connecting and the headers.
 */
async function post(
  doFetch: typeof fetch,
  upstream: UpstreamRequest,
  config: OpenAiModelConfig,
  ctx: StreamProducerContext,
): Promise<ReadableStream<Uint8Array> | undefined> {
  const { base, url } = upstream
  const headersTimeout = AbortSignal.timeout(config.timeoutMs ?? 10_000)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream',
  }
  if (config.apiKey !== undefined) headers.authorization = `Bearer ${config.apiKey}`
  let response: Response
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(upstream.body),
      signal: AbortSignal.any([ctx.signal, headersTimeout]),
    })
  } catch (error) {
    if (ctx.signal.aborted) return undefined
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw new UpstreamUnreachableError(`Upstream ${base} is unreachable`, {
      details: `POST ${url} failed: ${cause?.code ?? cause?.message ?? errorMessage(error)}. Check that the server (vLLM, llama-server, Ollama) is running and baseUrl is right.`,
      cause: error,
    })
  }
  if (!response.ok || response.body === null) {
    // The body only adds detail to the status error; an unreadable one leaves it out.
    const text = await response.text().catch(() => '')
    throw new UpstreamStatusError(`Upstream ${base} answered ${response.status}`, {
      status: response.status,
      details: `POST ${url}: ${response.status} ${response.statusText} ${text.slice(0, 500)}`,
    })
  }
  return response.body
}

interface StreamEnd {
  finishReason: FinishReason
  sawUsage: boolean
  sawDone: boolean
}

/**
 * Reads the event stream into `usage` and `ctx.emit`; undefined when the
 * job stopped meanwhile. A dropped connection is UpstreamUnreachableError.
 */
async function readStream(
  body: ReadableStream<Uint8Array>,
  upstream: UpstreamRequest,
  usage: Usage,
  ctx: StreamProducerContext,
): Promise<StreamEnd | undefined> {
  const end: StreamEnd = { finishReason: 'length', sawUsage: false, sawDone: false }
  try {
    for await (const data of readSseData(body)) {
      if (ctx.signal.aborted) return undefined
      if (data === '[DONE]') {
        end.sawDone = true
        break
      }
      applyChunk(parseChunk(data, upstream.base), upstream, usage, end, ctx)
    }
  } catch (error) {
    if (ctx.signal.aborted) return undefined
    if (error instanceof UpstreamProtocolError || error instanceof GenerationError) throw error
    throw new UpstreamUnreachableError(`Upstream ${upstream.base} dropped the stream`, {
      details: errorMessage(error),
      cause: error,
    })
  }
  return end
}

function parseChunk(data: string, base: string): OpenAiChunk {
  try {
    return JSON.parse(data) as OpenAiChunk
  } catch (error) {
    throw new UpstreamProtocolError(`Upstream ${base} sent invalid JSON in its stream`, {
      details: `Event data: ${data.slice(0, 200)}`,
      cause: error,
    })
  }
}

/**
 * Emits a chunk's text (one completion token per chunk) and counts its
 * reasoning; the upstream's own usage, when it sends it, replaces the counts.
 */
function applyChunk(
  chunk: OpenAiChunk,
  upstream: UpstreamRequest,
  usage: Usage,
  end: StreamEnd,
  ctx: StreamProducerContext,
): void {
  if (chunk.error !== undefined) {
    throw new GenerationError(`Upstream ${upstream.base} reported an error mid-stream`, {
      details: chunk.error.message ?? JSON.stringify(chunk.error),
    })
  }
  const choice = chunk.choices?.[0]
  const text = upstream.chat ? choice?.delta?.content : choice?.text
  if (typeof text === 'string' && text !== '') {
    usage.completionTokens++
    ctx.emit({ text, tokens: 1 })
  } else if (typeof choice?.delta?.reasoning_content === 'string' && choice.delta.reasoning_content !== '') {
    usage.reasoningTokens++
  }
  if (choice?.finish_reason === 'stop') end.finishReason = 'stop'
  else if (choice?.finish_reason === 'length') end.finishReason = 'length'
  if (chunk.usage !== undefined && chunk.usage !== null) {
    end.sawUsage = true
    usage.promptTokens = chunk.usage.prompt_tokens ?? 0
    usage.completionTokens = chunk.usage.completion_tokens ?? usage.completionTokens
    usage.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0
    usage.reasoningTokens = chunk.usage.completion_tokens_details?.reasoning_tokens ?? usage.reasoningTokens
  }
}
