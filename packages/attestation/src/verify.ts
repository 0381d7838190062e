/**
 * The client side: what one offer's evidence proves, computed from the
 * evidence alone (no network), in this order:
 *
 * 1. the evidence is there and decodes (size bounds, version, TEE kind);
 * 2. the TEE has a verifier here (Intel TDX and SGX; SEV-SNP not yet);
 * 3. dcap-qvl: the quote's signature chain to the pinned root CA, the
 *    collateral's signatures and validity at `now`, the QE report, the TCB
 *    level, the TD attributes (no debug TD); then what dcap-qvl leaves out:
 *    both CRLs signed by the pinned root (and the PCK CA) and current;
 * 4. the TCB status is one the policy allows;
 * 5. the report data is attestationReportData(peer key, settlement key);
 * 6. the measurements match one of the policy's rules;
 * 7. the GPU token (which never changes the tier: it sets `gpu`).
 *
 * Bad evidence never throws: the verdict is 'open' with the reason and the
 * failed check. Only a bad policy (InvalidPolicyError) or a programming error
 * throws.
 */
import { createHash } from 'node:crypto'
import {
  type AttestationEvidence,
  attestationReportData,
  type DcapCollateral,
  decodeAttestationEvidence,
  encodeAttestationEvidence,
  errorMessage,
  InvalidFieldError,
  MalformedMessageError,
  MessageTooLargeError,
  TeeKind,
  UnsupportedVersionError,
} from '@cocoon-mesh/protocol'
import {
  classifyDcapFailure,
  collateralWindow,
  INTEL_SGX_ROOT_CA_DER,
  type ParsedQuote,
  parseDcapQuote,
  pckChainOf,
  verifyDcap,
} from './dcap.js'
import type { EvidenceDecodeError } from './errors.js'
import { verifyGpuToken } from './gpu.js'
import { checkChains, checkCrls } from './pki.js'
import { allowedTcbStatuses, matchMeasurements, validatePolicy } from './policy.js'
import type {
  AttestationPolicy,
  AttestationVerdict,
  CheckName,
  GpuVerdict,
  NotAttestedReason,
  TeeName,
} from './types.js'
import { VerdictBuilder } from './verdict-builder.js'
import type { VerdictCache } from './verdict-cache.js'

export interface VerifyEvidenceOptions {
  /** The offer's `attestation` bytes (empty or undefined: no evidence), or decoded evidence. */
  evidence: Uint8Array | AttestationEvidence | undefined
  /** libp2p protobuf encoding of the offering peer's public key (the key Noise authenticated). */
  peerPublicKey: Uint8Array
  /** The offer's `settlement_key` (raw 32-byte Ed25519). */
  settlementPublicKey: Uint8Array
  policy: AttestationPolicy
  /** The verifier's clock, Unix ms (collateral and GPU token validity are checked at this time). */
  now: number
  /** Reuse verdicts for the same evidence and keys (a republished offer is not re-verified). */
  cache?: VerdictCache
}

/** Verifies one offer's evidence; see the module comment for the checks. */
export async function verifyEvidence(options: VerifyEvidenceOptions): Promise<AttestationVerdict> {
  validatePolicy(options.policy)
  const run = new VerdictBuilder()
  if (
    options.evidence === undefined ||
    (options.evidence instanceof Uint8Array && options.evidence.byteLength === 0)
  ) {
    return run.fail('evidence-present', 'no-evidence', 'the offer carries no attestation evidence')
  }
  run.pass('evidence-present', 'the offer carries attestation evidence')
  const decoded = decode(options.evidence)
  if ('error' in decoded) {
    run.error = decoded.error
    return run.fail('evidence-decode', 'malformed', decoded.error.message)
  }
  const { evidence, bytes } = decoded
  run.pass('evidence-decode', `${bytes.byteLength} bytes of AttestationEvidence`)

  const key = options.cache?.key(createHash('sha256').update(bytes).digest('hex'), options)
  if (key !== undefined) {
    const hit = options.cache?.get(key, options.now)
    if (hit !== undefined) return hit
  }
  const { verdict, from, until } = await verifyDecoded(evidence, options, run)
  if (key !== undefined && verdict.reason !== 'collateral-expired')
    options.cache?.set(key, { verdict, from, until })
  return verdict
}

type Decoded = { evidence: AttestationEvidence; bytes: Uint8Array } | { error: EvidenceDecodeError }

function decode(input: Uint8Array | AttestationEvidence): Decoded {
  try {
    if (input instanceof Uint8Array) return { evidence: decodeAttestationEvidence(input), bytes: input }
    return { evidence: input, bytes: encodeAttestationEvidence(input) }
  } catch (error) {
    if (
      error instanceof MessageTooLargeError ||
      error instanceof MalformedMessageError ||
      error instanceof UnsupportedVersionError ||
      error instanceof InvalidFieldError
    ) {
      return { error }
    }
    throw error
  }
}

const TEE_NAMES: Partial<Record<TeeKind, TeeName>> = {
  [TeeKind.TEE_KIND_TDX]: 'tdx',
  [TeeKind.TEE_KIND_SGX]: 'sgx',
  [TeeKind.TEE_KIND_SEV_SNP]: 'sev-snp',
}

const CRL_REASONS = {
  'bad-signature': 'bad-signature',
  expired: 'collateral-expired',
  malformed: 'malformed',
} as const satisfies Record<string, NotAttestedReason>

interface Outcome {
  verdict: AttestationVerdict
  from: number
  until: number
}

/** A step either hands on what it established or ends the run with an 'open' verdict. */
type Step<T> = { ok: true; value: T } | { ok: false; verdict: AttestationVerdict }

async function verifyDecoded(
  evidence: AttestationEvidence,
  options: VerifyEvidenceOptions,
  run: VerdictBuilder,
): Promise<Outcome> {
  const always = (verdict: AttestationVerdict): Outcome => ({ verdict, from: -Infinity, until: Infinity })
  const parsed = parseChecks(evidence, run)
  if (!parsed.ok) return always(parsed.verdict)
  const { quote, collateral } = parsed.value
  const signed = signatureChecks(evidence.quote, collateral, options, run)
  if (!signed.ok) return always(signed.verdict)

  const gpuResult = await verifyGpuToken(
    evidence.gpuToken,
    options.policy.nvidiaKeys,
    quote.reportData,
    options.now,
  )
  const window = collateralWindow(collateral)
  const from = Math.max(window?.from ?? -Infinity, signed.value.from)
  const until = Math.min(window?.until ?? Infinity, signed.value.until, gpuResult.expiresAt ?? Infinity)
  const verdict = policyChecks(quote, options, run, gpuResult.gpu, gpuResult.detail)
  return { verdict, from, until }
}

/** Step 2 and the quote's shape: a TEE with a verifier, a DCAP quote of that TEE, collateral present. */
function parseChecks(
  evidence: AttestationEvidence,
  run: VerdictBuilder,
): Step<{ quote: ParsedQuote; collateral: DcapCollateral }> {
  const fail = (check: CheckName, reason: NotAttestedReason, detail: string): Step<never> => ({
    ok: false,
    verdict: run.fail(check, reason, detail),
  })
  run.tee = TEE_NAMES[evidence.tee] ?? null
  if (run.tee === 'sev-snp' || run.tee === null) {
    return fail(
      'tee-supported',
      'unsupported-tee',
      `${evidence.tee}: this verifier checks Intel TDX and SGX quotes only`,
    )
  }
  run.pass('tee-supported', `Intel ${run.tee.toUpperCase()} (DCAP, dcap-qvl)`)
  let quote: ParsedQuote
  try {
    quote = parseDcapQuote(evidence.quote)
  } catch (error) {
    return fail('quote-parse', 'malformed', `the quote does not parse: ${errorMessage(error)}`)
  }
  run.measurements = quote.measurements
  run.reportData = Buffer.from(quote.reportData).toString('hex')
  if (quote.tee !== run.tee) {
    return fail('quote-parse', 'malformed', `the evidence says ${run.tee} but the quote is ${quote.tee}`)
  }
  run.pass('quote-parse', `DCAP quote, ${quote.tee} report body`)
  if (evidence.dcapCollateral === undefined) {
    return fail(
      'collateral-parse',
      'malformed',
      'an Intel quote needs DCAP collateral and the evidence has none',
    )
  }
  return { ok: true, value: { quote, collateral: evidence.dcapCollateral } }
}

/**
 * The certificate chains and CRLs dcap-qvl leaves unchecked. The X.509
 * parsers throw on some damaged DER (asn1js reads past a buffer), and a
 * verdict never throws: any such failure is malformed evidence.
 */
function pkiChecks(
  quote: Uint8Array,
  collateral: DcapCollateral,
  options: VerifyEvidenceOptions,
):
  | { ok: true; window: { from: number; until: number } }
  | { ok: false; check: CheckName; reason: NotAttestedReason; detail: string } {
  const rootCaDer = options.policy.trustedRootCaDer ?? INTEL_SGX_ROOT_CA_DER
  try {
    const chains = checkChains(
      {
        "quote's PCK certificate chain": pckChainOf(quote),
        'PCK CRL issuer chain': collateral.pckCrlIssuerChain,
        'TCB info issuer chain': collateral.tcbInfoIssuerChain,
        'QE identity issuer chain': collateral.qeIdentityIssuerChain,
      },
      rootCaDer,
    )
    if (chains !== null)
      return {
        ok: false,
        check: 'certificate-chain',
        reason: CRL_REASONS[chains.kind],
        detail: chains.detail,
      }
    const crls = checkCrls(collateral, rootCaDer, options.now)
    if ('kind' in crls) {
      const check = crls.kind === 'expired' ? 'collateral-window' : 'certificate-chain'
      return { ok: false, check, reason: CRL_REASONS[crls.kind], detail: crls.detail }
    }
    return { ok: true, window: crls }
  } catch (error) {
    return {
      ok: false,
      check: 'certificate-chain',
      reason: 'malformed',
      detail: `a certificate or CRL does not parse: ${String(error)}`,
    }
  }
}

/** Step 3: dcap-qvl, then the CRLs; hands on the window in which the CRLs are current. */
function signatureChecks(
  quote: Uint8Array,
  collateral: DcapCollateral,
  options: VerifyEvidenceOptions,
  run: VerdictBuilder,
): Step<{ from: number; until: number }> {
  try {
    const result = verifyDcap(quote, collateral, options.now, options.policy.trustedRootCaDer)
    run.tcbStatus = result.tcbStatus
    run.advisoryIds = result.advisoryIds
  } catch (error) {
    const failure = classifyDcapFailure(error)
    return { ok: false, verdict: run.fail(failure.check, failure.reason, failure.detail) }
  }
  const pki = pkiChecks(quote, collateral, options)
  if (!pki.ok) return { ok: false, verdict: run.fail(pki.check, pki.reason, pki.detail) }
  const crls = pki.window
  const rootName =
    options.policy.trustedRootCaDer === undefined ? "Intel's SGX root CA" : 'the configured root CA'
  run.pass('collateral-window', 'TCB info, QE identity and both CRLs are current at the given time')
  run.pass(
    'certificate-chain',
    `PCK, TCB signing and CRL chains verify to ${rootName}; both CRLs are signed by them`,
  )
  run.pass('collateral-signature', 'TCB info and QE identity signatures verify')
  run.pass('qe-report', 'QE report signed by the PCK key, matches QE identity, binds the attestation key')
  run.pass('quote-signature', 'quote body signed by the attestation key')
  run.pass('td-attributes', 'not a debug TEE')
  return { ok: true, value: crls }
}

/** Steps 4-7: TCB status, binding, measurements, GPU token. */
function policyChecks(
  parsed: ParsedQuote,
  options: VerifyEvidenceOptions,
  run: VerdictBuilder,
  gpu: GpuVerdict,
  gpuDetail: string,
): AttestationVerdict {
  run.gpu = gpu
  const statuses = allowedTcbStatuses(options.policy)
  const status = run.tcbStatus ?? 'Unknown'
  if (!statuses.includes(status)) {
    return run.fail(
      'tcb-status',
      'tcb-not-allowed',
      `TCB status ${status} is not one of ${statuses.join(', ')}`,
    )
  }
  run.pass('tcb-status', `TCB status ${status}`)

  const binding = expectedReportData(options)
  if (binding.error !== undefined) return run.fail('binding', 'not-bound', binding.error)
  if (!Buffer.from(binding.value).equals(Buffer.from(parsed.reportData))) {
    return run.fail(
      'binding',
      'not-bound',
      "the quote's report data is not attestationReportData(peer key, settlement key) of this offer",
    )
  }
  run.pass('binding', 'report data binds this peer key and settlement key')

  const match = matchMeasurements(options.policy, parsed.measurements)
  if (!match.matched)
    return run.fail('measurement', 'measurement-not-allowed', 'the measurements match no allowed rule')
  run.pass(
    'measurement',
    match.rule === 'any'
      ? 'any measurement allowed by policy'
      : `matches ${match.rule.name ?? 'an allowed rule'}`,
  )

  // A missing token is no failure (the verdict says GPU not attested); a refused one is.
  run.check('gpu-token', gpu !== 'invalid', gpuDetail)
  return run.attested()
}

function expectedReportData(
  options: VerifyEvidenceOptions,
): { value: Uint8Array; error?: undefined } | { error: string } {
  try {
    return { value: attestationReportData(options.peerPublicKey, options.settlementPublicKey) }
  } catch (error) {
    if (error instanceof InvalidFieldError) return { error: `cannot bind: ${error.shortMessage}` }
    throw error
  }
}
