/**
 * The real Intel TDX quote and collateral from dcap-qvl's samples, verified
 * against Intel's real SGX root CA (dcap-qvl's pinned default).
 */
import { type DcapCollateral, TeeKind } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import {
  type AttestationVerdict,
  collateralFromJson,
  collateralToJson,
  dcapEvidence,
  InvalidCollateralError,
  QuoteParseError,
  verifyEvidence,
} from '../../src/index.js'
import { evidenceOf, FIXTURE_NOW, fixtureCollateral, fixtureQuote } from '../fixtures.js'

const keys = { peerPublicKey: new Uint8Array(36).fill(1), settlementPublicKey: new Uint8Array(32).fill(2) }
const policy = { allowedMeasurements: 'any' as const }

async function verify(
  quote: Uint8Array<ArrayBuffer>,
  collateral: DcapCollateral,
  now = FIXTURE_NOW,
): Promise<AttestationVerdict> {
  return verifyEvidence({ evidence: evidenceOf(quote, collateral), ...keys, policy, now })
}

function flipBit(bytes: Uint8Array<ArrayBuffer>, offset: number): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes)
  copy[offset] = (copy[offset] ?? 0) ^ 0x01
  return copy
}

function failed(verdict: AttestationVerdict): string | undefined {
  return verdict.checks.find((c) => !c.ok)?.name
}

/** Header (48) + TD report 1.0 (584) + auth-data size (4): where the quote's ECDSA signature starts. */
const QUOTE_SIGNATURE_OFFSET = 48 + 584 + 4

describe('real TDX quote (dcap-qvl sample) against Intel root CA', () => {
  it('verifies as UpToDate inside the collateral window, with its measurements and report data', async () => {
    const verdict = await verify(await fixtureQuote(), await fixtureCollateral())
    expect(verdict.tcbStatus).toBe('UpToDate')
    expect(verdict.advisoryIds).toEqual([])
    expect(verdict.tee).toBe('tdx')
    expect(verdict.reportData?.startsWith('9a9d48e7f6799642')).toBe(true)
    expect(verdict.measurements).toMatchObject({
      kind: 'tdx',
      mrTd: expect.stringMatching(/^91eb2b44d141d4ec/),
    })
    for (const name of [
      'certificate-chain',
      'collateral-signature',
      'qe-report',
      'quote-signature',
      'tcb-status',
    ] as const) {
      expect(verdict.checks.find((c) => c.name === name)?.ok).toBe(true)
    }
  })

  it('is bound to none of our keys: tier open, reason not-bound', async () => {
    const verdict = await verify(await fixtureQuote(), await fixtureCollateral())
    expect(verdict.tier).toBe('open')
    expect(verdict.reason).toBe('not-bound')
    expect(failed(verdict)).toBe('binding')
  })

  it('refuses one flipped bit in the quote body (quote-signature)', async () => {
    const verdict = await verify(flipBit(await fixtureQuote(), 48 + 136), await fixtureCollateral())
    expect(verdict.tier).toBe('open')
    expect(verdict.reason).toBe('bad-signature')
    expect(failed(verdict)).toBe('quote-signature')
  })

  it('refuses one flipped bit in the quote signature (quote-signature)', async () => {
    const verdict = await verify(
      flipBit(await fixtureQuote(), QUOTE_SIGNATURE_OFFSET + 10),
      await fixtureCollateral(),
    )
    expect(verdict.reason).toBe('bad-signature')
    expect(failed(verdict)).toBe('quote-signature')
  })

  it('refuses one flipped bit in the signed TCB info (collateral-signature)', async () => {
    const collateral = await fixtureCollateral()
    const at = collateral.tcbInfo.indexOf('"tcbEvaluationDataNumber":') + 27
    const digit = collateral.tcbInfo.charCodeAt(at)
    const tcbInfo =
      collateral.tcbInfo.slice(0, at) + String.fromCharCode(digit ^ 0x01) + collateral.tcbInfo.slice(at + 1)
    const verdict = await verify(await fixtureQuote(), { ...collateral, tcbInfo })
    expect(verdict.reason).toBe('bad-signature')
    expect(failed(verdict)).toBe('collateral-signature')
  })

  it('refuses one flipped bit in the QE identity signature (collateral-signature)', async () => {
    const collateral = await fixtureCollateral()
    const verdict = await verify(await fixtureQuote(), {
      ...collateral,
      qeIdentitySignature: flipBit(collateral.qeIdentitySignature, 20),
    })
    expect(verdict.reason).toBe('bad-signature')
    expect(failed(verdict)).toBe('collateral-signature')
  })

  it('refuses the collateral after its window (collateral-expired)', async () => {
    const verdict = await verify(
      await fixtureQuote(),
      await fixtureCollateral(),
      Date.parse('2025-08-01T00:00:00Z'),
    )
    expect(verdict.reason).toBe('collateral-expired')
    expect(failed(verdict)).toBe('collateral-window')
  })
})

describe('CRLs of the real collateral', () => {
  it('a flipped bit in the PCK CRL breaks its signature (certificate-chain)', async () => {
    const collateral = await fixtureCollateral()
    const verdict = await verify(await fixtureQuote(), {
      ...collateral,
      pckCrl: flipBit(collateral.pckCrl, collateral.pckCrl.byteLength - 90),
    })
    expect(verdict.reason).toBe('bad-signature')
    expect(failed(verdict)).toBe('certificate-chain')
    expect(verdict.checks.at(-1)?.detail).toContain('PCK CRL')
  })

  it('the root CA CRL of another collateral is refused', async () => {
    const collateral = await fixtureCollateral()
    const verdict = await verify(await fixtureQuote(), { ...collateral, rootCaCrl: collateral.pckCrl })
    expect(verdict.reason).toBe('bad-signature')
    expect(verdict.checks.at(-1)?.detail).toContain('root CA CRL')
  })
})

describe('evidence from recorded files', () => {
  it('dcapEvidence reads the TEE kind from the quote; garbage is a QuoteParseError', async () => {
    const evidence = dcapEvidence({ quote: await fixtureQuote(), collateral: await fixtureCollateral() })
    expect(evidence.tee).toBe(TeeKind.TEE_KIND_TDX)
    expect(() => dcapEvidence({ quote: new Uint8Array(100), collateral: evidence.dcapCollateral! })).toThrow(
      QuoteParseError,
    )
  })

  it('collateralFromJson names the missing or badly encoded field', async () => {
    const json = collateralToJson(await fixtureCollateral())
    expect(collateralFromJson(json)).toEqual(await fixtureCollateral())
    const { tcb_info: _, ...missing } = json
    expect(() => collateralFromJson(missing)).toThrow(/tcb_info/)
    expect(() => collateralFromJson({ ...json, pck_crl: 'xyz' })).toThrow(InvalidCollateralError)
    expect(() => collateralFromJson([])).toThrow(InvalidCollateralError)
  })
})
