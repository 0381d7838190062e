/**
 * The trust verifier in a browser, where no DCAP quote verifier runs: every
 * offer is open tier, one with evidence for the reason `unsupported-tee`
 * (this client cannot check it), so a claimed attested tier is never
 * believed. `#attestation-trust` resolves here in browsers and to
 * attestation-trust.ts under Node; both export the same functions.
 */
import { type OfferTrustVerifier, openTrust } from '../market/offer-trust.js'
import type { AttestationTrustInit } from './attestation-trust.js'

export type { AttestationTrustInit } from './attestation-trust.js'

export function attestationTrust(_init: AttestationTrustInit): OfferTrustVerifier {
  return {
    assess: (offer) => openTrust(offer, offer.attestation.length === 0 ? 'no-evidence' : 'unsupported-tee'),
  }
}
