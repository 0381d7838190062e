/**
 * Pure price arithmetic in nanoTON (bigint), shared by clients, providers and
 * the simulator so that both sides of a job compute the same number.
 *
 * Rounding: each function computes the exact rational cost and rounds UP
 * (ceil) once, at the end, to a whole nanoTON. A provider is therefore never
 * paid less than its quoted rate, and is overpaid by less than 1 nanoTON per
 * call.
 *
 * Token accounting follows the OpenAI usage convention (what vLLM, llama.cpp
 * and Cocoon report): `cachedTokens` is a subset of `promptTokens` and
 * `reasoningTokens` a subset of `completionTokens`, so they are billed at the
 * rate of their parent and never added twice.
 */
import { InvalidFieldError } from './errors.js'
import { type Offer, type Prices, TrustTier, type Usage } from './generated/cocoon.js'
import type { JobKindName } from './job-kind.js'
import { canonicalModelId } from './protocol-ids.js'

/** GFLOP amounts are billed at micro-GFLOP resolution (1e-6 GFLOP = 1000 FLOP). */
const GFLOP_SCALE = 1_000_000

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  if (numerator <= 0n) return 0n
  return (numerator + denominator - 1n) / denominator
}

function tokenCount(field: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidFieldError(`Invalid ${field}: ${value}`, {
      field,
      details: 'Expected a whole number of tokens >= 0.',
    })
  }
  return BigInt(value)
}

export type LlmUsage = Pick<Usage, 'promptTokens' | 'completionTokens'>

/**
 * Cost of an LLM job: ceil((prompt * perKPromptTokens + completion * perKCompletionTokens) / 1000).
 */
export function llmCost(prices: Prices, usage: LlmUsage): bigint {
  const prompt = tokenCount('promptTokens', usage.promptTokens)
  const completion = tokenCount('completionTokens', usage.completionTokens)
  return ceilDiv(prompt * prices.perKPromptTokens + completion * prices.perKCompletionTokens, 1000n)
}

/** Converts a GFLOP amount to integer micro-GFLOP, rounding up. */
function microGflop(gflop: number): bigint {
  if (!Number.isFinite(gflop) || gflop < 0) {
    throw new InvalidFieldError(`Invalid gflop: ${gflop}`, {
      field: 'gflop',
      details: 'Expected a finite number >= 0.',
    })
  }
  const scaled = Math.ceil(gflop * GFLOP_SCALE)
  if (!Number.isFinite(scaled)) {
    throw new InvalidFieldError(`Invalid gflop: ${gflop}`, {
      field: 'gflop',
      details: 'Expected at most 1e300 GFLOP.',
    })
  }
  return BigInt(scaled)
}

/** Cost of a tensor job: ceil(gflop * perTensorGflop), gflop taken at 1e-6 resolution (rounded up). */
export function tensorCost(prices: Prices, gflop: number): bigint {
  return ceilDiv(microGflop(gflop) * prices.perTensorGflop, BigInt(GFLOP_SCALE))
}

/** Cost of a finished job from its reported usage. */
export function usageCost(prices: Prices, kind: JobKindName, usage: Usage): bigint {
  return kind === 'llm' ? llmCost(prices, usage) : tensorCost(prices, usage.gflop)
}

export type JobCostEstimate =
  | { kind: 'llm'; promptTokens: number; maxCompletionTokens: number }
  | { kind: 'tensor'; gflop: number }

/**
 * The most a job can cost at `prices`: for an LLM job every allowed completion
 * token is produced; for a tensor job the estimated GFLOP are billed. Used to
 * check a budget or a payment-channel credit before starting.
 */
export function expectedJobCost(prices: Prices, estimate: JobCostEstimate): bigint {
  if (estimate.kind === 'llm') {
    return llmCost(prices, {
      promptTokens: estimate.promptTokens,
      completionTokens: estimate.maxCompletionTokens,
    })
  }
  return tensorCost(prices, estimate.gflop)
}

/** FLOP count of a [m x k] x [k x n] matmul, in GFLOP (2·m·k·n / 1e9). */
export function matmulGflop(m: number, k: number, n: number): number {
  return (2 * m * k * n) / 1e9
}

/**
 * The prices a job of `model` pays under an offer: its `modelPrices` entry
 * (matched by canonical id) when the offer lists one, else `prices`.
 */
export function offerPricesFor(
  offer: Pick<Offer, 'prices'> & Partial<Pick<Offer, 'modelPrices'>>,
  model: string,
): Prices | undefined {
  const id = canonicalModelId(model)
  const entry = offer.modelPrices?.find((e) => canonicalModelId(e.model) === id)
  return entry?.prices ?? offer.prices
}

/**
 * The prices a job of `model` and `minTrustTier` pays under an offer:
 * `attestedPrices` (per offer) for a job that requires the attested tier
 * (when the offer has them), else {@link offerPricesFor}. Both sides compute
 * it from what they both see: the offer and the JobRequest.
 */
export function tierPrices(
  offer: Pick<Offer, 'prices' | 'attestedPrices'> & Partial<Pick<Offer, 'modelPrices'>>,
  minTrustTier: TrustTier | undefined,
  model: string,
): Prices | undefined {
  if (minTrustTier === TrustTier.TRUST_TIER_ATTESTED && offer.attestedPrices !== undefined)
    return offer.attestedPrices
  return offerPricesFor(offer, model)
}
