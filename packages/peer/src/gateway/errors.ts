import { AbortedError, DeadlineExceededError, errorMessage, isCocoonError } from '@cocoon-mesh/protocol'
import {
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  InvalidJobError,
  JobFailedError,
  NoProviderError,
} from '../jobs/errors.js'

/** An OpenAI-style error: HTTP status plus the `{ error: { message, type, param, code } }` body. */
export interface OpenAiError {
  status: number
  body: { error: { message: string; type: string; param: string | null; code: string | null } }
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

/**
 * Maps a job error to the status and body an OpenAI client expects, by class:
 * 404 no provider, 402 budget, 400 invalid job or a job the provider failed
 * as bad input, 503 all rejected, 502 all failed, 504 deadline, 499 aborted;
 * any other Cocoon error is a 500 with its code, anything else a bare 500.
 */
export function toOpenAiError(err: unknown): OpenAiError {
  if (!isCocoonError(err)) return openAiError(500, errorMessage(err), 'server_error')
  const message = err.details === undefined ? err.shortMessage : `${err.shortMessage}: ${err.details}`
  if (err instanceof NoProviderError)
    return openAiError(404, message, 'invalid_request_error', 'model_not_found', 'model')
  if (err instanceof BudgetExceededError)
    return openAiError(402, message, 'insufficient_quota', 'budget_exceeded')
  if (err instanceof InvalidJobError)
    return openAiError(400, message, 'invalid_request_error', 'invalid_request')
  if (err instanceof AllRejectedError)
    return openAiError(503, message, 'server_error', 'all_providers_rejected')
  if (err instanceof AllProvidersFailedError)
    return openAiError(502, message, 'server_error', 'all_providers_failed')
  if (err instanceof DeadlineExceededError) return openAiError(504, message, 'server_error', 'timeout')
  if (err instanceof AbortedError) return openAiError(499, message, 'server_error', 'aborted')
  if (err instanceof JobFailedError) return openAiError(400, message, 'invalid_request_error', 'job_failed')
  return openAiError(500, message, 'server_error', err.code)
}
