import type { ChatMessage } from '@cocoon-mesh/gpu-runtime'
import { type OpenAiError, openAiError } from './errors.js'

/** A parsed, validated chat or text completion request. */
export interface CompletionRequest {
  model: string
  messages?: ChatMessage[]
  prompt?: string
  stream: boolean
  includeUsage: boolean
  maxTokens?: number
  temperature?: number
  seed?: number
  /** Cocoon extension: nanoTON per 1k tokens at most. */
  maxPrice?: bigint
}

const MAX_TOKENS_LIMIT = 32_768

function bad(message: string, param: string | null): OpenAiError {
  return openAiError(400, message, 'invalid_request_error', 'invalid_value', param)
}

type Body = Record<string, unknown>

/** One group of body fields: copies what it validates into `out`, or returns the 400 for the first bad one. */
type FieldGroup = (b: Body, out: CompletionRequest) => OpenAiError | undefined

/** Validates a `/v1/chat/completions` (`chat`) or `/v1/completions` body. Pure. */
export function parseCompletionRequest(body: unknown, chat: boolean): CompletionRequest | OpenAiError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad('the request body must be a JSON object', null)
  }
  const b = body as Body
  if (typeof b.model !== 'string' || b.model.trim() === '')
    return bad('`model` is required and must be a string', 'model')
  const out: CompletionRequest = { model: b.model, stream: b.stream === true, includeUsage: false }
  const groups: FieldGroup[] = [
    streamFields,
    chat ? chatMessages : textPrompt,
    samplingFields,
    unsupportedFields,
    maxPriceField,
  ]
  for (const group of groups) {
    const error = group(b, out)
    if (error !== undefined) return error
  }
  return out
}

/** `stream` and `stream_options.include_usage`. */
function streamFields(b: Body, out: CompletionRequest): OpenAiError | undefined {
  if (b.stream !== undefined && typeof b.stream !== 'boolean')
    return bad('`stream` must be a boolean', 'stream')
  const options = b.stream_options
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object') return bad('`stream_options` must be an object', 'stream_options')
    out.includeUsage = (options as Body).include_usage === true
  }
  return undefined
}

/** Chat input: a non-empty `messages` array of `{ role, content }` with text content. */
function chatMessages(b: Body, out: CompletionRequest): OpenAiError | undefined {
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    return bad('`messages` must be a non-empty array', 'messages')
  }
  const messages: ChatMessage[] = []
  for (const [i, m] of b.messages.entries()) {
    if (typeof m !== 'object' || m === null) return bad(`messages[${i}] must be an object`, `messages[${i}]`)
    const { role, content } = m as Body
    if (typeof role !== 'string') return bad(`messages[${i}].role must be a string`, `messages[${i}].role`)
    const text = contentText(content)
    if (text === undefined)
      return bad(`messages[${i}].content must be a string or text parts`, `messages[${i}].content`)
    messages.push({ role, content: text })
  }
  out.messages = messages
  return undefined
}

/** Text-completion input: `prompt` as a non-empty string or a one-string array. */
function textPrompt(b: Body, out: CompletionRequest): OpenAiError | undefined {
  const prompt = Array.isArray(b.prompt) && b.prompt.length === 1 ? b.prompt[0] : b.prompt
  if (typeof prompt !== 'string' || prompt === '') return bad('`prompt` must be a non-empty string', 'prompt')
  out.prompt = prompt
  return undefined
}

/** `max_completion_tokens` (or `max_tokens`), `temperature` and `seed`; null means absent. */
function samplingFields(b: Body, out: CompletionRequest): OpenAiError | undefined {
  const maxTokens = b.max_completion_tokens ?? b.max_tokens
  if (maxTokens !== undefined && maxTokens !== null) {
    if (
      !Number.isInteger(maxTokens) ||
      (maxTokens as number) < 1 ||
      (maxTokens as number) > MAX_TOKENS_LIMIT
    ) {
      return bad(`\`max_tokens\` must be an integer in 1..${MAX_TOKENS_LIMIT}`, 'max_tokens')
    }
    out.maxTokens = maxTokens as number
  }
  if (b.temperature !== undefined && b.temperature !== null) {
    if (typeof b.temperature !== 'number' || b.temperature < 0 || b.temperature > 2) {
      return bad('`temperature` must be a number in 0..2', 'temperature')
    }
    out.temperature = b.temperature
  }
  if (b.seed !== undefined && b.seed !== null) {
    if (!Number.isInteger(b.seed) || (b.seed as number) < 0)
      return bad('`seed` must be a non-negative integer', 'seed')
    out.seed = (b.seed as number) >>> 0
  }
  return undefined
}

/** OpenAI fields the gateway refuses rather than ignores: `n` other than 1, `tools`. */
function unsupportedFields(b: Body): OpenAiError | undefined {
  if (b.n !== undefined && b.n !== null && b.n !== 1) return bad('only `n: 1` is supported', 'n')
  if (b.tools !== undefined && b.tools !== null) return bad('tools are not supported', 'tools')
  return undefined
}

/** Cocoon extension `max_price`: nanoTON per 1k tokens, an integer given as a number or a string. */
function maxPriceField(b: Body, out: CompletionRequest): OpenAiError | undefined {
  if (b.max_price === undefined || b.max_price === null) return undefined
  if (typeof b.max_price !== 'number' && typeof b.max_price !== 'string')
    return bad('`max_price` must be a number', 'max_price')
  try {
    out.maxPrice = BigInt(b.max_price)
  } catch {
    return bad('`max_price` must be an integer (nanoTON per 1k tokens)', 'max_price')
  }
  return undefined
}

function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return undefined
  let text = ''
  for (const part of content) {
    if (typeof part !== 'object' || part === null) return undefined
    const p = part as Record<string, unknown>
    if (p.type !== 'text' || typeof p.text !== 'string') return undefined
    text += p.text
  }
  return text
}
