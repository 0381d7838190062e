/**
 * The tier a client gives a provider's offer, computed from evidence it
 * verified itself and never from the offer's own `trust_tier` claim. The
 * verification runs where offers enter the order book; this file holds the
 * verdict as data (what matching, usage and the CLI read) and its labels.
 */
import type {
  AttestationVerdict,
  GpuVerdict,
  NotAttestedReason,
  TcbStatus,
  TeeName,
} from '@cocoon-mesh/attestation'
// the labels alone: the package root holds the DCAP verifier, which a browser bundle leaves out
import { describeReason } from '@cocoon-mesh/attestation/label'
import { type Offer, TrustTier } from '@cocoon-mesh/protocol'

export type { NotAttestedReason } from '@cocoon-mesh/attestation'

/** The tiers a client can compute: attested (quote verified, bound, measurement allowed) or open. */
export type ComputedTier = TrustTier.TRUST_TIER_ATTESTED | TrustTier.TRUST_TIER_OPEN

/** The client's verdict on one offer, stored beside it in the order book. */
export interface OfferTrust {
  tier: ComputedTier
  /** Set when the tier is open: why the evidence did not make it attested. */
  reason?: NotAttestedReason
  /** What the provider claimed in `trust_tier` (only ever shown, never believed). */
  claimed: TrustTier
  /** The TEE kind of the evidence, when it decoded. */
  tee?: TeeName
  /** The TCB status of a verified quote. */
  tcbStatus?: TcbStatus
  /** Whether a verified NVIDIA token covers the GPU (it never changes the tier). */
  gpu: GpuVerdict
  /** The verifier's whole verdict (measurements, report data, every check), when evidence was verified. */
  verdict?: AttestationVerdict
}

/** Computes the verdict on an offer's evidence at `now` (Unix ms); never throws for bad evidence. */
export interface OfferTrustVerifier {
  assess(offer: Offer, now: number): OfferTrust | Promise<OfferTrust>
}

/** The verdict on an offer nothing was verified for. */
export function openTrust(offer: Pick<Offer, 'trustTier'>, reason: NotAttestedReason): OfferTrust {
  return { tier: TrustTier.TRUST_TIER_OPEN, reason, claimed: offer.trustTier, gpu: 'not-attested' }
}

/** Where matching reads the verdict of an offer; an offer it has none for is open. */
export type TrustLookup = (offer: Offer) => OfferTrust | undefined

/** The verdict of `offer` through `lookup`, open (`no-evidence`) when there is none. */
export function trustOf(offer: Offer, lookup: TrustLookup | undefined): OfferTrust {
  return lookup?.(offer) ?? openTrust(offer, 'no-evidence')
}

const TIER_ORDER: Record<TrustTier, number> = {
  [TrustTier.TRUST_TIER_UNSPECIFIED]: 0,
  [TrustTier.TRUST_TIER_OPEN]: 1,
  [TrustTier.TRUST_TIER_VERIFIED]: 2,
  [TrustTier.TRUST_TIER_ATTESTED]: 3,
}

/** Whether a verdict of `tier` meets a job's `minimum` (unspecified: anything does). */
export function meetsTier(tier: ComputedTier, minimum: TrustTier | undefined): boolean {
  return TIER_ORDER[tier] >= (TIER_ORDER[minimum ?? TrustTier.TRUST_TIER_UNSPECIFIED] ?? 0)
}

/** The short name of a tier: `attested`, `open`, `verified` or `unspecified`. */
export function tierName(tier: TrustTier): 'attested' | 'open' | 'verified' | 'unspecified' {
  if (tier === TrustTier.TRUST_TIER_ATTESTED) return 'attested'
  if (tier === TrustTier.TRUST_TIER_VERIFIED) return 'verified'
  if (tier === TrustTier.TRUST_TIER_OPEN) return 'open'
  return 'unspecified'
}

/**
 * What a person reads about a verdict, in the words of the attestation
 * package's `verdictLabel`: `CPU TEE attested (TDX UpToDate), GPU attested`,
 * `CPU TEE attested (TDX UpToDate), GPU not attested`, `open`, `open: not
 * bound to this peer`, or `open: claims attested, no evidence`.
 */
export function trustLabel(trust: OfferTrust): string {
  if (trust.tier === TrustTier.TRUST_TIER_ATTESTED) {
    const tee = `${(trust.tee ?? '').toUpperCase()} ${trust.tcbStatus ?? ''}`.trim()
    const gpu =
      trust.gpu === 'attested'
        ? 'GPU attested'
        : trust.gpu === 'invalid'
          ? 'GPU token invalid'
          : 'GPU not attested'
    return `CPU TEE attested (${tee}), ${gpu}`
  }
  const claims = trust.claimed === TrustTier.TRUST_TIER_ATTESTED
  // an offer that claims nothing and carries nothing is plainly open
  const why =
    trust.reason === undefined || (trust.reason === 'no-evidence' && !claims)
      ? undefined
      : describeReason(trust.reason)
  const parts = [claims ? 'claims attested' : undefined, why].filter((p): p is string => p !== undefined)
  return parts.length === 0 ? 'open' : `open: ${parts.join(', ')}`
}
