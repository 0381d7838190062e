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
