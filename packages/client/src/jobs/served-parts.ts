/** How one attempt of a job becomes a served part of its result, whether it completed or failed. */
import { type Prices, tensorCost } from '@cocoon-mesh/protocol'
import { llmUsageCost } from '../matching/cost.js'
import type { RankedOffer } from '../matching/types.js'
import type { CountedUsage } from './attempt.js'
import { errorText, outcomeOf } from './attempt-outcome.js'
import { BelowTrustTierError, JobRejectedError } from './errors.js'
import { zeroPrices } from './job-request.js'
import type { ServedPart } from './job-types.js'

/** What one attempt delivered so far: the accepted price, tokens received and when. */
export interface AttemptProgress {
  /** The price in the JobAccept, once it arrived. */
  price?: Prices
  /** Completion tokens received in this attempt. */
  tokens: number
  gflop: number
  startedAt: number
  firstTokenAt?: number
}

/** Where and when an attempt ended: the `via` of its connection, when known. */
export interface PartEnd {
  endedAt: number
  via?: string | undefined
}

/** The part of an attempt that delivered its JobResult; `counted` is the usage the client accounted for. */
export function completedPart(
  candidate: RankedOffer,
  progress: AttemptProgress,
  counted: CountedUsage,
  end: PartEnd,
): ServedPart {
  return {
    providerId: candidate.providerId,
    tier: candidate.trust.tier,
    trust: candidate.trust,
    price: progress.price ?? zeroPrices(),
    promptTokens: counted.promptTokens,
    completionTokens: counted.completionTokens,
    gflop: counted.gflop,
    cost: counted.cost,
    startedAt: progress.startedAt,
    ...(progress.firstTokenAt !== undefined ? { firstTokenAt: progress.firstTokenAt } : {}),
    endedAt: end.endedAt,
    ...(end.via === undefined ? {} : { via: end.via }),
    outcome: 'completed',
  }
}

/**
 * The part of an attempt that failed, costed from what was delivered: nothing
 * for a rejection or a refusal (nothing was served).
 */
export function failedPart(
  candidate: RankedOffer,
  progress: AttemptProgress,
  err: unknown,
  end: PartEnd,
): ServedPart {
  const rejected = err instanceof JobRejectedError
  const refused = err instanceof BelowTrustTierError
  const price = progress.price ?? candidate.prices
  const { tokens, gflop } = progress
  return {
    providerId: candidate.providerId,
    tier: candidate.trust.tier,
    trust: candidate.trust,
    price,
    promptTokens: 0,
    completionTokens: tokens,
    gflop,
    cost:
      rejected || refused ? 0n : llmUsageCost(price, 0, tokens) + (gflop > 0 ? tensorCost(price, gflop) : 0n),
    startedAt: progress.startedAt,
    endedAt: end.endedAt,
    ...(end.via === undefined ? {} : { via: end.via }),
    outcome: refused
      ? 'refused'
      : rejected
        ? 'rejected'
        : outcomeOf(err) === 'cheated'
          ? 'cheated'
          : 'failed',
    error: errorText(err),
  }
}
