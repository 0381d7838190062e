import { isCocoonError } from '@cocoon-mesh/protocol'

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

/** Maps a job error to the status and body an OpenAI client expects. */
export function toOpenAiError(err: unknown): OpenAiError {
  if (isCocoonError(err)) {
    const message = err.details === undefined ? err.shortMessage : `${err.shortMessage}: ${err.details}`
    switch (err.code) {
      case 'ERR_NO_PROVIDER':
        return openAiError(404, message, 'invalid_request_error', 'model_not_found', 'model')
      case 'ERR_BUDGET_EXCEEDED':
        return openAiError(402, message, 'insufficient_quota', 'budget_exceeded')
      case 'ERR_INVALID_JOB':
        return openAiError(400, message, 'invalid_request_error', 'invalid_request')
      case 'ERR_ALL_REJECTED':
        return openAiError(503, message, 'server_error', 'all_providers_rejected')
      case 'ERR_ALL_PROVIDERS_FAILED':
        return openAiError(502, message, 'server_error', 'all_providers_failed')
      case 'ERR_DEADLINE_EXCEEDED':
        return openAiError(504, message, 'server_error', 'timeout')
      case 'ERR_ABORTED':
        return openAiError(499, message, 'server_error', 'aborted')
      case 'ERR_JOB_FAILED':
        return openAiError(400, message, 'invalid_request_error', 'job_failed')
      default:
        return openAiError(500, message, 'server_error', err.code)
    }
  }
  return openAiError(500, err instanceof Error ? err.message : String(err), 'server_error')
}
