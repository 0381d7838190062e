/** Every protocol id and topic name of the mesh, versioned, in one place. */

export const PROTOCOL_VERSION = 1

export const JOB_PROTOCOL = '/cocoon/job/1.0.0'
export const OFFERS_PROTOCOL = '/cocoon/offers/1.0.0'
/**
 * `/cocoon/offers/push/1.0.0`: one raw OrderBookMessage (length-prefixed) per
 * stream, pushed by a provider to the peers it is connected to (its cancel as
 * it stops). The receiver validates it like gossip and then closes the
 * stream: that end of stream is the sender's acknowledgement that the message
 * was applied.
 */
export const OFFERS_PUSH_PROTOCOL = '/cocoon/offers/push/1.0.0'
export const KAD_PROTOCOL = '/cocoon/kad/1.0.0'

const ORDER_BOOK_TOPIC_PREFIX = '/cocoon/orderbook/1/'

/** The canonical form of a model id: what offers, topics and DHT keys are derived from. */
export function canonicalModelId(model: string): string {
  return model.trim().toLowerCase()
}

/** The gossipsub topic on which offers for `model` are published. */
export function orderBookTopic(model: string): string {
  return `${ORDER_BOOK_TOPIC_PREFIX}${encodeURIComponent(canonicalModelId(model))}`
}

/** The model of an order-book topic, or undefined when `topic` is not one (never throws on remote input). */
export function modelFromOrderBookTopic(topic: string): string | undefined {
  if (!topic.startsWith(ORDER_BOOK_TOPIC_PREFIX)) return undefined
  try {
    return decodeURIComponent(topic.slice(ORDER_BOOK_TOPIC_PREFIX.length))
  } catch {
    return undefined
  }
}
