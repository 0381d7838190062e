/**
 * A providing node's own attestation: when configfs-tsm offers a TEE, a
 * quote binding the node's peer key and settlement key, with the collateral a
 * client verifies it with offline, goes into the offer, which then claims the
 * attested tier (and carries the attested prices). Without a TEE, or when the
 * TEE cannot produce a quote, the node says why and serves as open tier.
 */
import { readFile } from 'node:fs/promises'
import {
  type AttestationPolicy,
  type CollectedEvidence,
  collectEvidence,
  detectTee,
  type TeeDetection,
  verifyEvidence,
} from '@cocoon-mesh/attestation'
import type { OfferTemplate, OfferTrustVerifier } from '@cocoon-mesh/client/internal'
import { attestationTrust, offerTrustOf, trustLabel } from '@cocoon-mesh/client/internal'
import { errorLine, TrustTier } from '@cocoon-mesh/protocol'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import type { ComponentLogger, PrivateKey } from '@libp2p/interface'
import type { AttestationConfig } from '../home/attestation-config.js'
import { attestationPolicyFromConfig, homePath } from '../home/attestation-policy.js'
import type { NodeLog } from './node-log.js'

/** The verifier a client command checks offers with: the policy of `config` (a home's `attestation` section). */
export async function clientTrust(home: string, config: AttestationConfig): Promise<OfferTrustVerifier> {
  return attestationTrust({ policy: await attestationPolicyFromConfig(home, config) })
}

/** Intel's Provisioning Certification Service: where collateral comes from when no PCCS is configured. */
export const INTEL_PCS_URL = 'https://api.trustedservices.intel.com'

/** What the node's own attestation came to. */
export type OwnAttestation =
  | { attested: true; evidence: CollectedEvidence }
  | { attested: false; reason: string }

export interface AttestNodeOptions {
  home: string
  privateKey: PrivateKey
  settlementKey: Uint8Array
  config: AttestationConfig
  logger?: ComponentLogger
  signal?: AbortSignal
}

/**
 * Finds the TEE and produces this node's evidence. Never throws for a
 * missing or failing TEE: `attested: false` says why in one sentence.
 */
export async function attestNode(options: AttestNodeOptions): Promise<OwnAttestation> {
  const { config } = options
  const root = config.tsmRoot === '' ? undefined : config.tsmRoot
  const found: TeeDetection = await detectTee({
    ...(root === undefined ? {} : { root }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  if (!found.available) return { attested: false, reason: `no TEE found at ${found.root}: ${found.reason}` }
  try {
    const gpuToken =
      config.nvidiaTokenFile === ''
        ? undefined
        : (await readFile(homePath(options.home, config.nvidiaTokenFile), 'utf8')).trim()
    const evidence = await collectEvidence({
      peerPublicKey: publicKeyToProtobuf(options.privateKey.publicKey),
      settlementPublicKey: options.settlementKey,
      collateral: { kind: 'pccs', url: config.pccsUrl === '' ? INTEL_PCS_URL : config.pccsUrl },
      ...(root === undefined ? {} : { tsmRoot: root }),
      ...(gpuToken === undefined ? {} : { gpuToken }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    return { attested: true, evidence }
  } catch (error) {
    return {
      attested: false,
      reason: `the ${found.tee} TEE at ${found.root} gave no evidence: ${errorLine(error)}`,
    }
  }
}

/**
 * Attests a providing node into its offer template and logs the outcome:
 * evidence, the attested claim and the attested prices only when the TEE
 * produced evidence; otherwise one line saying why the node is open tier.
 * Also logs what a client with this node's own policy concludes.
 */
export async function attestProvider(
  options: AttestNodeOptions,
  template: OfferTemplate,
  log: NodeLog,
): Promise<OwnAttestation> {
  const own = await attestNode(options)
  if (!own.attested) {
    log.event('attestation-off', { reason: own.reason })
    return own
  }
  template.attestation = new Uint8Array(own.evidence.bytes)
  template.trustTier = TrustTier.TRUST_TIER_ATTESTED
  if (options.config.attestedPrices !== undefined) template.attestedPrices = options.config.attestedPrices
  log.event('attestation-on', { tee: own.evidence.quote.tee, evidenceBytes: own.evidence.bytes.byteLength })
  log.event('attestation-self-check', { verdict: await selfCheck(options, own.evidence) })
  return own
}

/** What a client with this node's own attestation policy concludes from its evidence. */
async function selfCheck(options: AttestNodeOptions, evidence: CollectedEvidence): Promise<string> {
  let policy: AttestationPolicy
  try {
    policy = await attestationPolicyFromConfig(options.home, options.config)
  } catch (error) {
    return `not run, the attestation policy does not load: ${errorLine(error)}`
  }
  const verdict = await verifyEvidence({
    evidence: evidence.bytes,
    peerPublicKey: publicKeyToProtobuf(options.privateKey.publicKey),
    settlementPublicKey: options.settlementKey,
    policy,
    now: Date.now(),
  })
  return trustLabel(offerTrustOf({ trustTier: TrustTier.TRUST_TIER_ATTESTED }, verdict))
}
