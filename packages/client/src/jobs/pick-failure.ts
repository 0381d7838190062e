/** What a job says when no provider is left to try: each cause its own error, with what to do. */
import { type Offer, RejectReason } from '@cocoon-mesh/protocol'
import { errorText } from './attempt-outcome.js'
import {
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  NoProviderError,
  RelayedJobsRefusedError,
} from './errors.js'

/** A provider's refusal of a job's request, as the job collected it. */
export interface Rejection {
  providerId: string
  reason: RejectReason
  message: string
}

export interface ExhaustedParameters {
  rejections: Rejection[]
  /** How many providers the job tried. */
  tried: number
  lastError: unknown
}

/** Every provider tried: all refused relayed jobs, all rejected the request, or some failed. */
export function exhaustedError({
  rejections,
  tried,
  lastError,
}: ExhaustedParameters): RelayedJobsRefusedError | AllRejectedError | AllProvidersFailedError {
  const relayed = rejections.filter((r) => r.reason === RejectReason.REJECT_REASON_RELAYED)
  if (relayed.length > 0 && relayed.length === tried) {
    return new RelayedJobsRefusedError(
      `provider ${relayed.map((r) => r.providerId).join(', ')} is reachable only through a relay, and relays carry no jobs to it`,
      {
        details: `${relayed[0]?.message ?? ''}. As a client: try a provider with a direct address, or one whose operator allows relayed jobs.`,
      },
    )
  }
  if (rejections.length === tried) {
    return new AllRejectedError(rejections, {
      details: rejections.map((r) => `${r.providerId}: ${RejectReason[r.reason]} ${r.message}`).join('; '),
    })
  }
  return new AllProvidersFailedError(`all ${tried} providers tried failed`, {
    cause: lastError,
    details: `last error: ${errorText(lastError)}`,
  })
}

export interface NoMatchParameters {
  model: string
  offers: readonly Offer[]
  excluded: ReadonlyArray<{ reason: string }>
  /** nanoTON left of the job's budget, when it has one. */
  budget: bigint | undefined
}

/** No provider tried yet and none matches: over budget, or why the offers were left out. */
export function noMatchError({
  model,
  offers,
  excluded,
  budget,
}: NoMatchParameters): BudgetExceededError | NoProviderError {
  if (excluded.some((e) => e.reason === 'over-budget')) {
    return new BudgetExceededError('every matching offer costs more than the budget', {
      details: `budget left ${budget} nanoTON for model "${model}"`,
    })
  }
  const reasons = [...new Set(excluded.map((e) => e.reason))].join(', ')
  return new NoProviderError(`no provider offers model "${model}"`, {
    details:
      offers.length === 0
        ? 'the order book has no live offers for it; check the model name and the bootstrap peers'
        : `${offers.length} offers were left out: ${reasons}`,
  })
}
