/**
 * The typed error of an OpenAI-compatible upstream's non-2xx answer. A prompt
 * over the context becomes {@link ContextLengthExceededError} with the counts
 * the upstream reported, whichever dialect it speaks:
 * - OpenAI: 400 `code: "context_length_exceeded"`, "maximum context length is
 *   N tokens. However, you requested M tokens (P in the messages, K in the completion)";
 * - vLLM: 400 with the same sentence, or "... N tokens and your request has P input tokens";
 * - llama-server: 400 `type: "exceed_context_size_error"` with `n_ctx` and `n_prompt_tokens`.
 * Ollama truncates the prompt instead of refusing it, so it never gets here.
 */
import { ContextLengthExceededError, InvalidRequestError, UpstreamStatusError } from '../errors.js'

/** How much of an upstream's error body is read (and quoted in details). */
const MAX_QUOTED = 500

export interface UpstreamFailure {
  status: number
  statusText: string
  url: string
  /** The response body as text (possibly empty). */
  text: string
  /** The job's maxTokens: the completion part of the count, known without trusting the upstream. */
  maxTokens: number
  /** The context size the provider configured for this upstream, if any. */
  contextSize?: number
}

/**
 * ContextLengthExceededError when the upstream refused the prompt as too
 * long and its answer (or the configured context size) gives the counts;
 * InvalidRequestError when it refused it as too long without counts;
 * otherwise UpstreamStatusError.
 */
export function upstreamError(
  failure: UpstreamFailure,
): ContextLengthExceededError | InvalidRequestError | UpstreamStatusError {
  const quoted = failure.text.slice(0, MAX_QUOTED)
  const details = `POST ${failure.url}: ${failure.status} ${failure.statusText} ${quoted}`
  const error = errorObject(failure.text)
  if (failure.status === 400 && error !== undefined && isContextError(error)) {
    const contextSize = count(error.n_ctx) ?? matched(error.message, CONTEXT_RE) ?? failure.contextSize
    const promptTokens = count(error.n_prompt_tokens) ?? matched(error.message, PROMPT_RE)
    if (contextSize !== undefined && promptTokens !== undefined) {
      const { maxTokens } = failure
      return new ContextLengthExceededError('The prompt and maxTokens exceed the upstream model context', {
        contextSize,
        promptTokens,
        maxTokens,
        details: `${promptTokens} prompt tokens + ${maxTokens} maxTokens > ${contextSize} context tokens. Shorten the prompt or lower maxTokens. (${details})`,
      })
    }
    return new InvalidRequestError('The prompt and maxTokens exceed the upstream model context', {
      details: `${details}. Shorten the prompt or lower maxTokens.`,
    })
  }
  return new UpstreamStatusError(`Upstream answered ${failure.status}`, { status: failure.status, details })
}

const CONTEXT_RE = /maximum context length is (\d+) tokens/
const PROMPT_RE = /\((\d+) in the messages|your request has (\d+) input tokens/

interface ErrorFields {
  message?: unknown
  code?: unknown
  type?: unknown
  n_ctx?: unknown
  n_prompt_tokens?: unknown
}

/** The `error` object of OpenAI and llama-server, or vLLM's top-level `{ object: "error", message }`. */
function errorObject(text: string): ErrorFields | undefined {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: a proxy's HTML page or plain text, which names no context error
    return undefined
  }
  if (typeof body !== 'object' || body === null) return undefined
  const inner = (body as { error?: unknown }).error
  if (typeof inner === 'object' && inner !== null) return inner as ErrorFields
  return body as ErrorFields
}

function isContextError(error: ErrorFields): boolean {
  if (error.code === 'context_length_exceeded' || error.type === 'exceed_context_size_error') return true
  return typeof error.message === 'string' && CONTEXT_RE.test(error.message)
}

/** A token count from a JSON field: a non-negative safe integer, else undefined. */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

function matched(message: unknown, re: RegExp): number | undefined {
  if (typeof message !== 'string') return undefined
  const m = re.exec(message)
  const digits = m?.slice(1).find((g) => g !== undefined)
  return digits === undefined ? undefined : count(Number(digits))
}
