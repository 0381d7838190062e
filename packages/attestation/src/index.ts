/**
 * @packageDocumentation
 *
 * TEE evidence for Cocoon Mesh offers, both sides:
 *
 * - provider: {@link detectTee}, {@link readTsmQuote} (Linux configfs-tsm),
 *   {@link fetchPccsCollateral} / {@link readCollateralFile}, and
 *   {@link collectEvidence}, which binds the node's keys into the quote and
 *   returns the bytes for `Offer.attestation`;
 * - client: {@link verifyEvidence} → an {@link AttestationVerdict} ('attested'
 *   or 'open' with a {@link NotAttestedReason} and every check), with a
 *   {@link VerdictCache} so a republished offer is not re-verified, a
 *   {@link AttestationPolicy} of allowed measurements and TCB statuses, and
 *   signed release manifests ({@link loadReleaseManifest}).
 *
 * The wire format (AttestationEvidence, DcapCollateral, TeeKind) and the key
 * binding (attestationReportData) live in @cocoon-mesh/protocol.
 * Test doubles (a test CA that signs DCAP quotes, a configfs-tsm tree, a
 * PCCS, a GPU token key) are in `@cocoon-mesh/attestation/testing`.
 */

export {
  collateralFromJson,
  collateralToJson,
  type DcapCollateralJson,
  DEFAULT_PCCS_TIMEOUT_MS,
  type FetchPccsCollateralOptions,
  fetchPccsCollateral,
  MAX_PCCS_RESPONSE_BYTES,
  readCollateralFile,
} from './collateral.js'
export {
  type CollateralSource,
  type CollectEvidenceOptions,
  type CollectedEvidence,
  collectEvidence,
} from './collect.js'
export { INTEL_SGX_ROOT_CA_DER } from './dcap.js'
export * from './errors.js'
export { type DcapEvidenceOptions, dcapEvidence } from './evidence.js'
export { type GpuTokenResult, gpuTokenNonce, verifyGpuToken } from './gpu.js'
export { describeReason, verdictLabel } from './label.js'
export {
  loadReleaseManifest,
  RELEASE_MANIFEST_SIGNATURE_CONTEXT,
  type ReleaseManifest,
  type SignedReleaseManifest,
  signReleaseManifest,
  verifyReleaseManifest,
} from './manifest.js'
export { allowedTcbStatuses, matchMeasurements, validatePolicy } from './policy.js'
export {
  DEFAULT_TSM_REPORT_ROOT,
  DEFAULT_TSM_TIMEOUT_MS,
  detectTee,
  type ReadTsmQuoteOptions,
  readTsmQuote,
  type TeeDetection,
  TSM_PROVIDERS,
  type TsmQuote,
} from './tsm.js'
export * from './types.js'
export { DEFAULT_VERDICT_CACHE_SIZE, VerdictCache } from './verdict-cache.js'
export { type VerifyEvidenceOptions, verifyEvidence } from './verify.js'
