/**
 * A small OpenAI-compatible inference server on 127.0.0.1:0 that answers the
 * way vLLM does: `/v1/models`, streaming `/v1/completions` and
 * `/v1/chat/completions` (one word per token, `max_tokens`, `stop` strings,
 * usage in a last chunk with `stream_options.include_usage`), a Bearer API
 * key (401), unknown models (404) and bad bodies (400) as vLLM error objects.
 * With `garbage: true` it answers every request with a body that is not an
 * event stream.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface UpstreamRequestSeen {
  path: string
  body: Record<string, unknown>
  authorization: string | undefined
}

export interface OpenAiUpstream {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Every completion request received, in order. */
  readonly requests: UpstreamRequestSeen[]
  close(): Promise<void>
}

export interface OpenAiUpstreamOptions {
  /** The model name served (others get a 404). */
  model: string
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string
  /** Answer every request with a 200 that is not an event stream. */
  garbage?: boolean
}

function vllmError(res: ServerResponse, code: number, type: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ object: 'error', message, type, param: null, code }))
}

function words(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length
}

function promptOf(body: Record<string, unknown>): string {
  if (Array.isArray(body.messages))
    return body.messages.map((m) => String((m as { content?: unknown }).content ?? '')).join(' ')
  return String(body.prompt ?? '')
}

/** Streams `max_tokens` words, ending early with finish_reason "stop" where a stop string would appear. */
function stream(res: ServerResponse, body: Record<string, unknown>, chat: boolean): void {
  const max = Number(body.max_tokens ?? 16)
  const stops = (Array.isArray(body.stop) ? body.stop : body.stop === undefined ? [] : [body.stop]).map(
    String,
  )
  const includeUsage =
    (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
  const promptTokens = words(promptOf(body))
  const id = `cmpl-${Math.random().toString(36).slice(2)}`
  const chunk = (text: string | null, finish: string | null): string => {
    const choice = chat
      ? { index: 0, delta: text === null ? {} : { content: text }, finish_reason: finish }
      : { index: 0, text: text ?? '', finish_reason: finish }
    return `data: ${JSON.stringify({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', model: body.model, choices: [choice] })}\n\n`
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  let text = ''
  let sent = 0
  let finish = 'length'
  for (let i = 0; i < max; i++) {
    const piece = `w${i} `
    if (stops.some((s) => s !== '' && (text + piece).includes(s))) {
      finish = 'stop'
      break
    }
    text += piece
    sent++
    res.write(chunk(piece, null))
  }
  res.write(chunk(null, finish))
  if (includeUsage)
    res.write(
      `data: ${JSON.stringify({
        id,
        choices: [],
        usage: { prompt_tokens: promptTokens, completion_tokens: sent, total_tokens: promptTokens + sent },
      })}\n\n`,
    )
  res.end('data: [DONE]\n\n')
}

function handle(
  options: OpenAiUpstreamOptions,
  requests: UpstreamRequestSeen[],
  req: IncomingMessage,
  res: ServerResponse,
  raw: string,
): void {
  if (options.garbage === true) {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<html><body>It works!</body></html>')
    return
  }
  if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
    res.writeHead(401, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: 'Unauthorized' }))
    return
  }
  if (req.method === 'GET' && req.url === '/v1/models') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ object: 'list', data: [{ id: options.model, object: 'model' }] }))
    return
  }
  const chat = req.url === '/v1/chat/completions'
  if (req.method !== 'POST' || (!chat && req.url !== '/v1/completions')) {
    vllmError(res, 404, 'NotFoundError', `no route ${req.method} ${req.url}`)
    return
  }
  let body: Record<string, unknown>
  try {
    body = JSON.parse(raw) as Record<string, unknown>
  } catch {
    vllmError(res, 400, 'BadRequestError', 'request body is not JSON')
    return
  }
  requests.push({ path: req.url ?? '', body, authorization: req.headers.authorization })
  if (body.model !== options.model) {
    vllmError(res, 404, 'NotFoundError', `The model \`${String(body.model)}\` does not exist.`)
    return
  }
  if (body.stream !== true) {
    vllmError(res, 400, 'BadRequestError', 'this test server only streams')
    return
  }
  stream(res, body, chat)
}

/** Starts the server; `close()` stops it (open connections included). */
export function startOpenAiUpstream(options: OpenAiUpstreamOptions): Promise<OpenAiUpstream> {
  const requests: UpstreamRequestSeen[] = []
  const server = createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => {
      raw += d
    })
    req.on('end', () => handle(options, requests, req, res, raw))
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections()
            server.close((error) => (error === undefined ? done() : fail(error)))
          }),
      })
    })
  })
}
