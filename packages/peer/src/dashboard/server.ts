/**
 * Serves the node's dashboard on 127.0.0.1: the page (`/`), its script and
 * chart.js, a JSON snapshot (`/api/state`) and live updates as server-sent
 * events (`/api/events`). Every request needs the random token printed at
 * start; it is bound to 127.0.0.1 because it shows who the node trades with
 * and what it earns.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorMessage, markHandled } from '@cocoon-mesh/protocol'
import { type DashboardAssets, loadDashboardAssets } from './assets.js'
import { type DashboardAssetsError, DashboardListenError } from './errors.js'
import type { DashboardFeed } from './feed.js'
import type { Snapshots } from './snapshot.js'
import { EventStreams } from './sse.js'
import { newToken, requestToken, TOKEN_COOKIE, tokenMatches } from './token.js'

export interface DashboardServer {
  /** `http://127.0.0.1:<port>/?token=<token>`: the page, with its access token. */
  readonly url: string
  close(): Promise<void>
}

export interface StartDashboardServerParameters {
  feed: DashboardFeed
  snapshots: Snapshots
  /** 0 picks a free port. */
  port: number
  host?: string
  /** Most live streams at once (default 8); one more gets 503. */
  maxClients?: number
}

/** What {@link startDashboardServer} throws. */
export type StartDashboardServerErrorType = DashboardListenError | DashboardAssetsError

const SECURITY_HEADERS = {
  // the page runs only its own scripts and talks only to this server, whatever a stranger's string holds
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

/**
 * Starts the dashboard; throws `DashboardListenError` when the port is taken.
 * @throws {StartDashboardServerErrorType}
 */
export async function startDashboardServer(p: StartDashboardServerParameters): Promise<DashboardServer> {
  const host = p.host ?? '127.0.0.1'
  const assets = await loadDashboardAssets()
  const token = newToken()
  const streams = new EventStreams(p.maxClients ?? 8)
  const pusher = statePusher(p.snapshots, streams)
  const unsubscribe = p.feed.subscribe((e) => {
    if (e.event === 'job-finished' || e.event === 'claim-pass') p.snapshots.markEarningsStale()
    streams.send('node', e)
    pusher.push()
  })
  // earnings also change by claims made elsewhere: read them again now and then
  const refresh = setInterval(() => {
    p.snapshots.markEarningsStale()
    pusher.push()
  }, 10_000)
  refresh.unref()
  const server: Server = createServer((req, res) => {
    handle(req, res, { token, assets, streams, snapshots: p.snapshots, host })
  })
  await listen(server, host, p.port)
  const address = server.address() as AddressInfo
  return {
    url: `http://${host}:${address.port}/?token=${token}`,
    close: () => {
      clearInterval(refresh)
      pusher.stop()
      unsubscribe()
      streams.close()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new DashboardListenError('cannot serve the dashboard', {
          details: `listening on ${host}:${port} failed (${cause.code ?? cause.message}); pick another --dashboard-port (0 picks a free one) or free that one`,
          cause,
        }),
      ),
    )
    server.listen(port, host, resolve)
  })
}

/**
 * Most bytes of a pushed state: the capped lists with every string clipped stay
 * well below it; a larger one (a provider with thousands of channels) makes the
 * page load `/api/state` instead.
 */
const MAX_STATE_BYTES = 2 * 1024 * 1024

/** Sends a fresh snapshot to every stream, once per burst of events (within 100 ms). */
function statePusher(snapshots: Snapshots, streams: EventStreams): { push(): void; stop(): void } {
  let pending: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  const push = (): void => {
    if (pending !== undefined || stopped || streams.size === 0) return
    pending = setTimeout(() => {
      pending = undefined
      markHandled(
        snapshots.state().then(
          (state) => streams.send('state', state, MAX_STATE_BYTES),
          (error: unknown) => streams.send('state-failed', { message: errorMessage(error) }),
        ),
      )
    }, 100)
  }
  return {
    push,
    stop: () => {
      stopped = true
      if (pending !== undefined) clearTimeout(pending)
    },
  }
}

interface Context {
  token: string
  assets: DashboardAssets
  streams: EventStreams
  snapshots: Snapshots
  host: string
}

function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): void {
  const url = new URL(req.url ?? '/', `http://${ctx.host}`)
  if (!tokenMatches(ctx.token, requestToken(req, url))) {
    res
      .writeHead(401, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
      .end(
        'This dashboard needs its access token. Open the URL the node printed at start (the "dashboard http://127.0.0.1:<port>/?token=..." line of `cocoon node start --dashboard-port <port>`); the token changes at each start.\n',
      )
    return
  }
  if (req.method !== 'GET') {
    res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET', ...SECURITY_HEADERS }).end('only GET\n')
    return
  }
  switch (url.pathname) {
    case '/':
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        // the page's own requests carry the token as a cookie no script can read
        'set-cookie': `${TOKEN_COOKIE}=${ctx.token}; HttpOnly; SameSite=Strict; Path=/`,
        ...SECURITY_HEADERS,
      })
      res.end(ctx.assets.html)
      return
    case '/app.js':
    case '/chart.js':
    case '/style.css':
      sendAsset(res, ctx.assets, url.pathname)
      return
    case '/api/state':
      markHandled(
        ctx.snapshots.state().then(
          (state) =>
            res
              .writeHead(200, { 'content-type': 'application/json', ...SECURITY_HEADERS })
              .end(JSON.stringify(state)),
          (error: unknown) =>
            res
              .writeHead(500, { 'content-type': 'text/plain', ...SECURITY_HEADERS })
              .end(`reading the node's state failed: ${errorMessage(error)}\n`),
        ),
      )
      return
    case '/api/events':
      if (!ctx.streams.open(res))
        res
          .writeHead(503, { 'content-type': 'text/plain', 'retry-after': '10', ...SECURITY_HEADERS })
          .end('too many dashboard tabs are open on this node: close one and reload\n')
      return
    default:
      res.writeHead(404, { 'content-type': 'text/plain', ...SECURITY_HEADERS }).end('not found\n')
  }
}

function sendAsset(
  res: ServerResponse,
  assets: DashboardAssets,
  path: '/app.js' | '/chart.js' | '/style.css',
): void {
  const [type, body] =
    path === '/style.css'
      ? ['text/css; charset=utf-8', assets.css]
      : ['text/javascript; charset=utf-8', path === '/app.js' ? assets.app : assets.chart]
  res.writeHead(200, { 'content-type': type, ...SECURITY_HEADERS }).end(body)
}
