import { toError } from '@cocoon-mesh/protocol'
import {
  type ComponentLogger,
  type Connection,
  type Logger,
  type Startable,
  type Stream,
  type StreamMessageEvent,
  serviceDependencies,
  TimeoutError,
} from '@libp2p/interface'
import type { ProtocolRegistrar } from './offers-protocol.js'

/** The protocol of libp2p's ping service, whose handler this service replaces. */
export const PING_PROTOCOL = '/ipfs/ping/1.0.0'

export interface PingResponderInit {
  /**
   * Outbound ping streams per connection (default 3): libp2p's connection
   * monitor (every 10 s), kad-dht's routing-table checks and the SDK's latency
   * probe share the protocol, and at libp2p's default of one a concurrent ping
   * fails the monitor's, which then closes the connection.
   */
  maxOutboundStreams?: number
  /** Inbound ping streams per connection (default 4). */
  maxInboundStreams?: number
  /** Longest life of an answered ping stream, ms (default 10 000, libp2p's ping timeout). */
  timeoutMs?: number
}

export interface PingResponderComponents {
  registrar: ProtocolRegistrar
  logger: ComponentLogger
}

/**
 * Answers `/ipfs/ping/1.0.0` in place of libp2p's ping handler, which
 * iterates the stream and so misses a remote close that arrived with the ping
 * itself (the stream's iterator ends on `remoteCloseWrite`, which fired before
 * the handler ran, not on `end`): that handler then holds the stream
 * half-open until its 10 s timeout resets it, and the pinging side, counting
 * the stream as open, fails its next ping with too many outbound streams.
 * This one echoes each message and closes its side on `end`. Pinging
 * (`ping.ping`) stays libp2p's.
 */
export class PingResponderService implements Startable {
  readonly #components: PingResponderComponents
  readonly #init: PingResponderInit
  readonly #log: Logger

  constructor(components: PingResponderComponents, init: PingResponderInit = {}) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('cocoon:ping-responder')
  }

  readonly [Symbol.toStringTag] = 'cocoon/ping-responder'
  readonly [serviceDependencies]: string[] = ['@libp2p/ping']

  start(): void {}

  /** After every service started: libp2p's ping service registers its handler in its own `start`. */
  async afterStart(): Promise<void> {
    const registrar = this.#components.registrar
    await registrar.unhandle(PING_PROTOCOL)
    await registrar.handle(PING_PROTOCOL, (stream, connection) => this.answer(stream, connection), {
      maxInboundStreams: this.#init.maxInboundStreams ?? 4,
      maxOutboundStreams: this.#init.maxOutboundStreams ?? 3,
      runOnLimitedConnection: true,
    })
  }

  stop(): void {}

  /** Echoes `stream` until the remote ends its side, then closes ours; never rejects. */
  answer(stream: Stream, connection: Connection): Promise<void> {
    const timeoutMs = this.#init.timeoutMs ?? 10_000
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        done()
        stream.abort(new TimeoutError(`ping stream still open after ${timeoutMs} ms`))
      }, timeoutMs)
      const done = (): void => {
        clearTimeout(timer)
        stream.removeEventListener('message', onMessage)
        stream.removeEventListener('end', onEnd)
        stream.removeEventListener('close', done)
        resolve()
      }
      const onMessage = (event: StreamMessageEvent): void => {
        // a read buffer is still dispatched after the stream stopped being writable (a reset,
        // or the remote's data racing our close), and `send` then throws from inside an event
        // handler, which would end the process: a remote controls that timing
        if (stream.writeStatus !== 'writable') {
          done()
          return
        }
        try {
          // a peer that does not read its pongs gets no unbounded buffer
          if (stream.send(event.data)) return
          done()
          stream.abort(new TimeoutError('ping stream not read by its sender'))
        } catch (error) {
          done()
          this.#log('answering a ping from %p failed - %e', connection.remotePeer, error)
          stream.abort(toError(error))
        }
      }
      const onEnd = (): void => {
        done()
        this.#log('answered a ping stream from %p', connection.remotePeer)
        stream.close({ signal: AbortSignal.timeout(timeoutMs) }).catch((error: unknown) => {
          this.#log('closing an answered ping stream failed - %e', error)
          stream.abort(toError(error))
        })
      }
      stream.addEventListener('message', onMessage)
      stream.addEventListener('end', onEnd)
      stream.addEventListener('close', done)
      if (stream.readableEnded) onEnd()
    })
  }
}

/** The ping responder factory (js-libp2p style); the node also runs libp2p's `ping()` service. */
export function pingResponder(
  init: PingResponderInit = {},
): (components: PingResponderComponents) => PingResponderService {
  return (components) => new PingResponderService(components, init)
}
