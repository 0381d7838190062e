import { InvalidRequestError } from '../errors.js'
import type { GenerateRequest } from '../types.js'

/** Largest prompt text accepted, in UTF-16 code units (prompt + messages + continuation). */
export const MAX_PROMPT_CHARS = 4 * 1024 * 1024

/** Throws `InvalidRequestError` naming the first problem of a request. */
export function validateGenerateRequest(request: GenerateRequest): void {
  const bad = (what: string, details: string): never => {
    throw new InvalidRequestError(`Invalid generate request: ${what}`, { details })
  }
  if (typeof request !== 'object' || request === null)
    bad('not an object', 'Pass { model, prompt | messages, maxTokens }.')
  if (typeof request.model !== 'string' || request.model === '')
    bad('model', 'model must be a non-empty string.')
  const hasPrompt = request.prompt !== undefined
  const hasMessages = request.messages !== undefined
  if (hasPrompt === hasMessages) bad('prompt/messages', 'Set exactly one of prompt and messages.')
  let chars = 0
  if (hasPrompt) {
    if (typeof request.prompt !== 'string') bad('prompt', 'prompt must be a string.')
    chars += (request.prompt as string).length
  }
  if (hasMessages) {
    if (!Array.isArray(request.messages) || request.messages.length === 0) {
      bad('messages', 'messages must be a non-empty array of { role, content }.')
    }
    for (const [i, m] of (request.messages ?? []).entries()) {
      if (typeof m?.role !== 'string' || typeof m?.content !== 'string') {
        bad(`messages[${i}]`, 'Each message needs string role and content.')
      }
      chars += m.content.length + m.role.length
    }
  }
  if (request.continuation !== undefined) {
    if (typeof request.continuation !== 'string') bad('continuation', 'continuation must be a string.')
    chars += request.continuation.length
  }
  if (chars > MAX_PROMPT_CHARS)
    bad('prompt too long', `${chars} characters; the limit is ${MAX_PROMPT_CHARS}.`)
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1 || request.maxTokens > 1_000_000) {
    bad('maxTokens', `maxTokens must be an integer from 1 to 1000000, got ${String(request.maxTokens)}.`)
  }
  if (request.temperature !== undefined) {
    const t = request.temperature
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 2) {
      bad('temperature', `temperature must be within [0, 2], got ${String(t)}.`)
    }
  }
  if (
    request.seed !== undefined &&
    (!Number.isInteger(request.seed) || request.seed < 0 || request.seed > 0xffffffff)
  ) {
    bad('seed', `seed must be an integer within [0, 2^32), got ${String(request.seed)}.`)
  }
  if (
    request.deadline !== undefined &&
    (typeof request.deadline !== 'number' || !Number.isFinite(request.deadline))
  ) {
    bad('deadline', 'deadline must be a Unix time in milliseconds.')
  }
}
