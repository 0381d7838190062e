/**
 * Typed errors of attestation: producing evidence on a provider (configfs-tsm,
 * PCCS, evidence files) and loading what a verifier is configured with
 * (policy, release manifest). Match them by class
 * (`err instanceof TsmGenerationRaceError`).
 *
 * Verifying evidence never throws these for bad evidence: verifyEvidence
 * returns an 'open' verdict naming the failed check.
 */
import {
  AbortedError,
  CocoonError,
  type CocoonErrorOptions,
  DeadlineExceededError,
  type InvalidFieldError,
  type MalformedMessageError,
  type MessageTooLargeError,
  type UnsupportedVersionError,
} from '@cocoon-mesh/protocol'

export { AbortedError, DeadlineExceededError }

/** Options of the configfs-tsm errors: the path the failure was at. */
export interface TsmErrorOptions extends CocoonErrorOptions {
  path?: string
}

/** The base of the configfs-tsm errors: it carries the path involved. */
export abstract class TsmError<C extends string = string> extends CocoonError<C> {
  readonly path: string | undefined

  constructor(shortMessage: string, options: TsmErrorOptions = {}) {
    super(shortMessage, options)
    this.path = options.path
  }
}

/** The configfs-tsm report directory is absent: no TEE guest driver, kernel before 6.7, or configfs not mounted. */
export class TsmUnavailableError extends TsmError<'ERR_TSM_UNAVAILABLE'> {
  readonly code = 'ERR_TSM_UNAVAILABLE' as const
  override readonly name = 'TsmUnavailableError'
}

/** A report entry names a `provider` this package cannot turn into evidence. */
export class TsmUnknownProviderError extends TsmError<'ERR_TSM_UNKNOWN_PROVIDER'> {
  readonly code = 'ERR_TSM_UNKNOWN_PROVIDER' as const
  override readonly name = 'TsmUnknownProviderError'
}

/** `generation` moved by more than our own write: another writer changed the entry while the quote was made. */
export class TsmGenerationRaceError extends TsmError<'ERR_TSM_GENERATION_RACE'> {
  readonly code = 'ERR_TSM_GENERATION_RACE' as const
  override readonly name = 'TsmGenerationRaceError'
}

/** Creating the entry, writing `inblob` or reading `outblob` failed (the quoting service refused, EIO, EACCES...). */
export class TsmReportFailedError extends TsmError<'ERR_TSM_REPORT_FAILED'> {
  readonly code = 'ERR_TSM_REPORT_FAILED' as const
  override readonly name = 'TsmReportFailedError'
}

/** Report data handed to the TEE is not exactly 64 bytes. */
export class InvalidReportDataError extends CocoonError<'ERR_INVALID_REPORT_DATA'> {
  readonly code = 'ERR_INVALID_REPORT_DATA' as const
  override readonly name = 'InvalidReportDataError'
}

/** Options of the PCCS errors: the URL asked. */
export interface PccsErrorOptions extends CocoonErrorOptions {
  url?: string
  status?: number
}

/** The PCCS could not be reached, or answered with an HTTP error status. */
export class PccsRequestError extends CocoonError<'ERR_PCCS_REQUEST'> {
  readonly code = 'ERR_PCCS_REQUEST' as const
  override readonly name = 'PccsRequestError'
  readonly url: string | undefined
  readonly status: number | undefined

  constructor(shortMessage: string, options: PccsErrorOptions = {}) {
    super(shortMessage, options)
    this.url = options.url
    this.status = options.status
  }
}

/** The PCCS answered 200 but without a required header, or with a body that is not the collateral asked for. */
export class PccsResponseError extends CocoonError<'ERR_PCCS_RESPONSE'> {
  readonly code = 'ERR_PCCS_RESPONSE' as const
  override readonly name = 'PccsResponseError'
  readonly url: string | undefined

  constructor(shortMessage: string, options: PccsErrorOptions = {}) {
    super(shortMessage, options)
    this.url = options.url
  }
}

/** Collateral given as JSON (a file, or a value) lacks a field or has one of the wrong type or encoding. */
export class InvalidCollateralError extends CocoonError<'ERR_INVALID_COLLATERAL'> {
  readonly code = 'ERR_INVALID_COLLATERAL' as const
  override readonly name = 'InvalidCollateralError'
}

/** A configured evidence input (collateral file, GPU token file, manifest file) could not be read. */
export class EvidenceFileError extends CocoonError<'ERR_EVIDENCE_FILE'> {
  readonly code = 'ERR_EVIDENCE_FILE' as const
  override readonly name = 'EvidenceFileError'
  readonly path: string

  constructor(shortMessage: string, options: CocoonErrorOptions & { path: string }) {
    super(shortMessage, options)
    this.path = options.path
  }
}

/** A quote's bytes do not parse as a DCAP quote (header, body or signature data). */
export class QuoteParseError extends CocoonError<'ERR_QUOTE_PARSE'> {
  readonly code = 'ERR_QUOTE_PARSE' as const
  override readonly name = 'QuoteParseError'
}

/** The TEE has no evidence path in this package (SEV-SNP verification, a quote type dcap-qvl does not take). */
export class UnsupportedTeeError extends CocoonError<'ERR_UNSUPPORTED_TEE'> {
  readonly code = 'ERR_UNSUPPORTED_TEE' as const
  override readonly name = 'UnsupportedTeeError'
}

/** A verification policy has a bad value (a measurement that is not hex of the right length, an empty rule, a bad key). */
export class InvalidPolicyError extends CocoonError<'ERR_INVALID_POLICY'> {
  readonly code = 'ERR_INVALID_POLICY' as const
  override readonly name = 'InvalidPolicyError'
}

/** A release manifest is not the JSON shape it must be (fields, version, measurements). */
export class InvalidManifestError extends CocoonError<'ERR_INVALID_MANIFEST'> {
  readonly code = 'ERR_INVALID_MANIFEST' as const
  override readonly name = 'InvalidManifestError'
}

/** A release manifest's signature does not verify against the pinned signer key. */
export class ManifestSignatureError extends CocoonError<'ERR_MANIFEST_SIGNATURE'> {
  readonly code = 'ERR_MANIFEST_SIGNATURE' as const
  override readonly name = 'ManifestSignatureError'
}

/** Every error this package throws. */
export type AttestationError =
  | TsmUnavailableError
  | TsmUnknownProviderError
  | TsmGenerationRaceError
  | TsmReportFailedError
  | InvalidReportDataError
  | PccsRequestError
  | PccsResponseError
  | InvalidCollateralError
  | EvidenceFileError
  | QuoteParseError
  | UnsupportedTeeError
  | InvalidPolicyError
  | InvalidManifestError
  | ManifestSignatureError
  | AbortedError
  | DeadlineExceededError

/** The codes of {@link AttestationError}. */
export type AttestationErrorCode = AttestationError['code']

/**
 * What decodeAttestationEvidence throws for bytes that are not evidence; a
 * verdict's `error` holds one of these when its reason is 'malformed'.
 */
export type EvidenceDecodeError =
  | MessageTooLargeError
  | MalformedMessageError
  | UnsupportedVersionError
  | InvalidFieldError
