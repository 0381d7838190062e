/**
 * What a client makes of a provider's "prompt over the context" JobError.
 * The provider is a stranger: its counts are believed only when nothing the
 * client knows contradicts them, and even then they only word the error.
 * A provider gains nothing by the claim (it delivered no token, so it bills
 * nothing); a false one also costs it the job and a failure on its record.
 * Either way the client fails over: a credible claim ends the job only when
 * no provider is left (see the failover).
 */
import { type ContextLimit, JobErrorCode, MAX_CONTEXT_SIZE } from '@cocoon-mesh/protocol'
import { ContextLengthExceededError, JobFailedError } from './errors.js'

export interface ContextLimitCheck {
  /** The job's own maxTokens (the provider's echo of it is ignored). */
  maxTokens: number
  /** The most tokens the prompt can be (`promptTokenBound`), when known. */
  promptTokenBound?: number
  /** The context size the provider's signed offer states; 0 when it states none. */
  offerContextSize: number
}

/**
 * ContextLengthExceededError when `limit` is credible: a context size within
 * protocol bounds and at least what the offer promised, a prompt count within
 * the client's bound of what it sent, and the two plus maxTokens really over
 * the context. Otherwise a JobFailedError of code INTERNAL saying which claim
 * is false, so the failover books it against the provider and tries another.
 */
export function contextLimitError(
  limit: ContextLimit,
  check: ContextLimitCheck,
  providerMessage: string,
): ContextLengthExceededError | JobFailedError {
  const { contextSize, promptTokens } = limit
  const { maxTokens } = check
  const bound = check.promptTokenBound ?? Number.POSITIVE_INFINITY
  const refuted = (why: string): JobFailedError =>
    new JobFailedError(
      JobErrorCode.JOB_ERROR_CODE_INTERNAL,
      'provider refused the prompt with a false context claim',
      {
        details: `${why} (provider said: ${providerMessage})`,
      },
    )
  if (contextSize < 1 || contextSize > MAX_CONTEXT_SIZE)
    return refuted(`a context size of ${contextSize} tokens is outside 1..${MAX_CONTEXT_SIZE}`)
  if (contextSize < check.offerContextSize)
    return refuted(
      `it claimed a context of ${contextSize} tokens; its offer states ${check.offerContextSize}`,
    )
  if (promptTokens > bound)
    return refuted(`it counted ${promptTokens} prompt tokens; what was sent holds at most ${bound}`)
  if (promptTokens + maxTokens <= contextSize)
    return refuted(
      `${promptTokens} prompt tokens + ${maxTokens} max tokens fit its ${contextSize}-token context`,
    )
  return new ContextLengthExceededError(
    `the prompt and max tokens exceed the model's context of ${contextSize} tokens`,
    { contextSize, promptTokens, maxTokens },
    {
      details: `${promptTokens} prompt tokens + ${maxTokens} max tokens > ${contextSize}; shorten the messages or lower max_tokens`,
    },
  )
}
