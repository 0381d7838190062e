/**
 * The tier a client gives a provider's offer, computed from evidence it
 * verified itself and never from the offer's own `trust_tier` claim. The
 * verification runs where offers enter the order book; this file holds the
 * verdict as data (what matching, usage and the CLI read) and its labels.
 */
import { type Offer, TrustTier } from '@cocoon-mesh/protocol'

/** Why an offer is not attested: the verifier's refusal, named after the check that failed. */
export type NotAttestedReason =
  | 'no-evidence'
  | 'malformed'
  | 'bad-signature'
  | 'collateral-expired'
  | 'tcb-not-allowed'
  | 'not-bound'
  | 'measurement-not-allowed'
  | 'unsupported-tee'

/** The tiers a client can compute: attested (quote verified, bound, measurement allowed) or open. */
export type ComputedTier = TrustTier.TRUST_TIER_ATTESTED | TrustTier.TRUST_TIER_OPEN

/** Whether the GPU of an attested provider is covered by a verified NVIDIA token. */
export type GpuTrust = 'attested' | 'not-attested' | 'invalid'

/** The client's verdict on one offer, stored beside it in the order book. */
export interface OfferTrust {
  tier: ComputedTier
  /** Set when the tier is open: why the evidence did not make it attested. */
  reason?: NotAttestedReason
  /** What the provider claimed in `trust_tier` (only ever shown, never believed). */
  claimed: TrustTier
  /** The TEE kind of the evidence, when it decoded (e.g. `tdx`). */
  tee?: string
  /** The TCB status of a verified quote (e.g. `UpToDate`). */
  tcbStatus?: string
  gpu: GpuTrust
}

/** Computes the verdict on an offer's evidence at `now` (Unix ms); never throws for bad evidence. */
export interface OfferTrustVerifier {
  assess(offer: Offer, now: number): OfferTrust | Promise<OfferTrust>
}

/** The verdict on an offer nothing was verified for. */
export function openTrust(offer: Pick<Offer, 'trustTier'>, reason: NotAttestedReason): OfferTrust {
  return { tier: TrustTier.TRUST_TIER_OPEN, reason, claimed: offer.trustTier, gpu: 'not-attested' }
}

/**
 * A verifier that verifies nothing: every offer is open, an empty
 * attestation as `no-evidence`, evidence it cannot check as `unsupported-tee`.
 */
export const noTrustVerifier: OfferTrustVerifier = {
  assess: (offer) => openTrust(offer, offer.attestation.byteLength === 0 ? 'no-evidence' : 'unsupported-tee'),
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

const REASON_TEXT: Record<NotAttestedReason, string> = {
  'no-evidence': 'no evidence',
  malformed: 'malformed evidence',
  'bad-signature': 'bad signature',
  'collateral-expired': 'collateral expired',
  'tcb-not-allowed': 'TCB out of date',
  'not-bound': 'not bound to its keys',
  'measurement-not-allowed': 'measurement not allowed',
  'unsupported-tee': 'unsupported TEE',
}

/**
 * What a person reads about a verdict: `attested (tdx, GPU attested)`,
 * `attested (tdx; CPU TEE attested, GPU not attested)`, `open`, or
 * `open: not bound to its keys` / `open: claims attested, no evidence`.
 */
export function trustLabel(trust: OfferTrust): string {
  if (trust.tier === TrustTier.TRUST_TIER_ATTESTED) {
    const tee = trust.tee ?? 'TEE'
    return trust.gpu === 'attested'
      ? `attested (${tee}, GPU attested)`
      : `attested (${tee}; CPU TEE attested, GPU ${trust.gpu === 'invalid' ? 'token invalid' : 'not attested'})`
  }
  const why = trust.reason === undefined ? undefined : REASON_TEXT[trust.reason]
  const claim = trust.claimed === TrustTier.TRUST_TIER_ATTESTED ? 'claims attested' : undefined
  const parts = [claim, why === 'no evidence' && claim === undefined ? undefined : why].filter(
    (p): p is string => p !== undefined,
  )
  return parts.length === 0 ? 'open' : `open: ${parts.join(', ')}`
}
