/**
 * What the gateway refuses itself before a job is sent, from its warm order
 * book: a model nobody offers (404 at once), price and trust constraints that
 * exclude every offer (a 400 naming the constraint), a constraint (stop,
 * response format, tools, …) no offer's backend supports (a 400 naming the
 * parameter), and a request too large for one job frame (413 naming the limit). Pure: offers and clock are inputs.
 */

import type { MaxPrice } from '@cocoon-mesh/client/internal'
import { rankOffers, servesFeatures } from '@cocoon-mesh/client/internal'
import {
  canonicalModelId,
  type FeatureName,
  LlmParams,
  MAX_JOB_FRAME_BYTES,
  messagesToWire,
  type Offer,
  offerPricesFor,
  TrustTier,
} from '@cocoon-mesh/protocol'
import { invalidRequest, type OpenAiError, openAiError } from './errors.js'
import type { CompletionRequest } from './request.js'
import { hasToolTurns } from './tool-turns.js'

/** Room a JobRequest needs beyond its LLM parameters (ids, prices, channel proof), bytes. */
const JOB_REQUEST_ENVELOPE_BYTES = 2048

/** The models the book holds live offers for, canonical ids, sorted. */
export function offeredModels(offers: readonly Offer[], now: number): string[] {
  const models = new Set<string>()
  for (const offer of offers) {
    if (offer.expiresAt <= BigInt(Math.floor(now))) continue
    for (const m of offer.models) models.add(canonicalModelId(m))
  }
  return [...models].sort()
}

const TIER_NAMES: Record<TrustTier, string> = {
  [TrustTier.TRUST_TIER_UNSPECIFIED]: 'any',
  [TrustTier.TRUST_TIER_OPEN]: 'open',
  [TrustTier.TRUST_TIER_VERIFIED]: 'verified',
  [TrustTier.TRUST_TIER_ATTESTED]: 'attested',
}

/** OpenAI's 404 for a model nobody offers. */
export function modelNotFound(model: string): OpenAiError {
  return openAiError(
    404,
    `The model \`${model}\` does not exist or no provider offers it now`,
    'invalid_request_error',
    'model_not_found',
    'model',
  )
}

export interface AdmissibleInput {
  request: CompletionRequest
  offers: readonly Offer[]
  now: number
  maxPrice?: MaxPrice
  /** Where a refused `max_price` came from: the request or the gateway's default. */
  maxPriceFromRequest: boolean
  /** The completion tokens the job will ask for: `max_tokens` or the gateway's default. */
  maxTokens: number
}

/** The 4xx the gateway answers without asking a provider, or `undefined` to run the job. */
export function refuseBeforeJob(input: AdmissibleInput): OpenAiError | undefined {
  const { request, now } = input
  const model = canonicalModelId(request.model)
  const forModel = input.offers.filter((o) => o.models.some((m) => canonicalModelId(m) === model))
  const live = forModel.filter((o) => o.expiresAt > BigInt(Math.floor(now)) && o.jobKinds.includes('llm'))
  if (live.length === 0) return modelNotFound(request.model)
  const tooLarge = frameOverflow(request)
  if (tooLarge !== undefined) return tooLarge
  const unserved = unservedFeature(request, live)
  if (unserved !== undefined) return unserved
  const overflow = contextOverflow(input.maxTokens, live)
  if (overflow !== undefined) return overflow
  const { ranked, excluded } = rankOffers({
    model: request.model,
    job: { kind: 'llm' },
    offers: live,
    now,
    ...(input.maxPrice !== undefined ? { maxPrice: input.maxPrice } : {}),
    ...(request.minTrustTier !== undefined ? { minTrustTier: request.minTrustTier } : {}),
  })
  if (ranked.length > 0) return undefined
  if (excluded.every((e) => e.reason === 'trust-tier')) {
    return invalidRequest(
      `none of the ${live.length} offers of \`${request.model}\` has the trust tier \`min_trust_tier\` asks for (${TIER_NAMES[request.minTrustTier ?? TrustTier.TRUST_TIER_UNSPECIFIED]}) or higher; lower \`min_trust_tier\``,
      'trust_tier_unavailable',
      'min_trust_tier',
    )
  }
  const cheapest = live.reduce(
    (low, o) => minBig(low, offerPricesFor(o, request.model)?.perKCompletionTokens ?? 0n),
    (live[0] === undefined ? undefined : offerPricesFor(live[0], request.model))?.perKCompletionTokens ?? 0n,
  )
  const source = input.maxPriceFromRequest ? '`max_price`' : "the gateway's --max-price"
  return invalidRequest(
    `every offer of \`${request.model}\` is above ${source} (${input.maxPrice?.perKCompletionTokens} nanoTON per 1k tokens; the cheapest asks ${cheapest}); raise \`max_price\``,
    'price_above_max_price',
    'max_price',
  )
}

/** Each feature a request needs, and the parameter that asks for it. */
function neededFeatures(request: CompletionRequest): Array<[FeatureName, string]> {
  const needed: Array<[FeatureName, string]> = []
  if (request.stop !== undefined && request.stop.length > 0) needed.push(['stop', 'stop'])
  if (request.topP !== undefined && request.topP !== 1) needed.push(['top_p', 'top_p'])
  if ((request.presencePenalty ?? 0) !== 0) needed.push(['penalties', 'presence_penalty'])
  if ((request.frequencyPenalty ?? 0) !== 0) needed.push(['penalties', 'frequency_penalty'])
  if (request.responseFormat !== undefined) needed.push([request.responseFormat.type, 'response_format'])
  if (request.tools !== undefined && request.toolChoice !== 'none') needed.push(['tools', 'tools'])
  else if (hasToolTurns(request.messages)) needed.push(['tools', 'messages'])
  return needed
}

/** A 400 naming the first parameter no live offer's backend can honour. */
function unservedFeature(request: CompletionRequest, live: readonly Offer[]): OpenAiError | undefined {
  for (const [feature, param] of neededFeatures(request)) {
    if (live.some((o) => servesFeatures(o, [feature]))) continue
    return invalidRequest(
      `no provider of \`${request.model}\` supports \`${param}\` (${feature}) now; leave it out or pick another model`,
      'unsupported_by_providers',
      param,
    )
  }
  const all = neededFeatures(request).map(([f]) => f)
  if (all.length > 1 && !live.some((o) => servesFeatures(o, all))) {
    return invalidRequest(
      `no single provider of \`${request.model}\` supports ${all.join(' + ')} together`,
      'unsupported_by_providers',
      neededFeatures(request)[0]?.[1] ?? null,
    )
  }
  return undefined
}

/**
 * OpenAI's `context_length_exceeded` when every live offer states its context
 * size and `max_tokens` alone fills the largest: no prompt can fit, so no job
 * is sent. Prompt tokens are left to the provider's tokenizer, the only exact count.
 */
function contextOverflow(maxTokens: number, live: readonly Offer[]): OpenAiError | undefined {
  if (live.some((o) => o.contextSize === 0)) return undefined
  const largest = Math.max(...live.map((o) => o.contextSize))
  if (maxTokens < largest) return undefined
  return invalidRequest(
    `max_tokens is too large: ${maxTokens}. This model's maximum context length is ${largest} tokens, and the messages need at least one of them. Please reduce max_tokens.`,
    'context_length_exceeded',
    'max_tokens',
  )
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}

/** A 413 when the request's LLM parameters cannot fit one job frame. */
function frameOverflow(request: CompletionRequest): OpenAiError | undefined {
  const bytes = LlmParams.encode({
    ...(request.prompt !== undefined ? { prompt: request.prompt } : {}),
    ...(request.messages !== undefined ? { messages: messagesToWire(request.messages) } : {}),
  }).byteLength
  const limit = MAX_JOB_FRAME_BYTES - JOB_REQUEST_ENVELOPE_BYTES
  if (bytes <= limit) return undefined
  const param = request.messages !== undefined ? 'messages' : 'prompt'
  return openAiError(
    413,
    `\`${param}\` takes ${bytes} bytes in the job request; the limit of one job frame is ${limit} bytes`,
    'invalid_request_error',
    'request_too_large',
    param,
  )
}
