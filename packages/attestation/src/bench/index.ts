/**
 * Attestation benchmarks, each against one Ed25519 offer-signature verify
 * (protocol's verifyOffer on a signed Offer) measured in the same run, the
 * per-offer cost a client already pays:
 *
 * - attestation/verify-real-quote: verifyEvidence on the real Intel TDX
 *   fixture (dcap-qvl against Intel's root CA, at a time inside its
 *   collateral window), no cache: what a client pays for an offer it has not
 *   seen;
 * - attestation/verify-cached: the same evidence through a VerdictCache after
 *   the first verification: what a republished offer costs;
 * - attestation/verify-test-ca-attested: a test CA quote bound to the keys,
 *   the whole path to an 'attested' verdict, no cache.
 *
 * Run with `npm run bench -w @cocoon-mesh/attestation` (after a build). The
 * fixture is read from test/fixtures/tdx/ next to the package.
 */
import { readFile } from 'node:fs/promises'
import {
  attestationReportData,
  encodeAttestationEvidence,
  encodeOffer,
  type Offer,
  PROTOCOL_VERSION,
  reportBench,
  signOffer,
  TrustTier,
  verifyOffer,
} from '@cocoon-mesh/protocol'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { collateralFromJson } from '../collateral.js'
import { dcapEvidence } from '../evidence.js'
import { createTestCa } from '../testing/test-ca.js'
import { VerdictCache } from '../verdict-cache.js'
import { verifyEvidence } from '../verify.js'

const DURATION_MS = Number(process.env.COCOON_BENCH_MS ?? 1500)
const FIXTURE_DIR = new URL('../../test/fixtures/tdx/', import.meta.url)
/** Inside the fixture collateral's validity window. */
const FIXTURE_NOW = Date.parse('2025-07-01T00:00:00Z')

/** Runs `fn` for about DURATION_MS (after a warm-up) and returns operations per second. */
async function opsPerSecond(fn: () => unknown | Promise<unknown>, batch = 1): Promise<number> {
  const warmUntil = performance.now() + DURATION_MS / 5
  while (performance.now() < warmUntil) for (let i = 0; i < batch; i++) await fn()
  ;(globalThis as { gc?: () => void }).gc?.()
  let ops = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < DURATION_MS) {
    for (let i = 0; i < batch; i++) await fn()
    ops += batch
    elapsed = performance.now() - start
  }
  return (ops * 1000) / elapsed
}

/** ops/s of verifyOffer on one signed offer: the baseline every result is compared with. */
async function offerVerifyRate(): Promise<number> {
  const key = await generateKeyPairFromSeed(
    'Ed25519',
    new Uint8Array(32).map((_, i) => i),
  )
  const offer: Offer = {
    version: PROTOCOL_VERSION,
    provider: new Uint8Array(0),
    jobKinds: ['llm'],
    models: ['tiny'],
    features: [],
    contextSize: 0,
    modelPrices: [],
    maxConcurrency: 1,
    region: 'eu',
    payoutAddress: '',
    attestation: new Uint8Array(0),
    issuedAt: BigInt(FIXTURE_NOW),
    expiresAt: BigInt(FIXTURE_NOW + 600_000),
    sequence: 1n,
    trustTier: TrustTier.TRUST_TIER_OPEN,
    tokensPerSecond: 0,
    gflops: 0,
    settlementKey: new Uint8Array(0),
    addrs: [],
    signature: new Uint8Array(0),
  }
  const signed = await signOffer(offer, key)
  encodeOffer(signed)
  return opsPerSecond(() => verifyOffer(signed), 64)
}

async function main(): Promise<void> {
  const baseline = await offerVerifyRate()
  const peerPublicKey = new Uint8Array(36).fill(1)
  const settlementPublicKey = new Uint8Array(32).fill(2)

  const quote = new Uint8Array(await readFile(new URL('tdx_quote', FIXTURE_DIR)))
  const collateral = collateralFromJson(
    JSON.parse(await readFile(new URL('tdx_quote_collateral.json', FIXTURE_DIR), 'utf8')),
  )
  const real = encodeAttestationEvidence(dcapEvidence({ quote, collateral }))
  const policy = { allowedMeasurements: 'any' as const }
  const options = { evidence: real, peerPublicKey, settlementPublicKey, policy, now: FIXTURE_NOW }
  const uncached = await opsPerSecond(() => verifyEvidence(options))
  reportBench({ bench: 'attestation/verify-real-quote', value: uncached, unit: 'ops/s', baseline })

  const cache = new VerdictCache()
  await verifyEvidence({ ...options, cache })
  const cached = await opsPerSecond(() => verifyEvidence({ ...options, cache }), 64)
  reportBench({ bench: 'attestation/verify-cached', value: cached, unit: 'ops/s', baseline })

  const ca = await createTestCa()
  const bound = encodeAttestationEvidence(
    ca.evidence({ reportData: attestationReportData(peerPublicKey, settlementPublicKey) }),
  )
  const testPolicy = ca.policy()
  const attested = await opsPerSecond(() =>
    verifyEvidence({ evidence: bound, peerPublicKey, settlementPublicKey, policy: testPolicy, now: ca.now }),
  )
  reportBench({ bench: 'attestation/verify-test-ca-attested', value: attested, unit: 'ops/s', baseline })
}

await main()
