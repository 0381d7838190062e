import {
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  ContextLengthExceededError,
  InvalidJobError,
  JobFailedError,
  NoProviderError,
} from '@cocoon-mesh/client/internal'
import {
  AbortedError,
  CocoonError,
  type CocoonErrorOptions,
  DeadlineExceededError,
  errorMessage,
  isCocoonError,
  MessageTooLargeError,
} from '@cocoon-mesh/protocol'

/** An OpenAI-style error: HTTP status plus the `{ error: { message, type, param, code } }` body. */
export interface OpenAiError {
  status: number
  body: { error: { message: string; type: string; param: string | null; code: string | null } }
  /** Sent as `Retry-After` (whole seconds) with a 429 or 503. */
  retryAfterMs?: number
}

export function openAiError(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): OpenAiError {
  return { status, body: { error: { message, type, param, code } } }
}

/** A caller fault: a 400 `invalid_request_error` naming `param`. */
export function invalidRequest(message: string, code: string, param: string | null): OpenAiError {
  return openAiError(400, message, 'invalid_request_error', code, param)
}

/** OpenAI's 400 for a prompt over the context, said once, with the provider's counts and the job's max tokens. */
export function contextLengthExceeded(err: ContextLengthExceededError): OpenAiError {
  const { contextSize, promptTokens, maxTokens } = err
  return invalidRequest(
    `This model's maximum context length is ${contextSize} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
    'context_length_exceeded',
    'messages',
  )
}

/** The gateway's own queue of requests waiting for a provider is full: 429 with `Retry-After`. */
export class GatewayQueueFullError extends CocoonError<'ERR_GATEWAY_QUEUE_FULL'> {
  readonly code = 'ERR_GATEWAY_QUEUE_FULL' as const
  override readonly name = 'GatewayQueueFullError'
  readonly retryAfterMs: number

  constructor(shortMessage: string, retryAfterMs: number, options?: CocoonErrorOptions) {
    super(shortMessage, options)
    this.retryAfterMs = retryAfterMs
  }
}

/** Every provider stayed busy for as long as the request could wait in the gateway's queue: 503 with `Retry-After`. */
export class ProvidersBusyError extends CocoonError<'ERR_PROVIDERS_BUSY'> {
  readonly code = 'ERR_PROVIDERS_BUSY' as const
  override readonly name = 'ProvidersBusyError'
  readonly retryAfterMs: number

  constructor(shortMessage: string, retryAfterMs: number, options?: CocoonErrorOptions) {
    super(shortMessage, options)
    this.retryAfterMs = retryAfterMs
  }
}

/** The message of a Cocoon error, its details once (a provider's message may already end with them). */
function messageOf(err: CocoonError<string>): string {
  if (err.details === undefined || err.shortMessage.includes(err.details)) return err.shortMessage
  return `${err.shortMessage}: ${err.details}`
}

/**
 * Maps a job error to the status and body an OpenAI client expects, by class:
 * 429 / 503 with Retry-After when the gateway's queue is full or every
 * provider stayed busy, 404 no provider, 402 budget, 413 a request over the
 * job frame limit, 400 invalid job or a job the provider failed as bad input,
 * 400 `context_length_exceeded` for a prompt over the context,
 * 503 all rejected, 502 all failed, 504 deadline, 499 aborted; any other
 * Cocoon error is a 500 with its code, anything else a bare 500.
 */
export function toOpenAiError(err: unknown): OpenAiError {
  if (!isCocoonError(err)) return openAiError(500, errorMessage(err), 'server_error')
  const message = messageOf(err)
  if (err instanceof GatewayQueueFullError)
    return { ...openAiError(429, message, 'rate_limit_error', 'queue_full'), retryAfterMs: err.retryAfterMs }
  if (err instanceof ProvidersBusyError)
    return { ...openAiError(503, message, 'server_error', 'providers_busy'), retryAfterMs: err.retryAfterMs }
  if (err instanceof NoProviderError)
    return openAiError(404, message, 'invalid_request_error', 'model_not_found', 'model')
  if (err instanceof BudgetExceededError)
    return openAiError(402, message, 'insufficient_quota', 'budget_exceeded')
  if (err instanceof MessageTooLargeError)
    return openAiError(413, message, 'invalid_request_error', 'request_too_large', 'messages')
  if (err instanceof InvalidJobError) return invalidRequest(message, 'invalid_request', null)
  if (err instanceof ContextLengthExceededError) return contextLengthExceeded(err)
  if (err instanceof AllRejectedError)
    return { ...openAiError(503, message, 'server_error', 'all_providers_rejected'), retryAfterMs: 1000 }
  if (err instanceof AllProvidersFailedError)
    return openAiError(502, message, 'server_error', 'all_providers_failed')
  if (err instanceof DeadlineExceededError) return openAiError(504, message, 'server_error', 'timeout')
  if (err instanceof AbortedError) return openAiError(499, message, 'server_error', 'aborted')
  if (err instanceof JobFailedError && err.isClientFault) return invalidRequest(message, 'job_failed', null)
  if (err instanceof JobFailedError) return openAiError(502, message, 'server_error', 'job_failed')
  return openAiError(500, message, 'server_error', err.code)
}
