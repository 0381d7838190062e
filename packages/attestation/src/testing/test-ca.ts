/**
 * A DCAP test CA, generated in-process: a root CA, a PCK platform CA and PCK
 * leaf (with Intel's SGX extension: FMSPC, CPUSVN, PCESVN), a TCB signing
 * certificate, CRLs, signed TCB info and QE identity, and TDX quotes (DCAP v4,
 * TD 1.0 body) with chosen report data and measurements, signed by an
 * attestation key whose QE report the PCK key signs. dcap-qvl's
 * QuoteVerifier.newWithRootCa(rootCaDer) verifies them.
 */
import type { AttestationEvidence, DcapCollateral } from '@cocoon-mesh/protocol'
import type { AttestationPolicy, TcbStatus } from '../types.js'

export interface TestCaOptions {
  /** Centre of every validity window (certificates, TCB info, QE identity); default the wall clock. */
  now?: Date
}

export interface TestQuoteOptions {
  /** 64 bytes; usually attestationReportData(peer key, settlement key). */
  reportData: Uint8Array
  /** 48 bytes each; default a fixed test pattern (TEST_MR_TD and zeros). */
  mrTd?: Uint8Array
  rtMr?: readonly [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
  /** Set the TD's debug bit (dcap-qvl refuses debug TDs). */
  debug?: boolean
  /** The TDX TCB SVN the quote claims; default one that is UpToDate in the default TCB info. */
  teeTcbSvn?: Uint8Array
}

export interface TestCollateralOptions {
  /** Status of the TCB level the quote's SVNs match; default 'UpToDate'. */
  tcbStatus?: TcbStatus
  /** Default: the CA's `now` minus one day. */
  issueDate?: Date
  /** Default: the CA's `now` plus 30 days. */
  nextUpdate?: Date
}

export interface TestCa {
  /** DER of the test root CA: pin it with `policy.trustedRootCaDer`. */
  rootCaDer: Uint8Array
  /** The time the CA was built around (Unix ms). */
  now: number
  quote(options: TestQuoteOptions): Uint8Array
  collateral(options?: TestCollateralOptions): DcapCollateral
  /** Quote + collateral (+ GPU token) as wire evidence. */
  evidence(options: TestQuoteOptions & TestCollateralOptions & { gpuToken?: string }): AttestationEvidence
  /** A policy that pins this root; `overrides` replace its fields. */
  policy(overrides?: Partial<AttestationPolicy>): AttestationPolicy
}

/** The MRTD the test CA's quotes carry unless told otherwise (48 bytes). */
export const TEST_MR_TD: Uint8Array = new Uint8Array(48).fill(0x7d)

/** Builds a test CA; takes ~50 ms (P-256 key generation and signing). */
export async function createTestCa(_options: TestCaOptions = {}): Promise<TestCa> {
  throw new Error('createTestCa: implementation follows in the next commit')
}
