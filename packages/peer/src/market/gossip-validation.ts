import {
  canonicalModelId,
  decodeOrderBookMessage,
  ExpiredError,
  isIgnorable,
  MAX_CLOCK_DRIFT_MS,
  MAX_ORDER_BOOK_MESSAGE_BYTES,
  type Offer,
  type OfferCancel,
  type OrderBookMessage,
  validateOffer,
  validateOfferCancel,
  verifyOffer,
  verifyOfferCancel,
} from '@cocoon-mesh/protocol'
import type { OfferBook } from './offer-book.js'

/** What gossipsub should do with a message: relay it, drop it silently, or drop it and penalise the sender. */
export type GossipVerdict = 'accept' | 'ignore' | 'reject'

export interface OrderBookValidation {
  verdict: GossipVerdict
  /** Short machine-readable reason, also a metrics label. */
  reason: string
  /** The decoded message when it got that far. */
  message?: OrderBookMessage
}

export interface OrderBookVerifier {
  /** Throws when the offer's signature is not its provider's. */
  verifyOffer(offer: Offer): Promise<void> | void
  /** Throws when the cancel's signature is not its provider's. */
  verifyCancel(cancel: OfferCancel): Promise<void> | void
}

export interface ValidateOrderBookMessageParameters {
  data: Uint8Array
  /** The canonical model of the topic the message came on (an offer must serve it). */
  topicModel?: string
  book: OfferBook
  now: () => number
  verifier: OrderBookVerifier
  maxClockDriftMs?: number
}

/**
 * Validates one order-book gossip message before it is relayed. Cheap checks
 * run first, as Ethereum consensus clients do: size and schema (REJECT),
 * issued-at/expiry with a clock-drift allowance (IGNORE: may be clock skew),
 * the topic, the sequence against the book (IGNORE: honest relays can be
 * late), and only then the signature (REJECT), so stale offers never cost a
 * verification.
 * Pure apart from the injected verifier; never throws.
 */
export async function validateOrderBookMessage({
  data,
  topicModel,
  book,
  now,
  verifier,
  maxClockDriftMs = MAX_CLOCK_DRIFT_MS,
}: ValidateOrderBookMessageParameters): Promise<OrderBookValidation> {
  if (data.byteLength > MAX_ORDER_BOOK_MESSAGE_BYTES) return { verdict: 'reject', reason: 'too-large' }
  let message: OrderBookMessage
  try {
    message = decodeOrderBookMessage(data)
  } catch {
    return { verdict: 'reject', reason: 'malformed' }
  }
  const t = now()
  if (message.offer !== undefined) {
    const offer = message.offer
    try {
      validateOffer(offer, { now: t, maxDriftMs: maxClockDriftMs })
    } catch (error) {
      return timeOrSchema(error, message)
    }
    if (topicModel !== undefined && !offer.models.some((m) => canonicalModelId(m) === topicModel))
      return { verdict: 'reject', reason: 'wrong-topic', message }
    const outcome = book.check(offer)
    if (outcome !== 'added' && outcome !== 'replaced') return { verdict: 'ignore', reason: outcome, message }
    try {
      await verifier.verifyOffer(offer)
    } catch {
      return { verdict: 'reject', reason: 'bad-signature', message }
    }
    return { verdict: 'accept', reason: outcome, message }
  }
  const cancel = message.cancel
  if (cancel === undefined) return { verdict: 'reject', reason: 'malformed' }
  try {
    validateOfferCancel(cancel, { now: t, maxDriftMs: maxClockDriftMs })
  } catch (error) {
    return timeOrSchema(error, message)
  }
  if (book.checkCancel(cancel) === 'stale') return { verdict: 'ignore', reason: 'stale', message }
  try {
    await verifier.verifyCancel(cancel)
  } catch {
    return { verdict: 'reject', reason: 'bad-signature', message }
  }
  return { verdict: 'accept', reason: 'cancel', message }
}

function timeOrSchema(error: unknown, message: OrderBookMessage): OrderBookValidation {
  if (isIgnorable(error))
    return { verdict: 'ignore', reason: error instanceof ExpiredError ? 'expired' : 'not-yet-valid', message }
  return { verdict: 'reject', reason: 'schema', message }
}

/** The verifier real peers use: Ed25519 signatures by the provider's peer id key. */
export const signatureVerifier: OrderBookVerifier = {
  verifyOffer,
  verifyCancel: verifyOfferCancel,
}
