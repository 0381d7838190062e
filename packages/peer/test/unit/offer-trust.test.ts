/**
 * The tier a client gives an offer at intake: computed from the evidence by
 * the attestation verifier and stored beside the offer, never the offer's
 * claim; bad evidence leaves the offer in the book as open, marked with why.
 */
import { createTestCa, TEST_MR_TD } from '@cocoon-mesh/attestation/testing'
import {
  attestationTrust,
  buildOffer,
  OfferBook,
  type OfferTrustVerifier,
  OrderBookIntake,
  openTrust,
  PeerPenalties,
  RateLimiter,
  type ServedPart,
  servedTier,
  signatureVerifier,
  trustLabel,
} from '@cocoon-mesh/client/internal'
import {
  attestationReportData,
  encodeAttestationEvidence,
  encodeOrderBookMessage,
  type Offer,
  peerIdBytes,
  signOffer,
  TrustTier,
} from '@cocoon-mesh/protocol'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { describe, expect, it } from 'vitest'
import { FIXTURE_NOW, fixtureEvidence } from '../../../attestation/test/fixtures.ts'
import { partTrustFields, trustTierHeaders } from '../../src/gateway/trust-tier.js'

const SETTLEMENT = new Uint8Array(32).fill(5)
const prices = { perKPromptTokens: 10n, perKCompletionTokens: 20n, perTensorGflop: 0n }

async function signed(key: PrivateKey, now: number, attestation: Uint8Array, sequence = 1n): Promise<Offer> {
  const unsigned = buildOffer(
    {
      models: ['tiny'],
      prices,
      trustTier: TrustTier.TRUST_TIER_ATTESTED,
      attestation: new Uint8Array(attestation),
      settlementKey: new Uint8Array(SETTLEMENT),
    },
    { provider: peerIdBytes(key), now, ttlMs: 60_000, sequence },
  )
  return signOffer(unsigned, key)
}

/** An intake at `now` whose book the offers enter; returns the verdict each offer was stored with. */
function intake(
  now: number,
  trust: OfferTrustVerifier,
): { book: OfferBook; ingest: (offer: Offer) => Promise<string> } {
  const book = new OfferBook({ now: () => now })
  const i = new OrderBookIntake({
    book,
    now: () => now,
    verifier: signatureVerifier,
    trust,
    maxClockDriftMs: undefined,
    limiter: new RateLimiter({ now: () => now, ratePerSecond: 100, burst: 100 }),
    penalties: new PeerPenalties({ now: () => now }),
    metrics: undefined,
    log: defaultLogger().forComponent('test:intake'),
    onValidated: () => undefined,
  })
  return {
    book,
    ingest: (offer) => i.ingest({ peer: 'relay' }, 'topic', encodeOrderBookMessage({ offer }), 'tiny'),
  }
}

describe('trust tier at order-book intake', () => {
  it('the real Intel TDX quote verifies but is bound to nobody here: the offer is open, not-bound, and stays usable', async () => {
    const key = await generateKeyPair('Ed25519')
    const offer = await signed(key, FIXTURE_NOW, encodeAttestationEvidence(await fixtureEvidence()))
    const { book, ingest } = intake(FIXTURE_NOW, attestationTrust({ policy: { allowedMeasurements: 'any' } }))
    expect(await ingest(offer)).toBe('accept')
    const trust = book.trustOf(offer)
    expect(trust).toMatchObject({
      tier: TrustTier.TRUST_TIER_OPEN,
      reason: 'not-bound',
      tee: 'tdx',
      tcbStatus: 'UpToDate',
    })
    expect(trustLabel(trust ?? openTrust(offer, 'no-evidence'))).toBe(
      'open: claims attested, not bound to this peer',
    )
    expect(book.offers('tiny')).toHaveLength(1)
  })

  it('garbage evidence is an open offer marked malformed, not a dropped one', async () => {
    const key = await generateKeyPair('Ed25519')
    const now = 1_700_000_000_000
    const offer = await signed(key, now, new Uint8Array(300).fill(0xff))
    const { book, ingest } = intake(now, attestationTrust({ policy: { allowedMeasurements: 'any' } }))
    expect(await ingest(offer)).toBe('accept')
    expect(book.trustOf(offer)).toMatchObject({ tier: TrustTier.TRUST_TIER_OPEN, reason: 'malformed' })
  })

  it('a test-CA quote bound to the offer keys is attested; a republished offer reuses the cached verdict', async () => {
    const ca = await createTestCa()
    const key = await generateKeyPair('Ed25519')
    const reportData = attestationReportData(publicKeyToProtobuf(key.publicKey), SETTLEMENT)
    const evidence = encodeAttestationEvidence(ca.evidence({ reportData }))
    const policy = ca.policy({ allowedMeasurements: [{ mrTd: Buffer.from(TEST_MR_TD).toString('hex') }] })
    const { book, ingest } = intake(ca.now, attestationTrust({ policy }))
    const first = await signed(key, ca.now, evidence, 1n)
    expect(await ingest(first)).toBe('accept')
    expect(book.trustOf(first)).toMatchObject({ tier: TrustTier.TRUST_TIER_ATTESTED, gpu: 'not-attested' })
    expect(book.trustOf(first)?.verdict?.cached).toBe(false)
    const again = await signed(key, ca.now, evidence, 2n)
    expect(await ingest(again)).toBe('accept')
    expect(book.trustOf(again)?.verdict?.cached).toBe(true)
    // the verdict belongs to the offer it was computed for
    expect(book.trustOf(first)).toBeUndefined()
  })

  it('a quote with another image is open, measurement-not-allowed', async () => {
    const ca = await createTestCa()
    const key = await generateKeyPair('Ed25519')
    const reportData = attestationReportData(publicKeyToProtobuf(key.publicKey), SETTLEMENT)
    const evidence = encodeAttestationEvidence(ca.evidence({ reportData, mrTd: new Uint8Array(48).fill(1) }))
    const policy = ca.policy({ allowedMeasurements: [{ mrTd: Buffer.from(TEST_MR_TD).toString('hex') }] })
    const { book, ingest } = intake(ca.now, attestationTrust({ policy }))
    const offer = await signed(key, ca.now, evidence)
    expect(await ingest(offer)).toBe('accept')
    expect(book.trustOf(offer)).toMatchObject({
      tier: TrustTier.TRUST_TIER_OPEN,
      reason: 'measurement-not-allowed',
    })
  })
})

describe('gateway trust tier labels', () => {
  const attested = {
    tier: TrustTier.TRUST_TIER_ATTESTED,
    claimed: TrustTier.TRUST_TIER_ATTESTED,
    tee: 'tdx',
    tcbStatus: 'UpToDate',
    gpu: 'not-attested',
  } as const
  const open = openTrust({ trustTier: TrustTier.TRUST_TIER_OPEN }, 'no-evidence')
  const part = (
    trust: typeof attested | typeof open,
    outcome: ServedPart['outcome'],
    completionTokens: number,
  ): ServedPart => ({
    providerId: 'p',
    tier: trust.tier,
    trust,
    price: prices,
    promptTokens: 0,
    completionTokens,
    gflop: 0,
    cost: 0n,
    startedAt: 0,
    endedAt: 1,
    outcome,
  })

  it('a job is attested only when every part that delivered output was', () => {
    expect(servedTier({ parts: [part(attested, 'completed', 4)] })).toBe('attested')
    // a refused or rejected part delivered nothing: it does not lower the tier
    expect(servedTier({ parts: [part(open, 'refused', 0), part(attested, 'completed', 4)] })).toBe('attested')
    // a failed-over job whose first part streamed from an open provider is open
    expect(servedTier({ parts: [part(open, 'failed', 3), part(attested, 'completed', 1)] })).toBe('open')
    expect(trustTierHeaders({ parts: [part(open, 'failed', 3), part(attested, 'completed', 1)] })).toEqual({
      'x-cocoon-trust-tier': 'open',
    })
    expect(partTrustFields(part(attested, 'completed', 1))).toEqual({
      trust_tier: 'attested',
      trust: 'CPU TEE attested (TDX UpToDate), GPU not attested',
    })
  })
})
