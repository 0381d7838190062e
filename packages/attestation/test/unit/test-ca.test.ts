/**
 * Quotes from the in-process test CA, pinned by policy: the binding, the
 * measurement policy, TCB statuses, bad and oversized evidence, the cache and
 * GPU tokens.
 */
import {
  type AttestationEvidence,
  attestationReportData,
  encodeAttestationEvidence,
  MAX_ATTESTATION_EVIDENCE_BYTES,
  MalformedMessageError,
  MessageTooLargeError,
  TeeKind,
} from '@cocoon-mesh/protocol'
import { beforeAll, describe, expect, it } from 'vitest'
import { type AttestationVerdict, VerdictCache, verdictLabel, verifyEvidence } from '../../src/index.js'
import { createTestCa, createTestGpuKey, TEST_MR_TD, type TestCa } from '../../src/testing/index.js'

const peerPublicKey = new Uint8Array(36).fill(1)
const settlementPublicKey = new Uint8Array(32).fill(2)
const reportData = attestationReportData(peerPublicKey, settlementPublicKey)
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

let ca: TestCa
beforeAll(async () => {
  ca = await createTestCa({ now: new Date('2026-06-01T00:00:00Z') })
})

function verify(
  evidence: Uint8Array | AttestationEvidence | undefined,
  overrides: Partial<Parameters<typeof verifyEvidence>[0]> = {},
): Promise<AttestationVerdict> {
  return verifyEvidence({
    evidence,
    peerPublicKey,
    settlementPublicKey,
    policy: ca.policy(),
    now: ca.now,
    ...overrides,
  })
}

const failed = (v: AttestationVerdict): string | undefined => v.checks.find((c) => !c.ok)?.name

describe('test CA quotes', () => {
  it('a quote bound to the offer keys is attested, UpToDate, with the measurements it was built with', async () => {
    const verdict = await verify(encodeAttestationEvidence(ca.evidence({ reportData })))
    expect(verdict.tier).toBe('attested')
    expect(verdict.reason).toBeUndefined()
    expect(verdict.tcbStatus).toBe('UpToDate')
    expect(verdict.reportData).toBe(hex(reportData))
    expect(verdict.measurements).toMatchObject({ kind: 'tdx', mrTd: hex(TEST_MR_TD) })
    expect(verdict.gpu).toBe('not-attested')
    expect(verdict.checks.every((c) => c.ok)).toBe(true)
    expect(verdictLabel(verdict)).toBe('CPU TEE attested (TDX UpToDate), GPU not attested')
  })

  it('a quote bound to another peer key is not-bound', async () => {
    const other = attestationReportData(new Uint8Array(36).fill(9), settlementPublicKey)
    const verdict = await verify(ca.evidence({ reportData: other }))
    expect(verdict).toMatchObject({ tier: 'open', reason: 'not-bound' })
    expect(failed(verdict)).toBe('binding')
  })

  it('a quote bound to another settlement key is not-bound', async () => {
    const verdict = await verify(ca.evidence({ reportData }), {
      settlementPublicKey: new Uint8Array(32).fill(3),
    })
    expect(verdict.reason).toBe('not-bound')
  })

  it('measurements must match an allowed rule', async () => {
    const mrTd = new Uint8Array(48).fill(0x42)
    const evidence = ca.evidence({ reportData, mrTd })
    const refused = await verify(evidence, {
      policy: ca.policy({ allowedMeasurements: [{ mrTd: hex(TEST_MR_TD) }] }),
    })
    expect(refused).toMatchObject({ tier: 'open', reason: 'measurement-not-allowed' })
    expect(failed(refused)).toBe('measurement')
    const allowed = await verify(evidence, {
      policy: ca.policy({
        allowedMeasurements: [
          { mrTd: hex(TEST_MR_TD) },
          { name: 'v2', mrTd: hex(mrTd).toUpperCase(), rtMr3: '00'.repeat(48) },
        ],
      }),
    })
    expect(allowed.tier).toBe('attested')
    expect(allowed.checks.find((c) => c.name === 'measurement')?.detail).toContain('v2')
  })

  it('OutOfDate is refused by default and allowed when the policy names it', async () => {
    const evidence = ca.evidence({ reportData, tcbStatus: 'OutOfDate' })
    const refused = await verify(evidence)
    expect(refused).toMatchObject({ tier: 'open', reason: 'tcb-not-allowed', tcbStatus: 'OutOfDate' })
    expect(failed(refused)).toBe('tcb-status')
    const allowed = await verify(evidence, {
      policy: ca.policy({ allowedTcbStatuses: ['UpToDate', 'OutOfDate'] }),
    })
    expect(allowed).toMatchObject({
      tier: 'attested',
      tcbStatus: 'OutOfDate',
      advisoryIds: ['INTEL-SA-00000'],
    })
  })

  it('expired collateral is collateral-expired', async () => {
    const evidence = ca.evidence({
      reportData,
      nextUpdate: new Date(ca.now - 1000),
      issueDate: new Date(ca.now - 86_400_000),
    })
    const verdict = await verify(evidence)
    expect(verdict).toMatchObject({ tier: 'open', reason: 'collateral-expired' })
    expect(failed(verdict)).toBe('collateral-window')
  })

  it('a debug TD is refused (td-attributes)', async () => {
    const verdict = await verify(ca.evidence({ reportData, debug: true }))
    expect(verdict.reason).toBe('measurement-not-allowed')
    expect(failed(verdict)).toBe('td-attributes')
  })

  it("a test CA quote does not verify against Intel's root (the default)", async () => {
    const verdict = await verify(ca.evidence({ reportData }), { policy: { allowedMeasurements: 'any' } })
    expect(verdict.reason).toBe('bad-signature')
    expect(failed(verdict)).toBe('certificate-chain')
  })

  it('a quote signed by another test CA is refused', async () => {
    const other = await createTestCa({ now: new Date(ca.now) })
    const verdict = await verify(other.evidence({ reportData }))
    expect(verdict.reason).toBe('bad-signature')
  })
})

describe('certificate chains and CRLs', () => {
  it('a chain with a PEM block dcap-qvl would skip, or a damaged root copy, is refused (certificate-chain)', async () => {
    const evidence = ca.evidence({ reportData })
    const collateral = evidence.dcapCollateral!
    const extra = `${collateral.tcbInfoIssuerChain}\n-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n`
    const skipped = await verify({
      ...evidence,
      dcapCollateral: { ...collateral, tcbInfoIssuerChain: extra },
    })
    expect(skipped).toMatchObject({ tier: 'open', reason: 'malformed' })
    expect(skipped.checks.at(-1)?.name).toBe('certificate-chain')
    const chain = collateral.qeIdentityIssuerChain
    const at = chain.lastIndexOf('MII') + 40
    const damaged = `${chain.slice(0, at)}${chain[at] === 'A' ? 'B' : 'A'}${chain.slice(at + 1)}`
    const verdict = await verify({
      ...evidence,
      dcapCollateral: { ...collateral, qeIdentityIssuerChain: damaged },
    })
    expect(verdict.tier).toBe('open')
    expect(verdict.checks.at(-1)?.name).toBe('certificate-chain')
  })

  it('a CRL signed by another CA is refused (certificate-chain)', async () => {
    const other = await createTestCa({ now: new Date(ca.now) })
    const evidence = ca.evidence({ reportData })
    const verdict = await verify({
      ...evidence,
      dcapCollateral: { ...evidence.dcapCollateral!, pckCrl: other.collateral().pckCrl },
    })
    expect(verdict.reason).toBe('bad-signature')
    expect(verdict.checks.at(-1)).toMatchObject({
      name: 'certificate-chain',
      detail: expect.stringContaining('PCK CRL'),
    })
  })
})

describe('bad evidence is an open verdict, never a throw', () => {
  it('no evidence', async () => {
    for (const evidence of [undefined, new Uint8Array(0)]) {
      const verdict = await verify(evidence)
      expect(verdict).toMatchObject({ tier: 'open', reason: 'no-evidence' })
      expect(failed(verdict)).toBe('evidence-present')
    }
  })

  it('truncated evidence bytes are malformed, with the typed decode error', async () => {
    const bytes = encodeAttestationEvidence(ca.evidence({ reportData }))
    const verdict = await verify(bytes.subarray(0, bytes.byteLength - 100))
    expect(verdict).toMatchObject({ tier: 'open', reason: 'malformed' })
    expect(failed(verdict)).toBe('evidence-decode')
    expect(verdict.error).toBeInstanceOf(MalformedMessageError)
  })

  it('oversized evidence is malformed with MessageTooLargeError naming the limit', async () => {
    const verdict = await verify(new Uint8Array(MAX_ATTESTATION_EVIDENCE_BYTES + 1))
    expect(verdict.reason).toBe('malformed')
    expect(verdict.error).toBeInstanceOf(MessageTooLargeError)
    expect(verdict.error?.message).toContain(`limit is ${MAX_ATTESTATION_EVIDENCE_BYTES} bytes`)
  })

  it('an oversized quote inside the evidence is malformed with MessageTooLargeError', async () => {
    const evidence = { ...ca.evidence({ reportData }), quote: new Uint8Array(17 * 1024) }
    const verdict = await verify(evidence)
    expect(verdict.error).toBeInstanceOf(MessageTooLargeError)
    expect(verdict.error?.message).toContain('AttestationEvidence.quote')
  })

  it('a truncated quote is malformed (quote-parse)', async () => {
    const evidence = ca.evidence({ reportData })
    const verdict = await verify({ ...evidence, quote: evidence.quote.subarray(0, 700) })
    expect(verdict.reason).toBe('malformed')
    expect(failed(verdict)).toBe('quote-parse')
  })

  it('a TDX quote without collateral is malformed (collateral-parse)', async () => {
    const { dcapCollateral: _, ...rest } = ca.evidence({ reportData })
    const verdict = await verify(rest)
    expect(verdict.reason).toBe('malformed')
    expect(failed(verdict)).toBe('collateral-parse')
  })

  it('SEV-SNP evidence is unsupported-tee', async () => {
    const verdict = await verify({
      ...ca.evidence({ reportData }),
      tee: TeeKind.TEE_KIND_SEV_SNP,
      dcapCollateral: undefined,
    })
    expect(verdict).toMatchObject({ tier: 'open', reason: 'unsupported-tee', tee: 'sev-snp' })
  })
})

describe('VerdictCache', () => {
  it('returns the same verdict for republished evidence without verifying again', async () => {
    const cache = new VerdictCache({ max: 4 })
    const policy = ca.policy()
    const bytes = encodeAttestationEvidence(ca.evidence({ reportData }))
    const first = await verify(bytes, { cache, policy })
    const second = await verify(new Uint8Array(bytes), { cache, policy })
    expect(first.cached).toBe(false)
    expect(second).toEqual({ ...first, cached: true })
    expect(cache.size).toBe(1)
  })

  it('keys on the binding keys and the policy', async () => {
    const cache = new VerdictCache()
    const bytes = encodeAttestationEvidence(ca.evidence({ reportData }))
    const policy = ca.policy()
    expect((await verify(bytes, { cache, policy })).tier).toBe('attested')
    const otherKey = await verify(bytes, { cache, policy, peerPublicKey: new Uint8Array(36).fill(7) })
    expect(otherKey).toMatchObject({ cached: false, reason: 'not-bound' })
    const stricter = await verify(bytes, {
      cache,
      policy: ca.policy({ allowedMeasurements: [{ mrTd: 'ab'.repeat(48) }] }),
    })
    expect(stricter).toMatchObject({ cached: false, reason: 'measurement-not-allowed' })
  })

  it('verifies again once the collateral has expired', async () => {
    const cache = new VerdictCache()
    const policy = ca.policy()
    const bytes = encodeAttestationEvidence(ca.evidence({ reportData }))
    expect((await verify(bytes, { cache, policy })).tier).toBe('attested')
    const later = await verify(bytes, { cache, policy, now: ca.now + 40 * 86_400_000 })
    expect(later).toMatchObject({ cached: false, reason: 'collateral-expired' })
  })

  it('keeps at most max verdicts', async () => {
    const cache = new VerdictCache({ max: 2 })
    const policy = ca.policy()
    for (let i = 0; i < 3; i++) {
      await verify(ca.evidence({ reportData, mrTd: new Uint8Array(48).fill(i) }), { cache, policy })
    }
    expect(cache.size).toBe(2)
  })
})

describe('GPU token', () => {
  it('a token signed by a configured key with this quote nonce: GPU attested', async () => {
    const gpu = await createTestGpuKey()
    const gpuToken = await gpu.token({ reportData, now: ca.now })
    const verdict = await verify(ca.evidence({ reportData, gpuToken }), {
      policy: ca.policy({ nvidiaKeys: [gpu.publicJwk] }),
    })
    expect(verdict).toMatchObject({ tier: 'attested', gpu: 'attested' })
    expect(verdictLabel(verdict)).toBe('CPU TEE attested (TDX UpToDate), GPU attested')
  })

  it('a token from another key, for another quote, or expired is invalid; the CPU tier stands', async () => {
    const gpu = await createTestGpuKey()
    const stranger = await createTestGpuKey()
    const policy = ca.policy({ nvidiaKeys: [gpu.publicJwk] })
    const tokens = [
      await stranger.token({ reportData, now: ca.now }),
      await gpu.token({ reportData: new Uint8Array(64).fill(5), now: ca.now }),
      await gpu.token({ reportData, now: ca.now - 7200_000, ttlSeconds: 60 }),
    ]
    for (const gpuToken of tokens) {
      const verdict = await verify(ca.evidence({ reportData, gpuToken }), { policy })
      expect(verdict).toMatchObject({ tier: 'attested', gpu: 'invalid' })
      expect(failed(verdict)).toBe('gpu-token')
    }
  })

  it('a token with no configured keys is invalid', async () => {
    const gpu = await createTestGpuKey()
    const verdict = await verify(
      ca.evidence({ reportData, gpuToken: await gpu.token({ reportData, now: ca.now }) }),
    )
    expect(verdict.gpu).toBe('invalid')
  })
})
