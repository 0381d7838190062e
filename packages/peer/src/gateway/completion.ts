/**
 * Runs one completion request as a mesh job and writes the OpenAI response,
 * streaming (SSE) or not. The job waits for a slot in the gateway's queue;
 * when every provider rejects it as over capacity, it waits for the next job
 * to end and tries again, until the queue's deadline (then a 503 with
 * `Retry-After`).
 */
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type {
  GenerateParameters,
  JobUsage,
  LlmJob,
  PriceCap,
  TokenOutput,
} from '@cocoon-mesh/client/internal'
import { AllRejectedError, servedTier } from '@cocoon-mesh/client/internal'
import { RejectReason } from '@cocoon-mesh/protocol'
import { toOpenAiError } from './errors.js'
import type { GatewayQueue } from './queue.js'
import type { CompletionRequest } from './request.js'
import type { RequestRecord } from './request-log.js'
import { sendError, sendJson } from './respond.js'
import { partTrustFields, trustTierHeaders } from './trust-tier.js'

export interface CompletionContext {
  generate: (params: GenerateParameters) => LlmJob
  queue: GatewayQueue
  maxPrice?: PriceCap
  defaultMaxTokens: number
  /** The record of this request, filled in for its log line. */
  record: RequestRecord
  startedAt: number
  now: () => number
  /** Extra headers of the response (CORS). */
  headers: Record<string, string>
}

type Chunk = IteratorResult<TokenOutput>

/** A started job: its first output (or end), the rest of it, and the slot it holds. */
interface Started {
  job: LlmJob
  iterator: AsyncIterator<TokenOutput>
  first: Chunk
  release: () => void
}

export async function complete(
  res: ServerResponse,
  request: CompletionRequest,
  endpoint: 'chat' | 'completion',
  ctx: CompletionContext,
): Promise<void> {
  const controller = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  let started: Started
  try {
    started = await start(request, ctx, controller.signal)
  } catch (err) {
    return fail(res, err, ctx)
  }
  ctx.record.firstTokenMs = ctx.now() - ctx.startedAt
  try {
    const shape = new ResponseShape(request, endpoint)
    if (request.stream) await streamResponse(res, started, shape, controller.signal, ctx)
    else await jsonResponse(res, started, shape, ctx)
  } finally {
    started.release()
  }
}

/** Takes a slot and starts the job, trying again after the next job ends while every provider is busy. */
async function start(
  request: CompletionRequest,
  ctx: CompletionContext,
  signal: AbortSignal,
): Promise<Started> {
  const deadline = ctx.queue.deadline()
  const release = await ctx.queue.acquire(deadline, signal)
  try {
    for (;;) {
      const job = ctx.generate(jobParams(request, ctx, signal))
      ctx.record.jobId = job.jobId
      const iterator = job[Symbol.asyncIterator]()
      try {
        return { job, iterator, first: await iterator.next(), release }
      } catch (err) {
        if (!allBusy(err)) throw err
        await ctx.queue.nextRelease(deadline, signal)
      }
    }
  } catch (err) {
    release()
    throw err
  }
}

function allBusy(err: unknown): boolean {
  return (
    err instanceof AllRejectedError &&
    err.rejections.every((r) => r.reason === RejectReason.REJECT_REASON_OVER_CAPACITY)
  )
}

function jobParams(
  request: CompletionRequest,
  ctx: CompletionContext,
  signal: AbortSignal,
): GenerateParameters {
  const maxPrice = request.maxPrice ?? ctx.maxPrice
  return {
    model: request.model,
    ...(request.messages !== undefined ? { messages: request.messages } : { prompt: request.prompt ?? '' }),
    maxTokens: request.maxTokens ?? ctx.defaultMaxTokens,
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.stop !== undefined ? { stop: request.stop } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.presencePenalty !== undefined ? { presencePenalty: request.presencePenalty } : {}),
    ...(request.frequencyPenalty !== undefined ? { frequencyPenalty: request.frequencyPenalty } : {}),
    ...(request.responseFormat !== undefined ? { responseFormat: request.responseFormat } : {}),
    ...(request.tools !== undefined ? { tools: request.tools } : {}),
    ...(request.toolChoice !== undefined ? { toolChoice: request.toolChoice } : {}),
    ...(request.minTrustTier !== undefined ? { minTrustTier: request.minTrustTier } : {}),
    ...(maxPrice !== undefined ? { maxPrice } : {}),
    jobId: randomUUID(),
    signal,
  }
}

async function jsonResponse(
  res: ServerResponse,
  { job, iterator, first }: Started,
  shape: ResponseShape,
  ctx: CompletionContext,
): Promise<void> {
  let content = first.done === true ? '' : first.value.text
  let usage: JobUsage
  try {
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) content += r.value.text
    usage = await job.usage
  } catch (err) {
    return fail(res, err, ctx)
  }
  recordUsage(ctx.record, usage)
  sendJson(res, 200, shape.completion(content, usage), { ...ctx.headers, ...trustTierHeaders(usage) })
}

async function streamResponse(
  res: ServerResponse,
  { job, iterator, first }: Started,
  shape: ResponseShape,
  signal: AbortSignal,
  ctx: CompletionContext,
): Promise<void> {
  res.writeHead(200, {
    ...ctx.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // the tier of the first token's provider: the header goes out before the job ends
    ...trustTierHeaders({ first: first.done === true ? undefined : first.value }),
  })
  const send = async (data: unknown): Promise<void> => {
    if (!res.write(`data: ${JSON.stringify(data)}\n\n`)) await new Promise((r) => res.once('drain', r))
  }
  try {
    if (shape.chat) await send(shape.chunk('', null, true))
    if (first.done !== true) await send(shape.chunk(first.value.text, null))
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) {
      await send(shape.chunk(r.value.text, null))
    }
    const usage = await job.usage
    recordUsage(ctx.record, usage)
    if (shape.chat && usage.toolCalls.length > 0) await send(shape.toolCallsChunk(usage))
    await send(shape.chunk(undefined, finishReason(usage)))
    if (shape.includeUsage) await send(shape.usageChunk(usage))
    res.end('data: [DONE]\n\n')
  } catch (err) {
    if (signal.aborted) {
      ctx.record.error = 'the caller closed the connection'
      return
    }
    // headers are sent: report the error in-band, as OpenAI-compatible servers do
    const error = toOpenAiError(err)
    ctx.record.status = error.status
    ctx.record.error = error.body.error.message
    res.end(`data: ${JSON.stringify(error.body)}\n\n`)
  }
}

/** Answers with the error's OpenAI status and body, and records its message for the log line. */
function fail(res: ServerResponse, err: unknown, ctx: CompletionContext): void {
  const error = toOpenAiError(err)
  ctx.record.error = error.body.error.message
  sendError(res, error, ctx.headers)
}

function recordUsage(record: RequestRecord, usage: JobUsage): void {
  record.promptTokens = usage.promptTokens
  record.completionTokens = usage.completionTokens
  const last = usage.parts.at(-1)
  if (last !== undefined) record.provider = last.providerId
}

/** OpenAI's finish reason: `stop` (a stop string or the model's end), `tool_calls`, else `length`. */
function finishReason(usage: JobUsage): string {
  if (usage.toolCalls.length > 0 || usage.finishReason === 'tool_calls') return 'tool_calls'
  return usage.finishReason === 'stop' ? 'stop' : 'length'
}

/** The calls in OpenAI's `tool_calls` shape (with `index` for stream deltas). */
function toolCalls(usage: JobUsage, withIndex: boolean): Array<Record<string, unknown>> {
  return usage.toolCalls.map((call, index) => ({
    ...(withIndex ? { index } : {}),
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }))
}

/** The OpenAI response objects of one request: ids, chunks, the final body. */
class ResponseShape {
  readonly chat: boolean
  readonly includeUsage: boolean
  readonly #id: string
  readonly #created: number
  readonly #model: string

  constructor(request: CompletionRequest, endpoint: 'chat' | 'completion') {
    this.chat = endpoint === 'chat'
    this.includeUsage = request.includeUsage
    this.#id = `${this.chat ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`
    // OpenAI's `created` is the wall-clock Unix time of the response, not market time
    this.#created = Math.floor(Date.now() / 1000)
    this.#model = request.model
  }

  #head(object: string): Record<string, unknown> {
    return { id: this.#id, object, created: this.#created, model: this.#model }
  }

  completion(content: string, usage: JobUsage): Record<string, unknown> {
    const finish = finishReason(usage)
    return {
      ...this.#head(this.chat ? 'chat.completion' : 'text_completion'),
      choices: [
        this.chat
          ? {
              index: 0,
              message: {
                role: 'assistant',
                content: usage.toolCalls.length > 0 && content === '' ? null : content,
                refusal: null,
                ...(usage.toolCalls.length > 0 ? { tool_calls: toolCalls(usage, false) } : {}),
              },
              logprobs: null,
              finish_reason: finish,
            }
          : { index: 0, text: content, logprobs: null, finish_reason: finish },
      ],
      usage: openAiUsage(usage),
      cocoon: cocoonUsage(usage),
    }
  }

  chunk(delta: string | undefined, finish: string | null, role = false): Record<string, unknown> {
    return {
      ...this.#head(this.chat ? 'chat.completion.chunk' : 'text_completion'),
      choices: [
        this.chat
          ? {
              index: 0,
              delta: {
                ...(role ? { role: 'assistant' } : {}),
                ...(delta !== undefined ? { content: delta } : {}),
              },
              logprobs: null,
              finish_reason: finish,
            }
          : { index: 0, text: delta ?? '', logprobs: null, finish_reason: finish },
      ],
    }
  }

  /** The streamed tool calls, whole, in one delta before the finish reason. */
  toolCallsChunk(usage: JobUsage): Record<string, unknown> {
    return {
      ...this.#head('chat.completion.chunk'),
      choices: [
        { index: 0, delta: { tool_calls: toolCalls(usage, true) }, logprobs: null, finish_reason: null },
      ],
    }
  }

  usageChunk(usage: JobUsage): Record<string, unknown> {
    return {
      ...this.#head(this.chat ? 'chat.completion.chunk' : 'text_completion'),
      choices: [],
      usage: openAiUsage(usage),
      cocoon: cocoonUsage(usage),
    }
  }
}

function openAiUsage(usage: JobUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  }
}

/** Cocoon's extension: cost, the trust tier that served the job, and which providers served which part at what tier. */
function cocoonUsage(usage: JobUsage): Record<string, unknown> {
  return {
    cost_nanoton: usage.cost.toString(),
    backend: usage.backend,
    trust_tier: servedTier(usage),
    parts: usage.parts.map((p) => ({
      provider: p.providerId,
      ...partTrustFields(p),
      outcome: p.outcome,
      completion_tokens: p.completionTokens,
      cost_nanoton: p.cost.toString(),
      price_per_k_completion_tokens: p.price.perKCompletionTokens.toString(),
    })),
  }
}
