import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type { JobUsage, LlmJob, TokenOutput } from '../jobs/run-job.js'
import type { GenerateParams } from '../sdk/light-peer.js'
import { type OpenAiError, openAiError, toOpenAiError } from './errors.js'
import { type CompletionRequest, parseCompletionRequest } from './request.js'
import { partTrustFields, servedTier, trustTierHeaders } from './trust-tier.js'

const MAX_BODY_BYTES = 4 * 1024 * 1024

export interface GatewayOptions {
  /** What runs the jobs: a light client's `generate`. */
  generate: (params: GenerateParams) => LlmJob
  /** Models currently offered in the order book. */
  models: () => string[] | Promise<string[]>
  /** Default 0 (an ephemeral port). */
  port?: number
  /** Always loopback unless told otherwise. Default 127.0.0.1. */
  host?: string
  /** Default price cap (nanoTON per 1k tokens) when a request sets no `max_price`. */
  maxPrice?: bigint
  /** Default `max_tokens`. Default 256. */
  defaultMaxTokens?: number
  /** Where failed requests are logged (default `defaultLogger()`); pass the light peer's `libp2p.logger`. */
  logger?: ComponentLogger
}

export interface Gateway {
  /** e.g. `http://127.0.0.1:8080/v1` — what an OpenAI client takes as `baseURL`. */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/** What {@link startGateway} throws: node's listen error (`EADDRINUSE`, `EACCES`). */
export type StartGatewayErrorType = Error

/**
 * An OpenAI-compatible HTTP server (`/v1/models`, `/v1/chat/completions`,
 * `/v1/completions`, streaming SSE and not) that routes every request over
 * the mesh. Job errors become OpenAI error responses ({@link toOpenAiError}).
 * @throws {StartGatewayErrorType}
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log: Logger = (options.logger ?? defaultLogger()).forComponent('cocoon:gateway')
  const server: Server = createServer((req, res) => {
    handle(req, res, options).catch((err: unknown) => {
      log.error('request failed - %e', err)
      if (!res.headersSent) sendError(res, toOpenAiError(err))
      else res.end()
    })
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host}:${port}/v1`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, options: GatewayOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? ''
  if (path === '/v1/models' || path === '/models') {
    if (req.method !== 'GET') return sendError(res, methodNotAllowed(req.method))
    const models = [...new Set(await options.models())].sort()
    return sendJson(res, 200, {
      object: 'list',
      data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'cocoon-mesh' })),
    })
  }
  const chat = path === '/v1/chat/completions' || path === '/chat/completions'
  const text = path === '/v1/completions' || path === '/completions'
  if (!chat && !text) {
    return sendError(res, openAiError(404, `unknown path ${path}`, 'invalid_request_error', 'not_found'))
  }
  if (req.method !== 'POST') return sendError(res, methodNotAllowed(req.method))
  const raw = await readBody(req)
  if (typeof raw !== 'string') return sendError(res, raw)
  let body: unknown
  try {
    body = JSON.parse(raw)
  } catch {
    return sendError(
      res,
      openAiError(400, 'the request body is not valid JSON', 'invalid_request_error', 'invalid_json'),
    )
  }
  const parsed = parseCompletionRequest(body, chat)
  if ('status' in parsed) return sendError(res, parsed)
  await complete(res, parsed, chat, options)
}

async function complete(
  res: ServerResponse,
  request: CompletionRequest,
  chat: boolean,
  options: GatewayOptions,
): Promise<void> {
  const controller = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  const maxPrice = request.maxPrice ?? options.maxPrice
  const job = options.generate({
    model: request.model,
    ...(request.messages !== undefined ? { messages: request.messages } : { prompt: request.prompt ?? '' }),
    maxTokens: request.maxTokens ?? options.defaultMaxTokens ?? 256,
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(maxPrice !== undefined ? { maxPrice } : {}),
    signal: controller.signal,
  })
  const id = `${chat ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`
  // OpenAI's `created` is the wall-clock Unix time of the response, not market time
  const created = Math.floor(Date.now() / 1000)
  const iterator = job[Symbol.asyncIterator]()
  // wait for the first token (or the error) before committing to a status code
  let first: IteratorResult<TokenOutput>
  try {
    first = await iterator.next()
  } catch (err) {
    return sendError(res, toOpenAiError(err))
  }
  if (!request.stream) {
    let content = first.done === true ? '' : first.value.text
    try {
      for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) content += r.value.text
    } catch (err) {
      return sendError(res, toOpenAiError(err))
    }
    const usage = await job.usage
    const finish = finishReason(usage)
    return sendJson(
      res,
      200,
      {
        id,
        object: chat ? 'chat.completion' : 'text_completion',
        created,
        model: request.model,
        choices: [
          chat
            ? {
                index: 0,
                message: { role: 'assistant', content, refusal: null },
                logprobs: null,
                finish_reason: finish,
              }
            : { index: 0, text: content, logprobs: null, finish_reason: finish },
        ],
        usage: openAiUsage(usage),
        cocoon: cocoonUsage(usage),
      },
      trustTierHeaders(usage),
    )
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...trustTierHeaders({ first: first.done === true ? undefined : first.value }),
  })
  const chunk = (
    delta: string | undefined,
    finish: string | null,
    role = false,
  ): Record<string, unknown> => ({
    id,
    object: chat ? 'chat.completion.chunk' : 'text_completion',
    created,
    model: request.model,
    choices: [
      chat
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
  })
  const send = async (data: unknown): Promise<void> => {
    if (!res.write(`data: ${JSON.stringify(data)}\n\n`)) await new Promise((r) => res.once('drain', r))
  }
  try {
    if (chat) await send(chunk('', null, true))
    if (first.done !== true) await send(chunk(first.value.text, null))
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) {
      await send(chunk(r.value.text, null))
    }
    const usage = await job.usage
    await send(chunk(undefined, finishReason(usage)))
    if (request.includeUsage) {
      await send({
        id,
        object: chat ? 'chat.completion.chunk' : 'text_completion',
        created,
        model: request.model,
        choices: [],
        usage: openAiUsage(usage),
        cocoon: cocoonUsage(usage),
      })
    }
    res.end('data: [DONE]\n\n')
  } catch (err) {
    if (controller.signal.aborted) return
    // headers are sent: report the error in-band, as OpenAI-compatible servers do
    res.end(`data: ${JSON.stringify(toOpenAiError(err).body)}\n\n`)
  }
}

function finishReason(usage: JobUsage): string {
  return usage.finishReason === 'stop' ? 'stop' : 'length'
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

function methodNotAllowed(method: string | undefined): OpenAiError {
  return openAiError(405, `method ${method ?? ''} not allowed`, 'invalid_request_error', 'method_not_allowed')
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

function sendError(res: ServerResponse, error: OpenAiError): void {
  sendJson(res, error.status, error.body)
}

async function readBody(req: IncomingMessage): Promise<string | OpenAiError> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength
    if (size > MAX_BODY_BYTES) {
      return openAiError(
        413,
        `request body above ${MAX_BODY_BYTES} bytes`,
        'invalid_request_error',
        'too_large',
      )
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
