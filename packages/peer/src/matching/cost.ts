import type { Prices } from '@cocoon-mesh/protocol'
import type { JobSize } from './types.js'

/** Default expected size when the caller gives none: a short chat turn. */
export const DEFAULT_PROMPT_TOKENS = 256
export const DEFAULT_COMPLETION_TOKENS = 256

/**
 * The nanoTON a job of `size` costs at `prices` (prices are per 1000 tokens
 * and per GFLOP), rounded up so a provider is never underpaid.
 */
export function estimateJobCost(prices: Prices, size: JobSize): bigint {
  if (size.kind === 'tensor') {
    const gflop = Math.max(0, size.gflop ?? 1)
    return ceilMul(prices.perTensorGflop, gflop)
  }
  const prompt = BigInt(Math.max(0, Math.ceil(size.promptTokens ?? DEFAULT_PROMPT_TOKENS)))
  const completion = BigInt(Math.max(0, Math.ceil(size.completionTokens ?? DEFAULT_COMPLETION_TOKENS)))
  return ceilDiv(prices.perKPromptTokens * prompt + prices.perKCompletionTokens * completion, 1000n)
}

/** Cost of delivered LLM usage at `prices`. */
export function llmUsageCost(prices: Prices, promptTokens: number, completionTokens: number): bigint {
  return estimateJobCost(prices, { kind: 'llm', promptTokens, completionTokens })
}

/** True when every price field of `prices` is within the corresponding (present) cap. */
export function withinMaxPrice(prices: Prices, max: Partial<Prices> | undefined): boolean {
  if (max === undefined) return true
  if (max.perKPromptTokens !== undefined && prices.perKPromptTokens > max.perKPromptTokens) return false
  if (max.perKCompletionTokens !== undefined && prices.perKCompletionTokens > max.perKCompletionTokens)
    return false
  if (max.perTensorGflop !== undefined && prices.perTensorGflop > max.perTensorGflop) return false
  return true
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b
}

function ceilMul(price: bigint, amount: number): bigint {
  // amount in milli-units to keep bigint arithmetic exact enough
  const milli = BigInt(Math.ceil(amount * 1000))
  return ceilDiv(price * milli, 1000n)
}
