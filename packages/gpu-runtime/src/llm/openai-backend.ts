/**
 * The OpenAI-compatible upstream backend: what GPU operators already run
 * (vLLM, SGLang, llama.cpp's llama-server, Ollama). Always streams, asks for
 * usage in the stream and reads it from there.
 */
import type { FeatureName } from '@cocoon-mesh/protocol'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import {
  EmbeddingUnsupportedError,
  GenerationError,
  InvalidRequestError,
  RuntimeClosedError,
  UnknownModelError,
  UpstreamProtocolError,
  UpstreamUnreachableError,
} from '../errors.js'
import type {
  EmbedRequest,
  EmbedResult,
  FinishReason,
  GenerateRequest,
  GenerationResult,
  GenerationStream,
  LlmBackend,
  OpenAiModelConfig,
  ToolCall,
  Usage,
} from '../types.js'
import { validateEmbedRequest } from './embed-request.js'
import { upstreamEmbeddings } from './openai-embeddings.js'
import { checkFeatures, usesTools, validateGenerateRequest } from './request.js'
import { readSseData } from './sse.js'
import { StoppingEmitter } from './stop.js'
import {
  createGenerationStream,
  emptyUsage,
  type ProducerBackend,
  type StreamProducerContext,
} from './stream.js'
import { upstreamError } from './upstream-error.js'
import { upstreamMessage } from './upstream-message.js'

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

/** What an upstream honours unless its config says otherwise. */
export const OPENAI_DEFAULT_FEATURES: readonly FeatureName[] = [
  'stop',
  'top_p',
  'penalties',
  'json_object',
  'json_schema',
  'tools',
]

interface OpenAiToolCallDelta {
  index?: number
  id?: string
  function?: { name?: string; arguments?: string }
}

interface OpenAiChunk {
  choices?: Array<{
    delta?: {
      content?: string | null
      reasoning_content?: string | null
      tool_calls?: OpenAiToolCallDelta[] | null
    }
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

/** The calls assembled from the stream's deltas, in index order, each with an id. */
function finishedToolCalls(calls: Map<number, ToolCall>): ToolCall[] {
  return [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, call]) => ({ ...call, id: call.id === '' ? `call_${index}` : call.id }))
}

/** One streaming completion request to an upstream. */
interface UpstreamRequest {
  /** The base URL without a trailing `/` or `/v1`. */
  base: string
  url: string
  chat: boolean
  /** The job's maxTokens (the body's `max_tokens`). */
  maxTokens: number
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
  Object.assign(body, constraintFields(request))
  if (chat) {
    const messages: Array<Record<string, unknown>> = (request.messages ?? []).map(upstreamMessage)
    if (request.continuation !== undefined && request.continuation !== '') {
      messages.push({ role: 'assistant', content: request.continuation })
      body.continue_final_message = true
      body.add_generation_prompt = false
    }
    body.messages = messages
  } else {
    body.prompt = `${request.prompt ?? ''}${request.continuation ?? ''}`
  }
  return { base, url, chat, maxTokens: request.maxTokens, body }
}

/** The OpenAI API fields of the request's stop strings, sampling, output format and tools. */
function constraintFields(request: GenerateRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop
  if (request.topP !== undefined) body.top_p = request.topP
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty
  const format = request.responseFormat
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' }
  else if (format?.type === 'json_schema')
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: 'response', schema: format.schema, strict: true },
    }
  // vLLM's guided decoding by a GBNF grammar
  else if (format?.type === 'grammar') body.guided_grammar = format.grammar
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description === undefined ? {} : { description: t.description }),
        parameters: t.parameters ?? { type: 'object', properties: {} },
      },
    }))
    const choice = request.toolChoice
    if (choice !== undefined)
      body.tool_choice =
        typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice
  }
  return body
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
    throw upstreamError({
      status: response.status,
      statusText: response.statusText,
      url,
      text,
      maxTokens: upstream.maxTokens,
      ...(config.contextSize === undefined ? {} : { contextSize: config.contextSize }),
    })
  }
  return response.body
}

interface StreamEnd {
  finishReason: FinishReason
  sawUsage: boolean
  sawDone: boolean
  /** Tool calls by their stream index, assembled from the deltas. */
  toolCalls: Map<number, ToolCall>
}

/**
 * Reads the event stream into `usage` and `ctx.emit`; undefined when the
 * job stopped meanwhile. A dropped connection is UpstreamUnreachableError.
 */
async function readStream(
  body: ReadableStream<Uint8Array>,
  upstream: UpstreamRequest,
  usage: Usage,
  out: StoppingEmitter,
  ctx: StreamProducerContext,
): Promise<StreamEnd | undefined> {
  const end: StreamEnd = { finishReason: 'length', sawUsage: false, sawDone: false, toolCalls: new Map() }
  try {
    for await (const data of readSseData(body)) {
      if (ctx.signal.aborted) return undefined
      if (data === '[DONE]') {
        end.sawDone = true
        break
      }
      applyChunk(parseChunk(data, upstream.base), upstream, usage, end, out)
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
 * Emits a chunk's text (one completion token per chunk) through the stop
 * filter, collects tool-call deltas (their argument text streams as the
 * chunk's text) and counts reasoning; the upstream's own usage, when it sends
 * it, replaces the counts.
 */
function applyChunk(
  chunk: OpenAiChunk,
  upstream: UpstreamRequest,
  usage: Usage,
  end: StreamEnd,
  out: StoppingEmitter,
): void {
  if (chunk.error !== undefined) {
    throw new GenerationError(`Upstream ${upstream.base} reported an error mid-stream`, {
      details: chunk.error.message ?? JSON.stringify(chunk.error),
    })
  }
  const choice = chunk.choices?.[0]
  const text = upstream.chat ? choice?.delta?.content : choice?.text
  const callText = collectToolCalls(choice?.delta?.tool_calls, end.toolCalls)
  if (typeof text === 'string' && text !== '') {
    usage.completionTokens++
    out.push({ text, tokens: 1 })
  } else if (callText !== '') {
    usage.completionTokens++
    out.push({ text: callText, tokens: 1 })
  } else if (typeof choice?.delta?.reasoning_content === 'string' && choice.delta.reasoning_content !== '') {
    usage.reasoningTokens++
  }
  const finish = choice?.finish_reason
  if (finish === 'stop' || finish === 'length' || finish === 'tool_calls') end.finishReason = finish
  if (chunk.usage !== undefined && chunk.usage !== null) {
    end.sawUsage = true
    usage.promptTokens = chunk.usage.prompt_tokens ?? 0
    usage.completionTokens = chunk.usage.completion_tokens ?? usage.completionTokens
    usage.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0
    usage.reasoningTokens = chunk.usage.completion_tokens_details?.reasoning_tokens ?? usage.reasoningTokens
  }
}

/** Most tool calls one completion may carry. */
const MAX_UPSTREAM_TOOL_CALLS = 32

/** Merges tool-call deltas into `calls`; returns the argument text they add. */
function collectToolCalls(
  deltas: OpenAiToolCallDelta[] | null | undefined,
  calls: Map<number, ToolCall>,
): string {
  if (!Array.isArray(deltas)) return ''
  let text = ''
  for (const delta of deltas) {
    const index = typeof delta.index === 'number' ? delta.index : 0
    let call = calls.get(index)
    if (call === undefined) {
      if (calls.size >= MAX_UPSTREAM_TOOL_CALLS) {
        throw new UpstreamProtocolError('Upstream sent too many tool calls', {
          details: `More than ${MAX_UPSTREAM_TOOL_CALLS} tool calls in one completion.`,
        })
      }
      call = { id: '', name: '', arguments: '' }
      calls.set(index, call)
    }
    if (typeof delta.id === 'string') call.id = delta.id
    if (typeof delta.function?.name === 'string') call.name += delta.function.name
    if (typeof delta.function?.arguments === 'string') {
      call.arguments += delta.function.arguments
      text += delta.function.arguments
    }
  }
  return text
}
