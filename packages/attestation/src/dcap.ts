/**
 * Intel DCAP verification through @phala/dcap-qvl: the quote's signature
 * chain to the pinned root CA, the collateral's signatures and validity, the
 * QE report, the TCB level. dcap-qvl reports a failure as an Error whose
 * message names what failed; {@link classifyDcapFailure} maps those messages
 * to this package's check names and reasons (the library has no error types).
 */
import { type DcapCollateral, errorMessage } from '@cocoon-mesh/protocol'
import { constants, Quote, QuoteVerifier } from '@phala/dcap-qvl'
import { collateralToJson } from './collateral.js'
import type { CheckName, Measurements, NotAttestedReason, TcbStatus } from './types.js'

const TEE_TYPE_TDX = 0x81
const TEE_TYPE_SGX = 0

/** What a DCAP quote's body says, read before (and whatever the outcome of) verification. */
export interface ParsedQuote {
  tee: 'tdx' | 'sgx'
  measurements: Measurements
  reportData: Uint8Array
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** Parses a DCAP quote's header and body; throws dcap-qvl's Error when it does not parse. */
export function parseDcapQuote(quoteBytes: Uint8Array): ParsedQuote {
  const quote = Quote.parse(Buffer.from(quoteBytes))
  const td = quote.report.asTd10()
  if (td !== null) {
    if (quote.header.teeType !== TEE_TYPE_TDX)
      throw new Error('TD report body in a quote whose header is not TDX')
    return {
      tee: 'tdx',
      measurements: {
        kind: 'tdx',
        mrTd: hex(td.mrTd),
        rtMr0: hex(td.rtMr0),
        rtMr1: hex(td.rtMr1),
        rtMr2: hex(td.rtMr2),
        rtMr3: hex(td.rtMr3),
        mrConfigId: hex(td.mrConfigId),
      },
      reportData: new Uint8Array(td.reportData),
    }
  }
  const sgx = quote.report.asSgx()
  if (sgx === null || quote.header.teeType !== TEE_TYPE_SGX)
    throw new Error('quote body is neither a TD nor an SGX report')
  return {
    tee: 'sgx',
    measurements: { kind: 'sgx', mrEnclave: hex(sgx.mrEnclave), mrSigner: hex(sgx.mrSigner) },
    reportData: new Uint8Array(sgx.reportData),
  }
}

/** The PEM PCK certificate chain inside a quote that dcap-qvl verified (certification data type 5). */
export function pckChainOf(quoteBytes: Uint8Array): string {
  return Buffer.from(Quote.parse(Buffer.from(quoteBytes)).rawCertChain()).toString('utf8')
}

/** A successful DCAP verification. */
export interface DcapResult {
  tcbStatus: TcbStatus
  advisoryIds: string[]
}

/** Verifies quote + collateral at `nowMs` against `rootCaDer` (Intel's pinned root when absent); throws dcap-qvl's Error. */
export function verifyDcap(
  quote: Uint8Array,
  collateral: DcapCollateral,
  nowMs: number,
  rootCaDer: Uint8Array | undefined,
): DcapResult {
  const verifier = QuoteVerifier.newWithRootCa(
    rootCaDer === undefined ? constants.TRUSTED_ROOT_CA_DER : Buffer.from(rootCaDer),
  )
  const report = verifier.verify(Buffer.from(quote), collateralToJson(collateral), Math.floor(nowMs / 1000))
  return { tcbStatus: report.status, advisoryIds: [...report.advisory_ids] }
}

/** Intel's SGX root CA as dcap-qvl pins it (DER). */
export const INTEL_SGX_ROOT_CA_DER: Uint8Array = new Uint8Array(constants.TRUSTED_ROOT_CA_DER)

/** A dcap-qvl failure as a check name and a reason. */
export interface DcapFailure {
  check: CheckName
  reason: NotAttestedReason
  detail: string
}

const FAILURE_PATTERNS: ReadonlyArray<[RegExp, CheckName, NotAttestedReason]> = [
  [
    /Failed to decode quote|Unsupported DCAP (quote version|TEE type|attestation key type)|must have version|auth data/i,
    'quote-parse',
    'malformed',
  ],
  [
    /issue date is in the future|TCBInfo expired|QE Identity expired/,
    'collateral-window',
    'collateral-expired',
  ],
  [/expired or not yet valid/, 'certificate-chain', 'collateral-expired'],
  [/Signature is invalid for (tcb_info|qe_identity)/, 'collateral-signature', 'bad-signature'],
  [
    /qe_report|QE report hash|QE (MRSIGNER|ISVPRODID|MISCSELECT|ATTRIBUTES|ISVSVN)/,
    'qe-report',
    'bad-signature',
  ],
  [/ISV enclave report signature/, 'quote-signature', 'bad-signature'],
  [
    /revoked|certificate chain|CaUsedAsEndEntity|Failed to extract PCK|Unsupported DCAP PCK cert/i,
    'certificate-chain',
    'bad-signature',
  ],
  [/No matching TCB level|TCB status is invalid|No (SGX|TDX) components/, 'tcb-status', 'tcb-not-allowed'],
  [/Debug mode|Reserved bits|SEPT_VE_DISABLE|mr service td/i, 'td-attributes', 'measurement-not-allowed'],
  [
    /Failed to decode (TcbInfo|QeIdentity)|QE Identity id|TCB info in the collateral|Fmspc mismatch/,
    'collateral-parse',
    'malformed',
  ],
]

/**
 * Maps what dcap-qvl threw to a check and a reason. Anything it does not
 * name (an ASN.1 or PEM parse failure deep in a certificate) is the
 * certificate chain failing to verify: nothing was proven.
 */
export function classifyDcapFailure(error: unknown): DcapFailure {
  const messages: string[] = []
  for (let e: unknown = error; e instanceof Error && messages.length < 4; e = e.cause)
    messages.push(e.message)
  const detail = messages.length === 0 ? errorMessage(error) : messages.join(': ')
  for (const [pattern, check, reason] of FAILURE_PATTERNS) {
    if (pattern.test(detail)) return { check, reason, detail }
  }
  return { check: 'certificate-chain', reason: 'bad-signature', detail }
}

/** The [from, until] window (Unix ms) in which this collateral's TCB info and QE identity are both current. */
export function collateralWindow(collateral: DcapCollateral): { from: number; until: number } | null {
  try {
    const tcb = JSON.parse(collateral.tcbInfo) as { issueDate?: unknown; nextUpdate?: unknown }
    const qe = JSON.parse(collateral.qeIdentity) as { issueDate?: unknown; nextUpdate?: unknown }
    const times = [tcb.issueDate, qe.issueDate, tcb.nextUpdate, qe.nextUpdate].map((t) =>
      typeof t === 'string' ? Date.parse(t) : Number.NaN,
    )
    if (times.some((t) => Number.isNaN(t))) return null
    const [tcbFrom, qeFrom, tcbUntil, qeUntil] = times as [number, number, number, number]
    return { from: Math.max(tcbFrom, qeFrom), until: Math.min(tcbUntil, qeUntil) }
  } catch {
    return null
  }
}
