/**
 * The dashboard's server-sent event streams: at most `maxClients` at once, each
 * dropped when it stops reading (so a stalled tab cannot pile up the node's memory).
 */
import type { ServerResponse } from 'node:http'

/**
 * Most bytes one event's data may carry by default; a longer one is replaced
 * by `{"truncated":true}` (the page then loads `/api/state` instead).
 */
export const MAX_EVENT_BYTES = 16 * 1024
/** Most bytes queued for a client that does not read before it is dropped. */
const MAX_BUFFERED = 1024 * 1024

export class EventStreams {
  readonly #clients = new Set<ServerResponse>()
  readonly #maxClients: number
  readonly #heartbeat: ReturnType<typeof setInterval>

  constructor(maxClients: number) {
    this.#maxClients = maxClients
    // a comment every 15 s: proxies keep the stream open, and a closed tab is noticed
    this.#heartbeat = setInterval(() => this.#write(': keep-alive\n\n'), 15_000)
    this.#heartbeat.unref()
  }

  get size(): number {
    return this.#clients.size
  }

  /** Starts a stream on `res`; false (and nothing written) when `maxClients` streams are open. */
  open(res: ServerResponse): boolean {
    if (this.#clients.size >= this.#maxClients) return false
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    })
    res.write('retry: 2000\n\n')
    this.#clients.add(res)
    res.on('close', () => this.#clients.delete(res))
    return true
  }

  /** Sends `data` as JSON in an event named `event` to every stream, if it is at most `maxBytes` long. */
  send(event: string, data: unknown, maxBytes = MAX_EVENT_BYTES): void {
    if (this.#clients.size === 0) return
    let json = JSON.stringify(data)
    if (Buffer.byteLength(json) > maxBytes) json = JSON.stringify({ truncated: true })
    this.#write(`event: ${event}\ndata: ${json}\n\n`)
  }

  #write(text: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > MAX_BUFFERED) {
        this.#clients.delete(res)
        res.destroy()
        continue
      }
      res.write(text)
    }
  }

  close(): void {
    clearInterval(this.#heartbeat)
    for (const res of this.#clients) res.end()
    this.#clients.clear()
  }
}
