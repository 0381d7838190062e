/**
 * How a finished attempt reads in the client's provider record: the outcome
 * a failure leaves, the error text a part carries, and the generation rate a
 * success is measured at.
 */
import { errorMessage, isCocoonError } from '@cocoon-mesh/protocol'
import {
  PriceAboveOfferError,
  ProviderTimeoutError,
  ProviderUnreachableError,
  UsageMismatchError,
} from './errors.js'
import type { ServedPart } from './job-types.js'

/** The record a failed attempt leaves: a dial failure is kept apart from a failure mid-job, and a claim beyond what was delivered is cheating. */
export function outcomeOf(err: unknown): 'unreachable' | 'timeout' | 'cheated' | 'failure' {
  if (err instanceof ProviderUnreachableError) return 'unreachable'
  if (err instanceof ProviderTimeoutError) return 'timeout'
  if (err instanceof UsageMismatchError || err instanceof PriceAboveOfferError) return 'cheated'
  return 'failure'
}

export function errorText(err: unknown): string {
  if (isCocoonError(err)) return `${err.code}: ${err.shortMessage}`
  return errorMessage(err)
}

/** Fewest tokens after the first one for a part's rate to say anything about the provider. */
const MIN_RATE_TOKENS = 8

/**
 * Tokens/s a part was generated at, from its first token to its end: what an
 * offer's `tokensPerSecond` promises. The wait for the first token (stream
 * open, prompt processing) is latency, not throughput; counting it made every
 * short job look several times slower than promised and pushed clients to
 * pricier providers. Undefined when the part is too short to tell.
 */
export function generationRate(part: ServedPart): number | undefined {
  if (part.firstTokenAt === undefined) return undefined
  const tokens = part.completionTokens - 1
  const seconds = (part.endedAt - part.firstTokenAt) / 1000
  if (tokens < MIN_RATE_TOKENS || seconds <= 0) return undefined
  return tokens / seconds
}
