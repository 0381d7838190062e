/**
 * The verifier the order book's intake runs on each offer: the offer's
 * `attestation` checked offline against the client's policy (signature chain
 * to the pinned root, TCB status, the binding of the quote to the offer's
 * peer key and settlement key, the measurements), with verdicts cached per
 * evidence and keys so a republished offer is not verified again.
 */
import type { AttestationPolicy, AttestationVerdict, VerdictCache } from '@cocoon-mesh/attestation'
import { type Offer, peerIdFromBytes, TrustTier } from '@cocoon-mesh/protocol'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { type OfferTrust, type OfferTrustVerifier, openTrust } from '../market/offer-trust.js'

export interface AttestationTrustInit {
  policy: AttestationPolicy
  /** Shared verdict cache (default a new one of `DEFAULT_VERDICT_CACHE_SIZE` entries). */
  cache?: VerdictCache
}

/** The verdict on an offer as the book stores it. */
export function offerTrustOf(offer: Pick<Offer, 'trustTier'>, verdict: AttestationVerdict): OfferTrust {
  return {
    tier: verdict.tier === 'attested' ? TrustTier.TRUST_TIER_ATTESTED : TrustTier.TRUST_TIER_OPEN,
    ...(verdict.reason === undefined ? {} : { reason: verdict.reason }),
    claimed: offer.trustTier,
    ...(verdict.tee === null ? {} : { tee: verdict.tee }),
    ...(verdict.tcbStatus === null ? {} : { tcbStatus: verdict.tcbStatus }),
    gpu: verdict.gpu,
    verdict,
  }
}

/** The libp2p protobuf encoding of the offer's provider key: what the quote's report data must bind. */
export function providerPublicKey(offer: Pick<Offer, 'provider'>): Uint8Array {
  return publicKeyToProtobuf(peerIdFromBytes(offer.provider).publicKey)
}

type Attestation = typeof import('@cocoon-mesh/attestation')

/**
 * The DCAP verifier (X.509, ASN.1, elliptic curves, the quote parser), loaded
 * with the first offer that carries evidence: a client among open providers
 * never loads it, which is a large part of a cold start's import.
 */
let verifier: Promise<Attestation> | undefined
const attestation = (): Promise<Attestation> => {
  verifier ??= import('@cocoon-mesh/attestation')
  return verifier
}

/**
 * An {@link OfferTrustVerifier} over `verifyEvidence`: attested only when the
 * evidence verifies, binds this offer's keys and is allowed by `policy`;
 * otherwise open, with the reason.
 */
export function attestationTrust(init: AttestationTrustInit): OfferTrustVerifier {
  let cache = init.cache
  return {
    assess(offer, now) {
      // nothing to verify: answered at once, so a flood of plain offers never waits on a verifier
      if (offer.attestation.length === 0) return openTrust(offer, 'no-evidence')
      return attestation().then(async ({ verifyEvidence, VerdictCache }) => {
        cache ??= new VerdictCache()
        const verdict = await verifyEvidence({
          evidence: offer.attestation,
          peerPublicKey: providerPublicKey(offer),
          settlementPublicKey: offer.settlementKey,
          policy: init.policy,
          now,
          cache,
        })
        return offerTrustOf(offer, verdict)
      })
    },
  }
}
