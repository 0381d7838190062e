/**
 * The base of every typed error in Cocoon Mesh. One subclass per condition,
 * each with a stable `code` from its package's union (a caller matches by
 * class, `err instanceof BadSignatureError`, never by the code string), a
 * `shortMessage` for humans and `details` that say what the limit or the fix
 * is. `walk()` follows the `cause` chain, as viem's errors do.
 */
export interface CocoonErrorOptions {
  /** What exactly was wrong and how to fix it. */
  details?: string
  cause?: unknown
}

export abstract class CocoonError<C extends string = string> extends Error {
  abstract readonly code: C
  readonly shortMessage: string
  readonly details: string | undefined

  constructor(shortMessage: string, options: CocoonErrorOptions = {}) {
    super(options.details === undefined ? shortMessage : `${shortMessage}\n\nDetails: ${options.details}`, {
      cause: options.cause,
    })
    this.shortMessage = shortMessage
    this.details = options.details
  }

  /**
   * Follows `cause` from this error down. Without `fn`, returns the deepest
   * cause (this error when it has none). With `fn`, returns the first error in
   * the chain (this one included) for which `fn` is true, or `null`.
   */
  walk(): unknown
  walk(fn: (error: unknown) => boolean): unknown
  walk(fn?: (error: unknown) => boolean): unknown {
    return walkCauses(this, fn)
  }
}

/** `walk()` for any thrown value: Cocoon errors, libp2p errors and plain `Error`s alike. */
export function walkCauses(error: unknown, fn?: (error: unknown) => boolean): unknown {
  const seen = new Set<unknown>()
  let current: unknown = error
  while (true) {
    if (fn?.(current) === true) return current
    seen.add(current)
    const next = current instanceof Error ? current.cause : undefined
    if (next === undefined || next === null || seen.has(next)) return fn === undefined ? current : null
    current = next
  }
}

/** What a CLI prints for a failure, built by {@link describeError}. */
export interface ErrorDescription {
  /** The `shortMessage` of a Cocoon error, else the `message` (or the thrown value as a string). */
  message: string
  /** The `details` of a Cocoon error. */
  details: string | undefined
  /**
   * One line per cause down the `cause` chain (from {@link walkCauses}, so a
   * cycle ends it), top first; a cause whose text the lines above already
   * contain is left out.
   */
  causes: string[]
}

/**
 * The short message, details and causes of any thrown value, without a stack:
 * the one way the CLIs describe a failure to a human.
 */
export function describeError(error: unknown): ErrorDescription {
  const text = errorMessage
  const chain: unknown[] = []
  walkCauses(error, (e) => {
    chain.push(e)
    return false
  })
  const message = text(error)
  const details = error instanceof CocoonError ? error.details : undefined
  const said = [message, details ?? '']
  const causes: string[] = []
  for (const cause of chain.slice(1)) {
    const line = text(cause)
    if (line === '' || said.some((s) => s.includes(line))) continue
    causes.push(line)
    said.push(line)
  }
  return { message, details, causes }
}

/** The short text of any thrown value: a Cocoon error's `shortMessage`, an `Error`'s `message`, else `String(value)`. */
export function errorMessage(error: unknown): string {
  return error instanceof CocoonError
    ? error.shortMessage
    : error instanceof Error
      ? error.message
      : String(error)
}

/** Any thrown value as an `Error` (what a stream's `abort` takes): the value itself when it is one. */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(errorMessage(error))
}

/** {@link describeError} on one line, for log lines: `message: details (caused by: a; b)`. */
export function errorLine(error: unknown): string {
  const { message, details, causes } = describeError(error)
  const head = details === undefined ? message : `${message}: ${details}`
  const line = causes.length === 0 ? head : `${head} (caused by: ${causes.join('; ')})`
  return line.replace(/\s+/g, ' ').trim()
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

/** The base of the errors that report a size against a limit: it carries both. */
export abstract class SizeLimitError<C extends string = string> extends CocoonError<C> {
  readonly size: number | undefined
  readonly limit: number | undefined

  constructor(shortMessage: string, options: SizeErrorOptions = {}) {
    super(shortMessage, options)
    this.size = options.size
    this.limit = options.limit
  }
}

/** A message (or a declared length prefix) is bigger than the limit for its type. */
export class MessageTooLargeError extends SizeLimitError<'ERR_MESSAGE_TOO_LARGE'> {
  readonly code = 'ERR_MESSAGE_TOO_LARGE' as const
  override readonly name = 'MessageTooLargeError'
}

/** Bytes that do not decode as the expected protobuf message (random, truncated, bad varint, unknown enum value...). */
export class MalformedMessageError extends CocoonError<'ERR_MALFORMED_MESSAGE'> {
  readonly code = 'ERR_MALFORMED_MESSAGE' as const
  override readonly name = 'MalformedMessageError'
}

/** A signature is missing, has the wrong length, or does not verify for the claimed signer and message type. */
export class BadSignatureError extends CocoonError<'ERR_BAD_SIGNATURE'> {
  readonly code = 'ERR_BAD_SIGNATURE' as const
  override readonly name = 'BadSignatureError'
}

/** A message is past its expiry (or too old to matter), beyond the allowed clock drift. */
export class ExpiredError extends CocoonError<'ERR_EXPIRED'> {
  readonly code = 'ERR_EXPIRED' as const
  override readonly name = 'ExpiredError'
}

/** A message's issued-at lies in the future by more than the allowed clock drift. */
export class NotYetValidError extends CocoonError<'ERR_NOT_YET_VALID'> {
  readonly code = 'ERR_NOT_YET_VALID' as const
  override readonly name = 'NotYetValidError'
}

/** A message carries a protocol `version` this implementation does not speak. */
export class UnsupportedVersionError extends CocoonError<'ERR_UNSUPPORTED_VERSION'> {
  readonly code = 'ERR_UNSUPPORTED_VERSION' as const
  override readonly name = 'UnsupportedVersionError'
}

/** Options of {@link InvalidFieldError}. */
export interface InvalidFieldErrorOptions extends CocoonErrorOptions {
  /** The protobuf field (camelCase, dotted path) that was wrong, e.g. `prices.perKPromptTokens`. */
  field?: string
}

/** A message decodes but one of its fields breaks the schema rules (empty list, zero, unknown string, insane price...). */
export class InvalidFieldError extends CocoonError<'ERR_INVALID_FIELD'> {
  readonly code = 'ERR_INVALID_FIELD' as const
  override readonly name = 'InvalidFieldError'
  readonly field: string | undefined

  constructor(shortMessage: string, options: InvalidFieldErrorOptions = {}) {
    super(shortMessage, options)
    this.field = options.field
  }
}

/** The remote end of a stream closed (or the stream ended) before a whole frame arrived. */
export class StreamEndedError extends CocoonError<'ERR_STREAM_ENDED'> {
  readonly code = 'ERR_STREAM_ENDED' as const
  override readonly name = 'StreamEndedError'
}

/**
 * The caller's AbortSignal fired. Shared by every package, so one
 * `instanceof AbortedError` holds for an abort seen in the runtime, the job
 * protocol or the SDK.
 */
export class AbortedError extends CocoonError<'ERR_ABORTED'> {
  readonly code = 'ERR_ABORTED' as const
  override readonly name = 'AbortedError'
}

/** A deadline passed before the work finished (in the runtime's queue, mid-generation, or on the job stream). */
export class DeadlineExceededError extends CocoonError<'ERR_DEADLINE_EXCEEDED'> {
  readonly code = 'ERR_DEADLINE_EXCEEDED' as const
  override readonly name = 'DeadlineExceededError'
}

/** A tensor is larger than the side that builds or receives it accepts. */
export class TensorTooLargeError extends SizeLimitError<'ERR_TENSOR_TOO_LARGE'> {
  readonly code = 'ERR_TENSOR_TOO_LARGE' as const
  override readonly name = 'TensorTooLargeError'
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

/** Every error the protocol package throws. */
export type ProtocolError =
  | RejectableError
  | IgnorableError
  | StreamEndedError
  | AbortedError
  | DeadlineExceededError
  | TensorTooLargeError

/** The codes of {@link ProtocolError}, as a union a `switch` can be checked against. */
export type ProtocolErrorCode = ProtocolError['code']

/** True for schema, size and signature faults: the sender is at fault (gossip REJECT). */
export function isRejectable(error: unknown): error is RejectableError {
  return (
    error instanceof MessageTooLargeError ||
    error instanceof MalformedMessageError ||
    error instanceof BadSignatureError ||
    error instanceof UnsupportedVersionError ||
    error instanceof InvalidFieldError
  )
}

/** True for time-dependent faults (expired, not yet valid): drop quietly (gossip IGNORE). */
export function isIgnorable(error: unknown): error is IgnorableError {
  return error instanceof ExpiredError || error instanceof NotYetValidError
}
