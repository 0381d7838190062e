import {
  canonicalModelId,
  decodeOffersRequest,
  decodeOffersResponse,
  encodeOffersRequest,
  encodeOffersResponse,
  MAX_OFFERS_PER_RESPONSE,
  MAX_OFFERS_REQUEST_BYTES,
  MAX_OFFERS_RESPONSE_BYTES,
  type MessageStreamCodec,
  messageStream,
  OFFERS_PROTOCOL,
  type Offer,
  type OffersRequest,
  type OffersResponse,
} from '@cocoon-mesh/protocol'
import type {
  AbortOptions,
  ComponentLogger,
  Connection,
  Logger,
  PeerId,
  Startable,
  Stream,
  StreamHandler,
  StreamHandlerOptions,
} from '@libp2p/interface'
import type { OrderBookService } from './order-book.js'

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
  registrar: ProtocolRegistrar
  logger: ComponentLogger
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
  /** The local provider's own peer id, put first in responses when set. */
  ownProvider: string | undefined

  constructor(components: OffersProtocolComponents, init: OffersProtocolInit = {}) {
    this.#components = components
    this.#log = components.logger.forComponent('cocoon:offers-protocol')
    this.#timeoutMs = init.timeoutMs ?? 5000
  }

  readonly [Symbol.toStringTag] = 'cocoon/offers-protocol'

  async start(): Promise<void> {
    await this.#components.registrar.handle(
      OFFERS_PROTOCOL,
      (stream, connection) => this.#handle(stream, connection),
      {
        maxInboundStreams: 8,
      },
    )
  }

  async stop(): Promise<void> {
    await this.#components.registrar.unhandle(OFFERS_PROTOCOL)
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
      stream.abort(error instanceof Error ? error : new Error(String(error)))
    }
  }

  /** The offers this peer would answer for `model` (all models when empty). */
  offersFor(model: string): Offer[] {
    const entries = this.#components.orderBook.entries(model === '' ? undefined : canonicalModelId(model))
    entries.sort((a, b) => Number(b.provider === this.ownProvider) - Number(a.provider === this.ownProvider))
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
 * Asks `peer` for its current offers of `model` over `/cocoon/offers/1.0.0`.
 * The offers are NOT verified here: pass them through the order book
 * (`OrderBookService.addVerified`) before trusting them.
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
    await stream.close({ signal }).catch(() => {})
    return response.offers
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)))
    throw error
  }
}
