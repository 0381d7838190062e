/**
 * The client's accounting of a finished attempt: the usage it can vouch for
 * (tokens received, prompt tokens within its bound) and what that costs at
 * the accepted price.
 */
import {
  JobKind,
  type JobRequest,
  type JobResult,
  type Prices,
  type Usage,
  usageCost,
} from '@cocoon-mesh/protocol'
import { UsageMismatchError } from './errors.js'

/**
 * The usage of a finished attempt as the client accounts for it: the tokens
 * it received, the provider's prompt tokens (or GFLOP) once checked against
 * the client's bound, and the provider's bill once checked against the
 * accepted price times that usage.
 */
export interface CountedUsage {
  promptTokens: number
  completionTokens: number
  gflop: number
  cost: bigint
}

/**
 * The usage of a finished attempt the client can account for, or
 * `UsageMismatchError` when the JobResult claims more: completion tokens
 * above those received, prompt tokens above the client's bound, or a cost
 * above the accepted price times that usage.
 */
export function countUsage(
  options: { request: JobRequest; promptTokenBound?: number },
  price: Prices,
  result: JobResult,
  receivedTokens: number,
): CountedUsage {
  const kind = attemptKind(options.request)
  const usage = result.usage
  const claimedPrompt = usage?.promptTokens ?? 0
  const bound = options.promptTokenBound ?? Number.POSITIVE_INFINITY
  const promptTokens = Math.min(claimedPrompt, bound)
  const cost = deliveredCost(
    price,
    kind,
    usage === undefined ? undefined : { ...usage, promptTokens },
    receivedTokens,
  )
  const claimed = {
    promptTokens: claimedPrompt,
    completionTokens: usage?.completionTokens ?? 0,
    cost: usage?.cost ?? 0n,
  }
  const counted = { promptTokens, completionTokens: receivedTokens, cost }
  const over: string[] = []
  if (claimed.completionTokens > receivedTokens)
    over.push(`completion tokens ${claimed.completionTokens} > ${receivedTokens} received`)
  if (claimedPrompt > bound)
    over.push(`prompt tokens ${claimedPrompt} > ${bound}, the most the prompt sent can hold`)
  if (claimed.cost > cost) over.push(`cost ${claimed.cost} > ${cost} nanoTON at the accepted price`)
  if (over.length > 0) {
    throw new UsageMismatchError(
      'provider billed more than the client can account for',
      { claimed, counted },
      {
        details: `${over.join('; ')}; the result is refused and another provider tried`,
      },
    )
  }
  return { promptTokens, completionTokens: receivedTokens, gflop: usage?.gflop ?? 0, cost: claimed.cost }
}

/** The pricing kind of a request: a tensor job is billed per GFLOP, anything else per token. */
export function attemptKind(request: JobRequest): 'llm' | 'tensor' {
  return request.kind === JobKind.JOB_KIND_TENSOR ? 'tensor' : 'llm'
}

/**
 * The cumulative cost of a finished attempt at the accepted `price`: the
 * provider's reported prompt tokens (LLM) or GFLOP (tensor), and the completion tokens the
 * client actually received (never the provider's count).
 */
export function deliveredCost(
  price: Prices,
  kind: 'llm' | 'tensor',
  usage: Pick<Usage, 'promptTokens' | 'gflop'> | undefined,
  receivedTokens: number,
): bigint {
  return usageCost(price, kind, {
    promptTokens: usage?.promptTokens ?? 0,
    cachedTokens: 0,
    completionTokens: receivedTokens,
    reasoningTokens: 0,
    gflop: usage?.gflop ?? 0,
    cost: 0n,
  })
}
