/**
 * The request side of an OpenAI-compatible upstream: the streaming
 * completion body of a job (its constraints and tools in the API's fields)
 * and the POST that opens the event stream, bounded by `timeoutMs`.
 */
import { errorMessage } from '@cocoon-mesh/protocol'
import { UpstreamUnreachableError } from '../errors.js'
import type { GenerateRequest, OpenAiModelConfig } from '../types.js'
import type { StreamProducerContext } from './stream.js'
import { upstreamError } from './upstream-error.js'
import { upstreamMessage } from './upstream-message.js'

/** One streaming completion request to an upstream. */
export interface UpstreamRequest {
  /** The base URL without a trailing `/` or `/v1`. */
  base: string
  url: string
  chat: boolean
  /** The job's maxTokens (the body's `max_tokens`). */
  maxTokens: number
  body: Record<string, unknown>
}

/** The streaming request body; a continuation is sent as a final assistant message to continue. */
export function upstreamRequest(config: OpenAiModelConfig, request: GenerateRequest): UpstreamRequest {
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
export async function post(
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
