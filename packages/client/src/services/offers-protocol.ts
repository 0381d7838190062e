import {
  canonicalModelId,
  decodeOffersRequest,
  decodeOffersResponse,
  encodeOffersRequest,
  encodeOffersResponse,
  MAX_OFFERS_PER_RESPONSE,
  MAX_OFFERS_REQUEST_BYTES,
  MAX_OFFERS_RESPONSE_BYTES,
  MAX_ORDER_BOOK_MESSAGE_BYTES,
  type MalformedMessageError,
  type MessageStreamCodec,
  type MessageTooLargeError,
  messageStream,
  OFFERS_PROTOCOL,
  OFFERS_PUSH_PROTOCOL,
  type Offer,
  type OffersRequest,
  type OffersResponse,
  type StreamEndedError,
  toError,
  type UnsupportedVersionError,
} from '@cocoon-mesh/protocol'
import {
  type AbortOptions,
  type ComponentLogger,
  type Connection,
  type Logger,
  type PeerId,
  type Startable,
  type Stream,
  type StreamHandler,
  type StreamHandlerOptions,
  serviceCapabilities,
  serviceDependencies,
} from '@libp2p/interface'
import { ORDER_BOOK_CAPABILITY, type OrderBookService } from './order-book.js'

/** The capability the offers-protocol service declares. */
export const OFFERS_PROTOCOL_CAPABILITY = '@cocoon-mesh/offers-protocol'

const REQUEST_CODEC: MessageStreamCodec<OffersRequest> = {
  name: 'OffersRequest',
  encode: encodeOffersRequest,
  decode: decodeOffersRequest,
  maxBytes: MAX_OFFERS_REQUEST_BYTES,
}

const RESPONSE_CODEC: MessageStreamCodec<OffersResponse> = {
  name: 'OffersResponse',
  encode: encodeOffersResponse,
  decode: decodeOffersResponse,
  maxBytes: MAX_OFFERS_RESPONSE_BYTES,
}

export { OFFERS_PUSH_PROTOCOL } from '@cocoon-mesh/protocol'

/**
 * The pushed message stays raw bytes: the order book validates exactly what
 * arrived. They are copied out of the transport's Buffer so that the bytes
 * fields of the decoded offer are plain Uint8Arrays, as from gossip.
 */
const PUSH_CODEC: MessageStreamCodec<Uint8Array> = {
  name: 'OrderBookMessage',
  encode: (bytes) => bytes,
  decode: (bytes) => Uint8Array.from(bytes.subarray()),
  maxBytes: MAX_ORDER_BOOK_MESSAGE_BYTES,
}

export interface OffersProtocolInit {
  /** Per-request timeout in ms (default 5000). */
  timeoutMs?: number
}

/** The part of libp2p's registrar this service uses. */
export interface ProtocolRegistrar {
  handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
  unhandle(protocol: string): Promise<void>
}

export interface OffersProtocolComponents {
  /** This peer: its own offers (when it provides) come first in responses. */
  peerId: PeerId
  registrar: ProtocolRegistrar
  logger: ComponentLogger
  /** The order-book service whose offers are answered and which validates pushed messages. */
  orderBook: OrderBookService
}

/**
 * `/cocoon/offers/1.0.0`: answers an OffersRequest with the live offers this
 * peer holds for the model (its own first, if it is a provider), so a peer
 * that just joined can ask providers found in the DHT without waiting for
 * gossip. One request, one response per stream.
 */
export class OffersProtocolService implements Startable {
  readonly #components: OffersProtocolComponents
  readonly #log: Logger
  readonly #timeoutMs: number

  constructor(components: OffersProtocolComponents, init: OffersProtocolInit = {}) {
    this.#components = components
    this.#log = components.logger.forComponent('cocoon:offers-protocol')
    this.#timeoutMs = init.timeoutMs ?? 5000
  }

  readonly [Symbol.toStringTag] = 'cocoon/offers-protocol'
  readonly [serviceCapabilities]: string[] = [OFFERS_PROTOCOL_CAPABILITY]
  readonly [serviceDependencies]: string[] = [ORDER_BOOK_CAPABILITY]

  async start(): Promise<void> {
    await this.#components.registrar.handle(
      OFFERS_PROTOCOL,
      (stream, connection) => this.#handle(stream, connection),
      {
        maxInboundStreams: 8,
      },
    )

    await this.#components.registrar.handle(
      OFFERS_PUSH_PROTOCOL,
      (stream, connection) => this.#handlePush(stream, connection),
      { maxInboundStreams: 8 },
    )
  }

  async stop(): Promise<void> {
    await this.#components.registrar.unhandle(OFFERS_PROTOCOL)
    await this.#components.registrar.unhandle(OFFERS_PUSH_PROTOCOL)
  }

  /** Validates a pushed message through the order book, then closes the stream (the acknowledgement). */
  async #handlePush(stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.#timeoutMs)
    try {
      const data = await messageStream(stream, PUSH_CODEC).read({ signal })
      // the connection the push arrived on: its address is the pusher's, for the origin limits
      const verdict = await this.#components.orderBook.receivePushed(connection.remotePeer, data, connection)
      this.#log('pushed order-book message from %p: %s', connection.remotePeer, verdict)
      await stream.close({ signal })
    } catch (error) {
      this.#log('push from %p failed - %e', connection.remotePeer, error)
      stream.abort(toError(error))
    }
  }

  async #handle(stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.#timeoutMs)
    try {
      const messages = messageStream(stream, REQUEST_CODEC)
      const request = await messages.read({ signal })
      const offers = this.offersFor(request.model)
      const out = messageStream(messages.unwrap(), RESPONSE_CODEC)
      await out.write({ offers }, { signal })
      await stream.close({ signal })
    } catch (error) {
      this.#log('offers request from %p failed - %e', connection.remotePeer, error)
      stream.abort(toError(error))
    }
  }

  /** The offers this peer would answer for `model` (all models when empty), its own first. */
  offersFor(model: string): Offer[] {
    const own = this.#components.peerId.toString()
    const entries = this.#components.orderBook.entries(model === '' ? undefined : canonicalModelId(model))
    entries.sort((a, b) => Number(b.provider === own) - Number(a.provider === own))
    return entries.slice(0, MAX_OFFERS_PER_RESPONSE).map((e) => e.offer)
  }
}

export function offersProtocol(
  init: OffersProtocolInit = {},
): (components: OffersProtocolComponents) => OffersProtocolService {
  return (components) => new OffersProtocolService(components, init)
}

/** Something that can open a protocol stream to a peer (a libp2p node). */
export interface StreamDialer {
  dialProtocol(peer: PeerId, protocols: string | string[], options?: AbortOptions): Promise<Stream>
}

/**
 * What {@link fetchOffers} and {@link pushOrderBookMessage} throw: a message
 * over its limit, bytes that do not decode, a version this peer does not
 * speak, the stream ending early, or libp2p's own dial, reset and abort errors.
 */
export type OffersStreamErrorType =
  | MessageTooLargeError
  | MalformedMessageError
  | UnsupportedVersionError
  | StreamEndedError
  | Error

/** What {@link fetchOffers} throws. */
export type FetchOffersErrorType = OffersStreamErrorType

/**
 * Asks `peer` for its current offers of `model` over `/cocoon/offers/1.0.0`.
 * The offers are NOT verified here: pass them through the order book
 * (`OrderBookService.addVerified`) before trusting them.
 * @throws {FetchOffersErrorType}
 */
export async function fetchOffers(
  dialer: StreamDialer,
  peer: PeerId,
  model: string,
  options: AbortOptions = {},
): Promise<Offer[]> {
  const signal = options.signal ?? AbortSignal.timeout(5000)
  const stream = await dialer.dialProtocol(peer, OFFERS_PROTOCOL, { signal })
  try {
    const out = messageStream(stream, REQUEST_CODEC)
    await out.write({ model }, { signal })
    const response = await messageStream(out.unwrap(), RESPONSE_CODEC).read({ signal })
    // the response is in: a stream that cannot close gracefully is reset instead
    await stream.close({ signal }).catch((error: unknown) => stream.abort(toError(error)))
    return response.offers
  } catch (error) {
    stream.abort(toError(error))
    throw error
  }
}

/** What {@link pushOrderBookMessage} throws. */
export type PushOrderBookMessageErrorType = OffersStreamErrorType

/**
 * Pushes one encoded OrderBookMessage to `peer` over `/cocoon/offers/push/1.0.0`
 * and resolves once the peer has validated and applied it (it closes the
 * stream after its order book took the message). Rejects when the peer does
 * not speak the protocol, resets the stream, or `signal` fires first.
 * @throws {PushOrderBookMessageErrorType}
 */
export async function pushOrderBookMessage(
  dialer: StreamDialer,
  peer: PeerId,
  data: Uint8Array,
  options: AbortOptions = {},
): Promise<void> {
  const signal = options.signal ?? AbortSignal.timeout(5000)
  const stream = await dialer.dialProtocol(peer, OFFERS_PUSH_PROTOCOL, { signal })
  try {
    const out = messageStream(stream, PUSH_CODEC)
    await out.write(data, { signal })
    const raw = out.unwrap()
    await raw.close({ signal })
    // the acknowledgement: the receiver ends its side once its order book applied the message
    for await (const _ of raw) {
      // nothing is expected before the end of stream
    }
  } catch (error) {
    stream.abort(toError(error))
    throw error
  }
}
