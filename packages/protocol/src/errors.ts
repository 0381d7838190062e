/**
 * The base of every typed error in Cocoon Mesh. One subclass per condition,
 * each with a stable `code` a caller can switch on, a `shortMessage` for
 * humans and `details` that say what the limit or the fix is.
 */
export interface CocoonErrorOptions {
  /** What exactly was wrong and how to fix it. */
  details?: string
  cause?: unknown
}

export abstract class CocoonError extends Error {
  abstract readonly code: string
  readonly shortMessage: string
  readonly details: string | undefined

  constructor(shortMessage: string, options: CocoonErrorOptions = {}) {
    super(options.details === undefined ? shortMessage : `${shortMessage}\n\nDetails: ${options.details}`, {
      cause: options.cause,
    })
    this.shortMessage = shortMessage
    this.details = options.details
  }
}

export function isCocoonError(error: unknown): error is CocoonError {
  return error instanceof CocoonError
}

/** Options of the errors that report a size against a limit. */
export interface SizeErrorOptions extends CocoonErrorOptions {
  /** Size in bytes of what was received or about to be sent. */
  size?: number
  /** The hard limit in bytes it was checked against. */
  limit?: number
}

/** A message (or a declared length prefix) is bigger than the limit for its type. */
export class MessageTooLargeError extends CocoonError {
  readonly code = 'ERR_MESSAGE_TOO_LARGE' as const
  override readonly name = 'MessageTooLargeError'
  readonly size: number | undefined
  readonly limit: number | undefined

  constructor(shortMessage: string, options: SizeErrorOptions = {}) {
    super(shortMessage, options)
    this.size = options.size
    this.limit = options.limit
  }
}

/** Bytes that do not decode as the expected protobuf message (random, truncated, bad varint, unknown enum value...). */
export class MalformedMessageError extends CocoonError {
  readonly code = 'ERR_MALFORMED_MESSAGE' as const
  override readonly name = 'MalformedMessageError'
}

/** A signature is missing, has the wrong length, or does not verify for the claimed signer and message type. */
export class BadSignatureError extends CocoonError {
  readonly code = 'ERR_BAD_SIGNATURE' as const
  override readonly name = 'BadSignatureError'
}

/** A message is past its expiry (or too old to matter), beyond the allowed clock drift. */
export class ExpiredError extends CocoonError {
  readonly code = 'ERR_EXPIRED' as const
  override readonly name = 'ExpiredError'
}

/** A message's issued-at lies in the future by more than the allowed clock drift. */
export class NotYetValidError extends CocoonError {
  readonly code = 'ERR_NOT_YET_VALID' as const
  override readonly name = 'NotYetValidError'
}

/** A message carries a protocol `version` this implementation does not speak. */
export class UnsupportedVersionError extends CocoonError {
  readonly code = 'ERR_UNSUPPORTED_VERSION' as const
  override readonly name = 'UnsupportedVersionError'
}

/** Options of {@link InvalidFieldError}. */
export interface InvalidFieldErrorOptions extends CocoonErrorOptions {
  /** The protobuf field (camelCase, dotted path) that was wrong, e.g. `prices.perKPromptTokens`. */
  field?: string
}

/** A message decodes but one of its fields breaks the schema rules (empty list, zero, unknown string, insane price...). */
export class InvalidFieldError extends CocoonError {
  readonly code = 'ERR_INVALID_FIELD' as const
  override readonly name = 'InvalidFieldError'
  readonly field: string | undefined

  constructor(shortMessage: string, options: InvalidFieldErrorOptions = {}) {
    super(shortMessage, options)
    this.field = options.field
  }
}

/** The remote end of a stream closed (or the stream ended) before a whole frame arrived. */
export class StreamEndedError extends CocoonError {
  readonly code = 'ERR_STREAM_ENDED' as const
  override readonly name = 'StreamEndedError'
}

/**
 * Errors that prove the sender misbehaved: the bytes or the signature are
 * wrong whatever the clock says. A gossip validator maps these to REJECT
 * (penalise the peer that forwarded it).
 */
export type RejectableError =
  | MessageTooLargeError
  | MalformedMessageError
  | BadSignatureError
  | UnsupportedVersionError
  | InvalidFieldError

/**
 * Errors that depend on the local clock: an honest peer with a skewed clock or
 * a slow path can produce them. A gossip validator maps these to IGNORE.
 */
export type IgnorableError = ExpiredError | NotYetValidError

const REJECTABLE_CODES: ReadonlySet<string> = new Set([
  'ERR_MESSAGE_TOO_LARGE',
  'ERR_MALFORMED_MESSAGE',
  'ERR_BAD_SIGNATURE',
  'ERR_UNSUPPORTED_VERSION',
  'ERR_INVALID_FIELD',
])

const IGNORABLE_CODES: ReadonlySet<string> = new Set(['ERR_EXPIRED', 'ERR_NOT_YET_VALID'])

/** True for schema, size and signature faults: the sender is at fault (gossip REJECT). */
export function isRejectable(error: unknown): error is RejectableError {
  return error instanceof CocoonError && REJECTABLE_CODES.has(error.code)
}

/** True for time-dependent faults (expired, not yet valid): drop quietly (gossip IGNORE). */
export function isIgnorable(error: unknown): error is IgnorableError {
  return error instanceof CocoonError && IGNORABLE_CODES.has(error.code)
}
