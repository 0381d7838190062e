import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { EmbedJobResult, LlmJob } from '@cocoon-mesh/client/internal'
import {
  type EmbedParameters,
  type GenerateParameters,
  type PriceCap,
  toMaxPrice,
} from '@cocoon-mesh/client/internal'
import { canonicalModelId, type Offer } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger, Metrics } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { modelNotFound, offeredModels, refuseBeforeJob } from './admissible.js'
import { complete } from './completion.js'
import { type CorsOptions, corsHeaders, preflight } from './cors.js'
import { embeddings } from './embeddings.js'
import { invalidRequest, type OpenAiError, openAiError, toOpenAiError } from './errors.js'
import { GatewayQueue, type GatewayQueueOptions } from './queue.js'
import { parseCompletionRequest } from './request.js'
import { type RequestLogger, type RequestRecord, requestLogger } from './request-log.js'
import { sendError, sendJson } from './respond.js'

/** Completion tokens a request without `max_tokens` asks for. */
const DEFAULT_MAX_TOKENS = 256

/** The largest request body read, bytes. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024

/** A prom-client registry, as the gateway serves it on `/metrics`. */
export interface MetricsRegistry {
  readonly contentType: string
  metrics(): Promise<string>
}

export interface GatewayOptions {
  /** What runs the jobs: a light client's `generate`. */
  generate: (params: GenerateParameters) => LlmJob
  /** What runs `/v1/embeddings`: a light client's `embed`. Without it the route answers 404. */
  embed?: (params: EmbedParameters) => Promise<EmbedJobResult>
  /** Every live offer of the warm order book: which models exist, at what price and trust tier. */
  offers: () => readonly Offer[]
  /** Called for a model nobody offers, so the book starts watching it (the request itself gets its 404 at once). */
  watch?: (model: string) => void
  /** Default 0 (an ephemeral port). */
  port?: number
  /** Always loopback unless told otherwise. Default 127.0.0.1. */
  host?: string
  /** Default price cap (nanoTON per 1k tokens) when a request sets no `max_price`. */
  maxPrice?: bigint
  /** Default `max_tokens`. Default 256. */
  defaultMaxTokens?: number
  /** Origins allowed to call from a web page. Default none (no CORS headers). */
  cors?: CorsOptions
  /** The gateway's own bounded queue (jobs in flight, requests waiting, how long). */
  queue?: GatewayQueueOptions
  /** Where the gateway's metrics are registered (`cocoon_gateway_*`). */
  metrics?: Metrics
  /** Served on `GET /metrics` when set: the registry `metrics` writes to. */
  registry?: MetricsRegistry
  /** The clock offers are checked against. Default `Date.now`. */
  now?: () => number
  /** Where requests are logged, one line each (default `defaultLogger()`); pass the light peer's `libp2p.logger`. */
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

interface Served {
  options: GatewayOptions
  queue: GatewayQueue
  now: () => number
}

/**
 * An OpenAI-compatible HTTP server (`/v1/models`, `/v1/models/{id}`,
 * `/v1/chat/completions`, `/v1/completions`, streaming SSE and not, and
 * `/metrics`) that routes every request over the mesh. Job errors become
 * OpenAI error responses ({@link toOpenAiError}); each request is logged as one line.
 * @throws {StartGatewayErrorType}
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log: Logger = (options.logger ?? defaultLogger()).forComponent('cocoon:gateway')
  const now = options.now ?? Date.now
  const queue = new GatewayQueue({ ...options.queue, now })
  const logRequest = requestLogger(log, options.metrics, {
    running: () => queue.running,
    waiting: () => queue.waiting,
  })
  const served: Served = { options, queue, now }
  const server: Server = createServer((req, res) => serve(req, res, served, logRequest))
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

/** Serves one request and logs it once its response ended (or the caller left). */
function serve(req: IncomingMessage, res: ServerResponse, served: Served, logRequest: RequestLogger): void {
  const startedAt = served.now()
  const record: RequestRecord = { method: req.method ?? '', path: routePath(req) }
  res.once('close', () =>
    logRequest({ ...record, status: record.status ?? res.statusCode }, served.now() - startedAt),
  )
  const headers = corsHeaders(req.headers.origin, served.options.cors)
  route(req, res, { ...served, record, headers, startedAt }).catch((err: unknown) => {
    record.error = String(err)
    if (!res.headersSent) sendError(res, toOpenAiError(err), headers)
    else res.end()
  })
}

function routePath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? ''
}

interface RequestScope extends Served {
  record: RequestRecord
  headers: Record<string, string>
  startedAt: number
}

async function route(req: IncomingMessage, res: ServerResponse, scope: RequestScope): Promise<void> {
  const { options, headers } = scope
  const path = scope.record.path.replace(/^\/v1(?=\/)/, '')
  if (req.method === 'OPTIONS') {
    const answer = preflight(req.headers.origin, req.headers['access-control-request-headers'], options.cors)
    res.writeHead(answer.status, answer.headers).end()
    return
  }
  if (path === '/metrics' && options.registry !== undefined) {
    if (req.method !== 'GET') return sendError(res, methodNotAllowed(req.method), headers)
    const text = await options.registry.metrics()
    res.writeHead(200, { 'content-type': options.registry.contentType }).end(text)
    return
  }
  if (path === '/models' || path.startsWith('/models/')) {
    if (req.method !== 'GET') return sendError(res, methodNotAllowed(req.method), headers)
    return listModels(res, path, scope)
  }
  if (path === '/embeddings' && options.embed !== undefined) {
    if (req.method !== 'POST') return sendError(res, methodNotAllowed(req.method), headers)
    const body = await readJson(req)
    if ('status' in body) return sendError(res, body, headers)
    return embeddings(res, body.json, {
      embed: options.embed,
      offers: options.offers(),
      now: scope.now(),
      ...(options.maxPrice !== undefined ? { maxPrice: options.maxPrice } : {}),
      record: scope.record,
      headers,
      signal: closeSignal(res),
    })
  }
  const endpoint = path === '/chat/completions' ? 'chat' : path === '/completions' ? 'completion' : undefined
  if (endpoint === undefined) {
    return sendError(
      res,
      openAiError(404, `unknown path ${scope.record.path}`, 'invalid_request_error', 'not_found'),
      headers,
    )
  }
  if (req.method !== 'POST') return sendError(res, methodNotAllowed(req.method), headers)
  const body = await readJson(req)
  if ('status' in body) return sendError(res, body, headers)
  const request = parseCompletionRequest(body.json, endpoint)
  if ('status' in request) return refuse(res, request, scope)
  scope.record.model = request.model
  if (request.user !== undefined) scope.record.user = request.user
  const maxPrice = request.maxPrice ?? options.maxPrice
  const refusal = refuseBeforeJob({
    request,
    offers: options.offers(),
    now: scope.now(),
    ...(maxPrice !== undefined ? { maxPrice: toMaxPrice(maxPrice as PriceCap) } : {}),
    maxPriceFromRequest: request.maxPrice !== undefined,
    maxTokens: request.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
  })
  if (refusal !== undefined) {
    if (refusal.status === 404) options.watch?.(request.model)
    return refuse(res, refusal, scope)
  }
  await complete(res, request, endpoint, {
    generate: options.generate,
    queue: scope.queue,
    ...(options.maxPrice !== undefined ? { maxPrice: options.maxPrice } : {}),
    defaultMaxTokens: options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
    record: scope.record,
    startedAt: scope.startedAt,
    now: scope.now,
    headers,
  })
}

/** Fires when the caller goes away before the response ended. */
function closeSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  return controller.signal
}

function refuse(res: ServerResponse, error: OpenAiError, scope: RequestScope): void {
  scope.record.error = error.body.error.message
  sendError(res, error, scope.headers)
}

/** `GET /v1/models` (every model the warm book holds offers for) and `GET /v1/models/{id}`. */
function listModels(res: ServerResponse, path: string, scope: RequestScope): void {
  const models = offeredModels(scope.options.offers(), scope.now())
  const entry = (id: string) => ({ id, object: 'model', created: 0, owned_by: 'cocoon-mesh' })
  if (path === '/models') {
    sendJson(res, 200, { object: 'list', data: models.map(entry) }, scope.headers)
    return
  }
  const id = pathModel(path.slice('/models/'.length))
  if (id === undefined) {
    refuse(
      res,
      invalidRequest('the model id in the path is not valid percent-encoding', 'invalid_value', 'model'),
      scope,
    )
  } else if (models.includes(canonicalModelId(id))) {
    sendJson(res, 200, entry(canonicalModelId(id)), scope.headers)
  } else {
    scope.options.watch?.(id)
    refuse(res, modelNotFound(id), scope)
  }
}

function pathModel(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

function methodNotAllowed(method: string | undefined): OpenAiError {
  return openAiError(405, `method ${method ?? ''} not allowed`, 'invalid_request_error', 'method_not_allowed')
}

/** The body parsed as JSON, or the 413 / 400 for one too large or not JSON. */
async function readJson(req: IncomingMessage): Promise<{ json: unknown } | OpenAiError> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength
    if (size > MAX_BODY_BYTES) {
      return openAiError(
        413,
        `the request body is larger than ${MAX_BODY_BYTES} bytes`,
        'invalid_request_error',
        'request_too_large',
      )
    }
    chunks.push(chunk as Buffer)
  }
  try {
    return { json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }
  } catch {
    return openAiError(400, 'the request body is not valid JSON', 'invalid_request_error', 'invalid_json')
  }
}
