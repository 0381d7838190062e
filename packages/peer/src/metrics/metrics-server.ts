/**
 * Serves a prom-client registry as Prometheus text on `GET /metrics`, bound
 * to 127.0.0.1 by default (metrics tell who you trade with; expose them
 * deliberately, e.g. behind your scraper's network).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { Registry } from 'prom-client'
import { MetricsListenError } from './errors.js'

export interface MetricsServer {
  /** `http://host:port/metrics` */
  readonly url: string
  close(): Promise<void>
}

export interface StartMetricsServerParameters {
  registry: Registry
  /** 0 picks a free port. */
  port: number
  host?: string
}

/** What {@link startMetricsServer} throws. */
export type StartMetricsServerErrorType = MetricsListenError

/**
 * Starts the `/metrics` endpoint; throws `MetricsListenError` when the port is taken.
 * @throws {StartMetricsServerErrorType}
 */
export async function startMetricsServer({
  registry,
  port,
  host = '127.0.0.1',
}: StartMetricsServerParameters): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n')
      return
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${errorMessage(error)}\n`),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new MetricsListenError('cannot serve metrics', {
          details: `listening on ${host}:${port} failed (${cause.code ?? cause.message}); pick another --metrics-port or free that one`,
          cause,
        }),
      ),
    )
    server.listen(port, host, resolve)
  })
  const address = server.address() as AddressInfo
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
