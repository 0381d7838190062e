/** The trust tier a whole job was served at, from the tiers of its parts. */
import { tierName } from '../market/offer-trust.js'
import type { JobUsage, ServedPart } from './job-types.js'

/** Parts that delivered output (a failed part that streamed tokens counts: its text is in the answer). */
function delivering(parts: readonly ServedPart[]): ServedPart[] {
  return parts.filter((p) => p.outcome === 'completed' || p.completionTokens > 0 || p.gflop > 0)
}

/**
 * The tier that served a job: the lowest tier among the parts that delivered
 * output, so one open part makes the whole answer open; `open` when none did.
 */
export function servedTier(usage: Pick<JobUsage, 'parts'>): 'attested' | 'open' {
  const parts = delivering(usage.parts)
  return parts.length > 0 && parts.every((p) => tierName(p.tier) === 'attested') ? 'attested' : 'open'
}
