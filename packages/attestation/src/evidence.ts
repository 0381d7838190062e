/**
 * Wire evidence from an Intel DCAP quote and its collateral (a recorded quote
 * and collateral file, a test fixture): the TEE kind is read from the quote's
 * header, the version fields are this implementation's.
 */
import {
  ATTESTATION_BINDING_VERSION,
  type AttestationEvidence,
  type DcapCollateral,
  errorMessage,
  PROTOCOL_VERSION,
  TeeKind,
} from '@cocoon-mesh/protocol'
import { parseDcapQuote } from './dcap.js'
import { QuoteParseError } from './errors.js'

export interface DcapEvidenceOptions {
  quote: Uint8Array
  collateral: DcapCollateral
  /** NVIDIA GPU attestation token (JWT). */
  gpuToken?: string
}

/** Builds AttestationEvidence for a DCAP quote; throws QuoteParseError when the quote does not parse. */
export function dcapEvidence(options: DcapEvidenceOptions): AttestationEvidence {
  let tee: 'tdx' | 'sgx'
  try {
    tee = parseDcapQuote(options.quote).tee
  } catch (error) {
    throw new QuoteParseError(`the quote is not a DCAP quote: ${errorMessage(error)}`, {
      cause: error,
      details: 'Give the raw quote bytes (configfs-tsm outblob), not hex or base64.',
    })
  }
  return {
    version: PROTOCOL_VERSION,
    tee: tee === 'tdx' ? TeeKind.TEE_KIND_TDX : TeeKind.TEE_KIND_SGX,
    quote: new Uint8Array(options.quote),
    dcapCollateral: options.collateral,
    sevAuxBlob: new Uint8Array(0),
    gpuToken: options.gpuToken ?? '',
    bindingVersion: ATTESTATION_BINDING_VERSION,
  }
}
