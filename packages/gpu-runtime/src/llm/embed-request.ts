import { MAX_EMBEDDING_INPUTS } from '@cocoon-mesh/protocol'
import { InvalidRequestError } from '../errors.js'
import type { EmbedRequest } from '../types.js'
import { MAX_PROMPT_CHARS } from './request.js'

/** Throws `InvalidRequestError` naming the first problem of an embedding request. */
export function validateEmbedRequest(request: EmbedRequest): void {
  const bad = (what: string, details: string): never => {
    throw new InvalidRequestError(`Invalid embed request: ${what}`, { details })
  }
  if (typeof request?.model !== 'string' || request.model === '')
    bad('model', 'model must be a non-empty string.')
  const { inputs } = request
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > MAX_EMBEDDING_INPUTS)
    bad('inputs', `inputs must be an array of 1 to ${MAX_EMBEDDING_INPUTS} strings.`)
  let chars = 0
  for (const input of inputs) {
    if (typeof input !== 'string' || input === '') bad('inputs[]', 'Each input must be a non-empty string.')
    chars += input.length
  }
  if (chars > MAX_PROMPT_CHARS) bad('inputs', `${chars} characters; the limit is ${MAX_PROMPT_CHARS}.`)
}
