/**
 * The OpenAI-compatible upstream backend: what GPU operators already run
 * (vLLM, SGLang, llama.cpp's llama-server, Ollama). Always streams, asks for
 * usage in the stream and reads it from there.
 */
import { logger } from '@libp2p/logger'
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
} from '../types.js'
import { validateGenerateRequest } from './request.js'
import { readSseData } from './sse.js'
import { createGenerationStream, type ProducerBackend, type StreamProducerContext } from './stream.js'

const log = logger('cocoon:gpu-runtime:openai')

export interface OpenAiBackendInit {
  models: OpenAiModelConfig[]
  now?: () => number
  /** For tests; default global `fetch`. */
  fetch?: typeof fetch
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
  const configs = new Map(init.models.map((m) => [m.name, m]))
  const doFetch = init.fetch ?? fetch
  let closed = false

  const run = async (
    config: OpenAiModelConfig,
    request: GenerateRequest,
    ctx: StreamProducerContext,
  ): Promise<GenerationResult> => {
    const base = config.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
    const backend = `openai/${base}`
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
    const usage = { promptTokens: 0, cachedTokens: 0, completionTokens: 0, reasoningTokens: 0 }
    const stopped = (): GenerationResult => ({ usage, finishReason: ctx.stopReason() ?? 'abort', backend })
    if (ctx.signal.aborted) return stopped()

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
        body: JSON.stringify(body),
        signal: AbortSignal.any([ctx.signal, headersTimeout]),
      })
    } catch (error) {
      if (ctx.signal.aborted) return stopped()
      const cause = (error as { cause?: { code?: string; message?: string } }).cause
      throw new UpstreamUnreachableError(`Upstream ${base} is unreachable`, {
        details: `POST ${url} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}. Check that the server (vLLM, llama-server, Ollama) is running and baseUrl is right.`,
        cause: error,
      })
    }
    if (!response.ok || response.body === null) {
      const text = await response.text().catch(() => '')
      throw new UpstreamStatusError(`Upstream ${base} answered ${response.status}`, {
        status: response.status,
        details: `POST ${url}: ${response.status} ${response.statusText} ${text.slice(0, 500)}`,
      })
    }

    let finishReason: FinishReason = 'length'
    let sawUsage = false
    let sawDone = false
    try {
      for await (const data of readSseData(response.body)) {
        if (ctx.signal.aborted) return stopped()
        if (data === '[DONE]') {
          sawDone = true
          break
        }
        let chunk: OpenAiChunk
        try {
          chunk = JSON.parse(data) as OpenAiChunk
        } catch (error) {
          throw new UpstreamProtocolError(`Upstream ${base} sent invalid JSON in its stream`, {
            details: `Event data: ${data.slice(0, 200)}`,
            cause: error,
          })
        }
        if (chunk.error !== undefined) {
          throw new GenerationError(`Upstream ${base} reported an error mid-stream`, {
            details: chunk.error.message ?? JSON.stringify(chunk.error),
          })
        }
        const choice = chunk.choices?.[0]
        const text = chat ? choice?.delta?.content : choice?.text
        if (typeof text === 'string' && text !== '') {
          usage.completionTokens++
          ctx.emit({ text, tokens: 1 })
        } else if (
          typeof choice?.delta?.reasoning_content === 'string' &&
          choice.delta.reasoning_content !== ''
        ) {
          usage.reasoningTokens++
        }
        if (choice?.finish_reason === 'stop') finishReason = 'stop'
        else if (choice?.finish_reason === 'length') finishReason = 'length'
        if (chunk.usage !== undefined && chunk.usage !== null) {
          sawUsage = true
          usage.promptTokens = chunk.usage.prompt_tokens ?? 0
          usage.completionTokens = chunk.usage.completion_tokens ?? usage.completionTokens
          usage.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0
          usage.reasoningTokens =
            chunk.usage.completion_tokens_details?.reasoning_tokens ?? usage.reasoningTokens
        }
      }
    } catch (error) {
      if (ctx.signal.aborted) return stopped()
      if (error instanceof UpstreamProtocolError || error instanceof GenerationError) throw error
      throw new UpstreamUnreachableError(`Upstream ${base} dropped the stream`, {
        details: (error as Error).message,
        cause: error,
      })
    }
    if (!sawDone && !sawUsage) {
      throw new UpstreamProtocolError(`Upstream ${base} ended the stream early`, {
        details: 'The stream closed without usage or [DONE]; the generation is incomplete.',
      })
    }
    if (!sawUsage) log('upstream %s sent no usage; completion tokens counted from chunks', base)
    return { usage, finishReason, backend }
  }

  const check = (request: GenerateRequest): OpenAiModelConfig => {
    validateGenerateRequest(request)
    const config = configs.get(request.model)
    if (config === undefined) {
      throw new UnknownModelError(`Unknown model ${request.model}`, {
        details: `This backend serves: ${[...configs.keys()].join(', ')}`,
      })
    }
    if (closed) throw new RuntimeClosedError('The upstream backend is closed')
    return config
  }

  return {
    name: 'openai',
    models: () => [...configs.keys()],
    produce(request, ctx) {
      return run(check(request), request, ctx)
    },
    generate(request: GenerateRequest): GenerationStream {
      const config = check(request)
      return createGenerationStream({
        signal: request.signal,
        deadline: request.deadline,
        now: init.now,
        produce: (ctx) => run(config, request, ctx),
      })
    },
    async close() {
      closed = true
    },
  }
}
