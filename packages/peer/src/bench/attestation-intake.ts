/**
 * Order-book validation with attestation: the median time one offer takes
 * through the intake (schema, book, signature, then the evidence verdict)
 * when it carries the real Intel TDX quote and collateral of the attestation
 * package's fixture, verified at a time inside its collateral window. Cold:
 * every offer from a new provider key, so every verdict is computed (the
 * quote's signature chain, collateral, CRLs, TCB, then the binding, which
 * fails: the quote binds nobody here). Cached: the same providers
 * republishing (a new sequence, the same evidence), answered from the
 * verdict cache. Baseline, measured in the same run: the same intake of
 * offers without evidence.
 */
import { readFile } from 'node:fs/promises'
import { collateralFromJson, dcapEvidence } from '@cocoon-mesh/attestation'
import {
  attestationTrust,
  buildOffer,
  OfferBook,
  OrderBookIntake,
  PeerPenalties,
  RateLimiter,
  signatureVerifier,
} from '@cocoon-mesh/client/internal'
import {
  encodeAttestationEvidence,
  encodeOrderBookMessage,
  type Offer,
  peerIdBytes,
  reportBench,
  signOffer,
  TrustTier,
} from '@cocoon-mesh/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'

/** Inside the fixture collateral's validity window. */
const NOW = Date.parse('2025-07-01T00:00:00Z')
const FIXTURE = new URL('../../../attestation/test/fixtures/tdx/', import.meta.url)

async function fixtureEvidence(): Promise<Uint8Array> {
  const quote = new Uint8Array(await readFile(new URL('tdx_quote', FIXTURE)))
  const collateral = collateralFromJson(
    JSON.parse(await readFile(new URL('tdx_quote_collateral.json', FIXTURE), 'utf8')),
  )
  return encodeAttestationEvidence(dcapEvidence({ quote, collateral }))
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function offer(key: PrivateKey, attestation: Uint8Array, sequence: bigint): Promise<Uint8Array> {
  const unsigned = buildOffer(
    {
      models: ['bench-model'],
      prices: { perKPromptTokens: 1n, perKCompletionTokens: 1n, perTensorGflop: 0n },
      trustTier: TrustTier.TRUST_TIER_ATTESTED,
      attestation: new Uint8Array(attestation),
      settlementKey: new Uint8Array(32).fill(1),
    },
    { provider: peerIdBytes(key), now: NOW, ttlMs: 600_000, sequence },
  )
  const signed: Offer = await signOffer(unsigned, key)
  return encodeOrderBookMessage({ offer: signed })
}

/** Median ms per message through one intake (its book, verdict cache and limits kept across messages). */
async function intakeMs(intake: OrderBookIntake, messages: readonly Uint8Array[]): Promise<number> {
  const samples: number[] = []
  for (const data of messages) {
    const start = performance.now()
    const verdict = await intake.ingest({ peer: 'bench-relay' }, 'bench', data, 'bench-model')
    samples.push(performance.now() - start)
    if (verdict !== 'accept') throw new Error(`bench offer not accepted: ${verdict}`)
  }
  return median(samples)
}

function newIntake(): OrderBookIntake {
  const now = (): number => NOW
  return new OrderBookIntake({
    book: new OfferBook({ now }),
    now,
    verifier: signatureVerifier,
    trust: attestationTrust({ policy: { allowedMeasurements: 'any' } }),
    maxClockDriftMs: undefined,
    limiter: new RateLimiter({ now, ratePerSecond: 1e9, burst: 1e9 }),
    penalties: new PeerPenalties({ now }),
    metrics: undefined,
    log: defaultLogger().forComponent('cocoon:bench'),
    onValidated: () => undefined,
  })
}

export async function attestationIntakeBench(options: { offers?: number } = {}): Promise<void> {
  const count = options.offers ?? 40
  const evidence = await fixtureEvidence()
  const keys = await Promise.all(Array.from({ length: count }, () => generateKeyPair('Ed25519')))
  const plain = await Promise.all(keys.map((k) => offer(k, new Uint8Array(0), 1n)))
  const first = await Promise.all(keys.map((k) => offer(k, evidence, 1n)))
  const republished = await Promise.all(keys.map((k) => offer(k, evidence, 2n)))
  const baseline = await intakeMs(newIntake(), plain)
  const intake = newIntake()
  const cold = await intakeMs(intake, first)
  const cached = await intakeMs(intake, republished)
  const name = `order-book intake of an offer with the real TDX evidence (${evidence.byteLength} bytes)`
  reportBench({ bench: `${name}, cold`, value: cold, unit: 'ms', baseline, better: 'lower' })
  reportBench({
    bench: `${name}, cached (republished)`,
    value: cached,
    unit: 'ms',
    baseline,
    better: 'lower',
  })
}
