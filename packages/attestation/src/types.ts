/**
 * The shapes a verifier is configured with (policy) and what it concludes
 * (verdict). A verdict is computed by the client from evidence it verified
 * itself; nothing in it comes from a provider's claim.
 */
import type { JWK } from 'jose'
import type { EvidenceDecodeError } from './errors.js'

/** A TEE this package knows by name. */
export type TeeName = 'tdx' | 'sgx' | 'sev-snp'

/** Intel's TCB statuses (TCB info v3), as dcap-qvl reports them. */
export type TcbStatus =
  | 'UpToDate'
  | 'SWHardeningNeeded'
  | 'ConfigurationNeeded'
  | 'ConfigurationAndSWHardeningNeeded'
  | 'OutOfDate'
  | 'OutOfDateConfigurationNeeded'
  | 'Revoked'
  | 'Unknown'

/** What a client buys: a verified, bound, allowed TEE ('attested'), or nothing verified ('open'). */
export type VerifiedTier = 'attested' | 'open'

/** Why evidence did not make a provider attested; exactly one per 'open' verdict. */
export type NotAttestedReason =
  /** The offer carries no evidence. */
  | 'no-evidence'
  /** The evidence or its quote does not parse, is truncated, oversized, or inconsistent with its collateral. */
  | 'malformed'
  /** A signature in the quote, the QE report, the collateral or the certificate chain does not verify to the pinned root. */
  | 'bad-signature'
  /** The collateral (TCB info, QE identity, a certificate) is outside its validity window at `now`. */
  | 'collateral-expired'
  /** The platform's TCB status is not in the policy's allowed statuses (or the TCB level is unknown or revoked). */
  | 'tcb-not-allowed'
  /** The quote's report data is not attestationReportData(peer key, settlement key) of this offer. */
  | 'not-bound'
  /** The measurements (MRTD, RTMRs) are in none of the policy's allowed rules, or the TD runs in debug mode. */
  | 'measurement-not-allowed'
  /** The TEE kind has no verifier here (SEV-SNP), or the policy trusts no root for it. */
  | 'unsupported-tee'

/** The name of one check a verdict reports, in the order they run. */
export type CheckName =
  | 'evidence-present'
  | 'evidence-decode'
  | 'tee-supported'
  | 'quote-parse'
  | 'collateral-parse'
  | 'collateral-window'
  | 'certificate-chain'
  | 'collateral-signature'
  | 'qe-report'
  | 'quote-signature'
  | 'tcb-status'
  | 'td-attributes'
  | 'binding'
  | 'measurement'
  | 'gpu-token'

/** One check: its name, whether it passed, and what was seen (or what failed, in words). */
export interface VerificationCheck {
  name: CheckName
  ok: boolean
  detail: string
}

/** Measurements of an Intel TDX trust domain, lowercase hex (48 bytes each). */
export interface TdxMeasurements {
  kind: 'tdx'
  mrTd: string
  rtMr0: string
  rtMr1: string
  rtMr2: string
  rtMr3: string
  mrConfigId: string
}

/** Measurements of an Intel SGX enclave, lowercase hex (32 bytes each). */
export interface SgxMeasurements {
  kind: 'sgx'
  mrEnclave: string
  mrSigner: string
}

export type Measurements = TdxMeasurements | SgxMeasurements

/** What the GPU token says: verified against a configured key, absent, or present and refused. */
export type GpuVerdict = 'attested' | 'not-attested' | 'invalid'

/** A verifier's conclusion about one offer's evidence. */
export interface AttestationVerdict {
  tier: VerifiedTier
  /** The TEE kind the evidence names (null when there is none or it does not decode). */
  tee: TeeName | null
  /** Intel TCB status, once the quote and collateral verified (null otherwise). */
  tcbStatus: TcbStatus | null
  /** Intel security advisories for that TCB level. */
  advisoryIds: string[]
  /** Measurements read from the quote body (null when the quote does not parse). */
  measurements: Measurements | null
  /** The quote's 64 bytes of report data, lowercase hex (null when the quote does not parse). */
  reportData: string | null
  gpu: GpuVerdict
  /** Every check that ran, in order; the first failed one is why tier is 'open'. */
  checks: VerificationCheck[]
  /** Set exactly when tier is 'open'. */
  reason?: NotAttestedReason
  /** For reason 'malformed' from decoding: the typed error decodeAttestationEvidence threw. */
  error?: EvidenceDecodeError
  /** True when this verdict came from the cache, not a fresh verification. */
  cached: boolean
}

/**
 * One allowed image: every field given must equal the quote's (hex, either
 * case); fields left out are not constrained. A rule must constrain something.
 */
export interface MeasurementRule {
  /** A name for humans (release, model); shown in the measurement check's detail. */
  name?: string
  mrTd?: string
  rtMr0?: string
  rtMr1?: string
  rtMr2?: string
  rtMr3?: string
  mrConfigId?: string
  mrEnclave?: string
  mrSigner?: string
}

/** What a client accepts as attested. */
export interface AttestationPolicy {
  /** Allowed images, or 'any' to accept every measurement (the binding and TCB still apply). */
  allowedMeasurements: readonly MeasurementRule[] | 'any'
  /** TCB statuses accepted; default {@link DEFAULT_ALLOWED_TCB_STATUSES}. */
  allowedTcbStatuses?: readonly TcbStatus[]
  /** DER root CA that the Intel chains must end at; default Intel's SGX root CA as pinned by dcap-qvl. */
  trustedRootCaDer?: Uint8Array
  /** Public keys that may sign an NVIDIA GPU attestation token; none → every token is 'invalid'. */
  nvidiaKeys?: readonly JWK[]
}

/** TCB statuses a policy accepts when it names none. */
export const DEFAULT_ALLOWED_TCB_STATUSES: readonly TcbStatus[] = ['UpToDate']
