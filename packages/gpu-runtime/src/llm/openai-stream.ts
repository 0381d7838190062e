/**
 * The response side of an OpenAI-compatible upstream: its event stream read
 * into text chunks through the stop filter, usage counts and assembled tool calls.
 */
import { errorMessage } from '@cocoon-mesh/protocol'
import { GenerationError, UpstreamProtocolError, UpstreamUnreachableError } from '../errors.js'
import type { FinishReason, ToolCall, Usage } from '../types.js'
import type { UpstreamRequest } from './openai-request.js'
import { readSseData } from './sse.js'
import type { StoppingEmitter } from './stop.js'
import type { StreamProducerContext } from './stream.js'

interface OpenAiUsage {
  prompt_tokens?: number
  completion_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number } | null
  completion_tokens_details?: { reasoning_tokens?: number } | null
}

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

export interface StreamEnd {
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
export async function readStream(
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

/** The calls assembled from the stream's deltas, in index order, each with an id. */
export function finishedToolCalls(calls: Map<number, ToolCall>): ToolCall[] {
  return [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, call]) => ({ ...call, id: call.id === '' ? `call_${index}` : call.id }))
}
