/**
 * The provider side in one call: a quote over configfs-tsm whose report data
 * binds the node's keys, the collateral a client needs to verify it offline,
 * an optional NVIDIA GPU token, encoded as the Offer's `attestation`.
 */
import {
  ATTESTATION_BINDING_VERSION,
  type AttestationEvidence,
  attestationReportData,
  type DcapCollateral,
  encodeAttestationEvidence,
  PROTOCOL_VERSION,
  TeeKind,
} from '@cocoon-mesh/protocol'
import type { ComponentLogger } from '@libp2p/interface'
import { fetchPccsCollateral, readCollateralFile } from './collateral.js'
import { InvalidCollateralError } from './errors.js'
import { readTsmQuote, type TsmQuote } from './tsm.js'
import type { TeeName } from './types.js'

/** Where a provider's DCAP collateral comes from. */
export type CollateralSource =
  /** Fetched fresh from a PCCS (the production path). */
  | { kind: 'pccs'; url: string; timeoutMs?: number }
  /** Read from a JSON file in the dcap-qvl / fixture format. */
  | { kind: 'file'; path: string }
  /** Given as a value. */
  | { kind: 'inline'; collateral: DcapCollateral }

export interface CollectEvidenceOptions {
  /** libp2p protobuf encoding of the node's public key (publicKeyToProtobuf). */
  peerPublicKey: Uint8Array
  /** The node's raw 32-byte Ed25519 settlement key. */
  settlementPublicKey: Uint8Array
  /** Needed for TDX (and SGX); unused for SEV-SNP, whose certificates come in auxblob. */
  collateral?: CollateralSource
  /** configfs-tsm report directory; default /sys/kernel/config/tsm/report. */
  tsmRoot?: string
  /** NVIDIA GPU attestation token (JWT) from the operator's attestation tooling. */
  gpuToken?: string
  signal?: AbortSignal
  /** Bound on reading the quote; default DEFAULT_TSM_TIMEOUT_MS. */
  timeoutMs?: number
  logger?: ComponentLogger
}

export interface CollectedEvidence {
  evidence: AttestationEvidence
  /** encodeAttestationEvidence(evidence): what goes into Offer.attestation. */
  bytes: Uint8Array
  quote: TsmQuote
}

const TEE_KINDS: Record<TeeName, TeeKind> = {
  tdx: TeeKind.TEE_KIND_TDX,
  sgx: TeeKind.TEE_KIND_SGX,
  'sev-snp': TeeKind.TEE_KIND_SEV_SNP,
}

/**
 * Produces this node's evidence. Throws what readTsmQuote, the collateral
 * source (fetchPccsCollateral, readCollateralFile) and
 * encodeAttestationEvidence throw, all typed; a TDX quote without a
 * collateral source is an InvalidCollateralError.
 */
export async function collectEvidence(options: CollectEvidenceOptions): Promise<CollectedEvidence> {
  const reportData = attestationReportData(options.peerPublicKey, options.settlementPublicKey)
  const quote = await readTsmQuote({
    root: options.tsmRoot,
    reportData,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    logger: options.logger,
  })
  const dcapCollateral =
    quote.tee === 'sev-snp'
      ? undefined
      : await loadCollateral(options.collateral, quote.quote, options.signal)
  const evidence: AttestationEvidence = {
    version: PROTOCOL_VERSION,
    tee: TEE_KINDS[quote.tee],
    quote: new Uint8Array(quote.quote),
    dcapCollateral,
    sevAuxBlob: new Uint8Array(quote.auxBlob ?? new Uint8Array(0)),
    gpuToken: options.gpuToken ?? '',
    bindingVersion: ATTESTATION_BINDING_VERSION,
  }
  return { evidence, bytes: encodeAttestationEvidence(evidence), quote }
}

async function loadCollateral(
  source: CollateralSource | undefined,
  quote: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<DcapCollateral> {
  if (source === undefined) {
    throw new InvalidCollateralError('an Intel quote needs collateral and none is configured', {
      details: 'Configure a PCCS URL (or a collateral file) so clients can verify the quote offline.',
    })
  }
  switch (source.kind) {
    case 'pccs':
      return fetchPccsCollateral({ url: source.url, quote, signal, timeoutMs: source.timeoutMs })
    case 'file':
      return readCollateralFile(source.path)
    case 'inline':
      return source.collateral
  }
}
