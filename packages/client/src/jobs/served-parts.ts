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
    ...attemptOf(candidate, progress, end),
    price: progress.price ?? zeroPrices(),
    promptTokens: counted.promptTokens,
    completionTokens: counted.completionTokens,
    gflop: counted.gflop,
    cost: counted.cost,
    ...(progress.firstTokenAt !== undefined ? { firstTokenAt: progress.firstTokenAt } : {}),
    outcome: 'completed',
  }
}

/** Who served an attempt and when, the same for every outcome. */
function attemptOf(
  candidate: RankedOffer,
  progress: AttemptProgress,
  end: PartEnd,
): Pick<ServedPart, 'providerId' | 'tier' | 'trust' | 'startedAt' | 'endedAt' | 'via'> {
  return {
    providerId: candidate.providerId,
    tier: candidate.trust.tier,
    trust: candidate.trust,
    startedAt: progress.startedAt,
    endedAt: end.endedAt,
    ...(end.via === undefined ? {} : { via: end.via }),
  }
}

/** How a failed attempt is booked: a refusal or rejection served nothing; a caught lie is cheating. */
function failedOutcome(err: unknown): ServedPart['outcome'] {
  if (err instanceof BelowTrustTierError) return 'refused'
  if (err instanceof JobRejectedError) return 'rejected'
  return outcomeOf(err) === 'cheated' ? 'cheated' : 'failed'
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
  const outcome = failedOutcome(err)
  const price = progress.price ?? candidate.prices
  const { tokens, gflop } = progress
  const servedNothing = outcome === 'refused' || outcome === 'rejected'
  return {
    ...attemptOf(candidate, progress, end),
    price,
    promptTokens: 0,
    completionTokens: tokens,
    gflop,
    cost: servedNothing ? 0n : llmUsageCost(price, 0, tokens) + (gflop > 0 ? tensorCost(price, gflop) : 0n),
    outcome,
    error: errorText(err),
  }
}
