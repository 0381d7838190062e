/**
 * The trust tier a gateway response reports: a header naming the tier that
 * served the job and, in Cocoon's `usage` extension, the tier of each part.
 * The tiers are the client's own verdicts on the providers' evidence.
 */
import {
  type ComputedTier,
  type JobUsage,
  type ServedPart,
  servedTier,
  type TokenOutput,
  tierName,
  trustLabel,
} from '@cocoon-mesh/client/internal'

/** The response header naming the tier that served the job: `attested` or `open`. */
export const TRUST_TIER_HEADER = 'x-cocoon-trust-tier'

/**
 * The header of a response: for a finished job its served tier; for a
 * stream, sent before the job ends, the tier of the provider of the first
 * token (a failover part's tier is in the final usage chunk).
 */
export function trustTierHeaders(
  served: Pick<JobUsage, 'parts'> | { first: TokenOutput | undefined },
): Record<string, string> {
  if ('parts' in served) return { [TRUST_TIER_HEADER]: servedTier(served) }
  return { [TRUST_TIER_HEADER]: served.first === undefined ? 'open' : tierOf(served.first.tier) }
}

function tierOf(tier: ComputedTier): 'attested' | 'open' {
  return tierName(tier) === 'attested' ? 'attested' : 'open'
}

/** The trust fields of one part in Cocoon's `usage` extension: its tier and the verdict in words. */
export function partTrustFields(part: ServedPart): { trust_tier: 'attested' | 'open'; trust: string } {
  return { trust_tier: tierOf(part.tier), trust: trustLabel(part.trust) }
}
