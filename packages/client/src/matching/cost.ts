import { expectedJobCost, llmCost, type Prices } from '@cocoon-mesh/protocol'
import type { JobSize } from './types.js'

/** Default expected size when the caller gives none: a short chat turn. */
export const DEFAULT_PROMPT_TOKENS = 256
export const DEFAULT_COMPLETION_TOKENS = 256

/**
 * The nanoTON a job of `size` costs at `prices` (prices are per 1000 tokens
 * and per GFLOP), rounded up so a provider is never underpaid.
 */
export function estimateJobCost(prices: Prices, size: JobSize): bigint {
  if (size.kind === 'tensor')
    return expectedJobCost(prices, { kind: 'tensor', gflop: Math.max(0, size.gflop ?? 1) })
  return expectedJobCost(prices, {
    kind: 'llm',
    promptTokens: Math.max(0, Math.ceil(size.promptTokens ?? DEFAULT_PROMPT_TOKENS)),
    maxCompletionTokens: Math.max(0, Math.ceil(size.completionTokens ?? DEFAULT_COMPLETION_TOKENS)),
  })
}

/** Cost of delivered LLM usage at `prices` (the protocol's `llmCost`). */
export function llmUsageCost(prices: Prices, promptTokens: number, completionTokens: number): bigint {
  return llmCost(prices, { promptTokens, completionTokens })
}

/**
 * True when the price fields that matter for a job of `kind` (per-1k token
 * prices for LLM and embedding jobs, per-GFLOP for tensor jobs; all when no kind) are within
 * the corresponding caps that are present.
 */
export function withinMaxPrice(
  prices: Prices,
  max: Partial<Prices> | undefined,
  kind?: JobSize['kind'],
): boolean {
  if (max === undefined) return true
  if (kind !== 'tensor') {
    if (max.perKPromptTokens !== undefined && prices.perKPromptTokens > max.perKPromptTokens) return false
    if (max.perKCompletionTokens !== undefined && prices.perKCompletionTokens > max.perKCompletionTokens)
      return false
  }
  if (
    (kind === undefined || kind === 'tensor') &&
    max.perTensorGflop !== undefined &&
    prices.perTensorGflop > max.perTensorGflop
  )
    return false
  return true
}
