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
import { type AddOfferOutcome, type CancelOutcome, type OfferBook, providerKey } from './offer-book.js'
import type { MessageSource } from './origin.js'

/** What gossipsub should do with a message: relay it, drop it silently, or drop it and penalise the sender. */
export type GossipVerdict = 'accept' | 'ignore' | 'reject'

/** Why a message got its verdict; also a metrics label. */
export type OrderBookValidationReason =
  | 'too-large'
  | 'malformed'
  | 'schema'
  | 'wrong-topic'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  /** The forwarding peer sent more messages it answers for than its budget allows. */
  | 'rate-limited'
  | 'cancel'
  | AddOfferOutcome
  | CancelOutcome

export interface OrderBookValidation {
  verdict: GossipVerdict
  reason: OrderBookValidationReason
  /**
   * True when the peer that handed the message over is provably at fault
   * and should be penalised: it sent something it could have checked itself
   * (a REJECT, or more than its budget of messages it answers for), or it is
   * the provider itself over its own rate. An origin limit hit by a relay is
   * never its fault: it could not have measured the origin from where it is.
   */
  senderAtFault: boolean
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
  /**
   * Who handed the message over, from where: the book's origin limits apply
   * to it (none when absent, for messages this peer vouches for).
   */
  source?: MessageSource
  /**
   * The forwarding peer's budget (its per-peer rate limit), taken once for
   * each message it answers for: one that passed every check up to the
   * signature, or one any honest relay would have dropped itself (expired,
   * not yet valid). Not taken for IGNOREs it could not have foreseen: stale
   * sequences, cancels seen here first, origin limits. False: IGNORE
   * `rate-limited`, the sender at fault.
   */
  forwarderBudget?: () => boolean
}

/**
 * Validates one order-book message before it is relayed. Cheap checks run
 * first, as Ethereum consensus clients do: size and schema (REJECT),
 * issued-at/expiry with a clock-drift allowance (IGNORE: may be clock skew),
 * the topic, the sequence and the origin limits against the book (IGNORE:
 * honest relays can be late, and cannot see the origin's rate from where they
 * are), the forwarder's budget, and only then the signature (REJECT), so
 * stale or over-limit offers never cost a verification. Origin limits are
 * only looked at here; `OfferBook.add` charges them once the signature
 * held, so forged messages cannot spend an honest provider's budget.
 * Pure apart from the injected verifier; never throws.
 */
export async function validateOrderBookMessage(
  parameters: ValidateOrderBookMessageParameters,
): Promise<OrderBookValidation> {
  const { data } = parameters
  if (data.byteLength > MAX_ORDER_BOOK_MESSAGE_BYTES) return rejected('too-large')
  let message: OrderBookMessage
  try {
    message = decodeOrderBookMessage(data)
  } catch {
    return rejected('malformed')
  }
  if (message.offer !== undefined) return validateOfferMessage(parameters, message, message.offer)
  if (message.cancel !== undefined) return validateCancelMessage(parameters, message, message.cancel)
  return rejected('malformed')
}

async function validateOfferMessage(
  parameters: ValidateOrderBookMessageParameters,
  message: OrderBookMessage,
  offer: Offer,
): Promise<OrderBookValidation> {
  const { topicModel, book, verifier, source } = parameters
  return validateSigned(parameters, message, {
    provider: offer.provider,
    validate: (options) => validateOffer(offer, options),
    wrongTopic: () =>
      topicModel !== undefined && !offer.models.some((m) => canonicalModelId(m) === topicModel),
    check: () => {
      const outcome = book.check(offer, source)
      return { outcome, applies: outcome === 'added' || outcome === 'replaced' }
    },
    verify: () => verifier.verifyOffer(offer),
  })
}

async function validateCancelMessage(
  parameters: ValidateOrderBookMessageParameters,
  message: OrderBookMessage,
  cancel: OfferCancel,
): Promise<OrderBookValidation> {
  const { book, verifier, source } = parameters
  return validateSigned(parameters, message, {
    provider: cancel.provider,
    validate: (options) => validateOfferCancel(cancel, options),
    check: () => {
      const outcome = book.checkCancel(cancel, source)
      return { outcome, applies: outcome === 'removed' || outcome === 'recorded' }
    },
    verify: () => verifier.verifyCancel(cancel),
    acceptReason: 'cancel',
  })
}

/** The steps that differ between an offer and a cancel; {@link validateSigned} runs them in order. */
interface SignedMessageSteps {
  /** The provider the message names. */
  provider: Uint8Array<ArrayBuffer>
  /** Schema and time checks; throws. */
  validate: (options: { now: number; maxDriftMs: number }) => void
  /** True when the message does not belong on the topic it came on. */
  wrongTopic?: () => boolean
  /** What the book would do with it; `applies` false: IGNORE with the outcome as reason. */
  check: () => { outcome: AddOfferOutcome | CancelOutcome; applies: boolean }
  /** Throws when the signature is not the provider's. */
  verify: () => Promise<void> | void
  /** The reason of an ACCEPT (default: the book's outcome). */
  acceptReason?: OrderBookValidationReason
}

/**
 * The checks of a signed order-book message, cheapest first: schema and
 * time, topic, the book (sequence and origin limits), the forwarder's
 * budget, and last the signature.
 */
async function validateSigned(
  { now, maxClockDriftMs = MAX_CLOCK_DRIFT_MS, source, forwarderBudget }: ValidateOrderBookMessageParameters,
  message: OrderBookMessage,
  steps: SignedMessageSteps,
): Promise<OrderBookValidation> {
  try {
    steps.validate({ now: now(), maxDriftMs: maxClockDriftMs })
  } catch (error) {
    return timeOrSchema(error, message, forwarderBudget)
  }
  if (steps.wrongTopic?.() === true) return rejected('wrong-topic', message)
  const { outcome, applies } = steps.check()
  if (!applies) {
    const ownRate = outcome === 'provider-rate-limited' && isProvider(source, steps.provider)
    return { verdict: 'ignore', reason: outcome, senderAtFault: ownRate, message }
  }
  if (forwarderBudget?.() === false) return overBudget(message)
  try {
    await steps.verify()
  } catch {
    return rejected('bad-signature', message)
  }
  return { verdict: 'accept', reason: steps.acceptReason ?? outcome, senderAtFault: false, message }
}

/** Whether the peer that handed the message over is the provider it names. */
function isProvider(source: MessageSource | undefined, provider: Uint8Array<ArrayBuffer>): boolean {
  return source !== undefined && providerKey(provider) === source.peer
}

function rejected(reason: OrderBookValidationReason, message?: OrderBookMessage): OrderBookValidation {
  return { verdict: 'reject', reason, senderAtFault: true, ...(message === undefined ? {} : { message }) }
}

function overBudget(message: OrderBookMessage): OrderBookValidation {
  return { verdict: 'ignore', reason: 'rate-limited', senderAtFault: true, message }
}

function timeOrSchema(
  error: unknown,
  message: OrderBookMessage,
  forwarderBudget: (() => boolean) | undefined,
): OrderBookValidation {
  if (!isIgnorable(error)) return rejected('schema', message)
  if (forwarderBudget?.() === false) return overBudget(message)
  const reason = error instanceof ExpiredError ? 'expired' : 'not-yet-valid'
  return { verdict: 'ignore', reason, senderAtFault: false, message }
}

/** The verifier real peers use: Ed25519 signatures by the provider's peer id key. */
export const signatureVerifier: OrderBookVerifier = {
  verifyOffer,
  verifyCancel: verifyOfferCancel,
}
