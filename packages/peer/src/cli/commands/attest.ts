/**
 * `cocoon attest`: on a provider, its own evidence and what a client
 * concludes from it; `cocoon attest verify`: any recorded quote and collateral
 * verified offline, each check passed or failed.
 */
import { readFile } from 'node:fs/promises'
import {
  type AttestationPolicy,
  type AttestationVerdict,
  dcapEvidence,
  EvidenceFileError,
  readCollateralFile,
  verdictLabel,
  verifyEvidence,
} from '@cocoon-mesh/attestation'
import { CocoonError, errorMessage } from '@cocoon-mesh/protocol'
import { walletFromMnemonic } from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic, resolveHome } from '@cocoon-mesh/settlement/node'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { type Command, InvalidArgumentError } from 'commander'
import { attestationPolicyFromConfig } from '../../home/attestation-policy.js'
import { loadIdentity } from '../../home/identity.js'
import { attestNode } from '../node-attestation.js'
import { effectiveConfig } from '../node-options.js'
import type { RegisterCommand } from './index.js'

/** A check of an attestation failed: the command exits non-zero naming it. */
export class AttestationCheckFailedError extends CocoonError<'ERR_ATTESTATION_CHECK_FAILED'> {
  readonly code = 'ERR_ATTESTATION_CHECK_FAILED' as const
  override readonly name = 'AttestationCheckFailedError'
}

/** This node could not produce evidence (no TEE, or the TEE gave no quote): a client sees it as open tier. */
export class NoOwnEvidenceError extends CocoonError<'ERR_NO_OWN_EVIDENCE'> {
  readonly code = 'ERR_NO_OWN_EVIDENCE' as const
  override readonly name = 'NoOwnEvidenceError'
}

/** commander parser of `--at`: an ISO time, as Unix ms. */
export function parseIsoTime(value: string): number {
  const ms = Date.parse(value)
  if (!/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(ms))
    throw new InvalidArgumentError(`"${value}" is not an ISO time: give e.g. 2025-07-01T00:00:00Z`)
  return ms
}

/** commander parser of `--peer-key`: a peer id (12D3KooW...) or the hex of its protobuf public key. */
export function parsePeerKey(value: string): Uint8Array {
  if (/^([0-9a-fA-F]{2})+$/.test(value)) return Buffer.from(value, 'hex')
  try {
    const peerId = peerIdFromString(value)
    if (peerId.publicKey !== undefined) return publicKeyToProtobuf(peerId.publicKey)
  } catch {
    // neither form: the usage error below says what to give
  }
  throw new InvalidArgumentError(
    `"${value}" is not a peer key: give a peer id (12D3KooW...) or protobuf key hex`,
  )
}

/** commander parser of `--settlement-key`: 32 bytes of hex (an offer's settlement key). */
export function parseSettlementKey(value: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(value))
    throw new InvalidArgumentError(
      `"${value}" is not a settlement key: give the 32-byte Ed25519 key as 64 hex digits`,
    )
  return Buffer.from(value, 'hex')
}

/** What the commands print: the TEE, its TCB status, measurements, report data and every check. */
export function verdictReport(verdict: AttestationVerdict): Record<string, unknown> {
  return {
    tier: verdict.tier,
    ...(verdict.reason === undefined ? {} : { reason: verdict.reason }),
    verdict: verdictLabel(verdict),
    tee: verdict.tee,
    tcbStatus: verdict.tcbStatus,
    advisoryIds: verdict.advisoryIds,
    measurements: verdict.measurements,
    reportData: verdict.reportData,
    gpu: verdict.gpu,
    checks: verdict.checks.map(({ name, ok, detail }) => ({ name, ok, detail })),
  }
}

/** The report as aligned text lines. */
export function verdictText(verdict: AttestationVerdict): string {
  const rows: Array<[string, string]> = [
    ['tee', verdict.tee ?? '-'],
    ['tcb status', verdict.tcbStatus ?? '-'],
    ['report data', verdict.reportData ?? '-'],
  ]
  for (const [name, value] of Object.entries(verdict.measurements ?? {}))
    if (name !== 'kind') rows.push([name, String(value)])
  const lines = rows.map(([k, v]) => `${k.padEnd(12)} ${v}`)
  lines.push('checks:')
  for (const c of verdict.checks)
    lines.push(`  ${c.ok ? 'passed' : 'FAILED'}  ${c.name.padEnd(21)} ${c.detail}`)
  lines.push(`verdict      ${verdictLabel(verdict)}`)
  return `${lines.join('\n')}\n`
}

/** Prints the verdict and throws {@link AttestationCheckFailedError} naming the failed check when it is not attested. */
function printVerdict(verdict: AttestationVerdict, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(verdictReport(verdict), null, 2)}\n` : verdictText(verdict))
  if (verdict.tier === 'attested') return
  const failed = verdict.checks.find((c) => !c.ok)
  throw new AttestationCheckFailedError(
    `attestation check failed: ${failed?.name ?? 'evidence-present'} (${verdict.reason ?? 'no-evidence'})`,
    { details: failed?.detail ?? 'no evidence to check' },
  )
}

interface VerifyOptions {
  quote: string
  collateral: string
  at?: number
  peerKey?: Uint8Array
  settlementKey?: Uint8Array
  json?: boolean
  home?: string
}

async function readQuoteFile(path: string): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    throw new EvidenceFileError(`could not read quote file ${path}: ${errorMessage(error)}`, {
      path,
      cause: error,
    })
  }
}

/**
 * The policy `attest verify` checks with: the home's root CA, TCB statuses and
 * allowed images when a home is given, else Intel's root, UpToDate, any image.
 */
async function verifyPolicy(home: string | undefined): Promise<AttestationPolicy> {
  if (home === undefined) return { allowedMeasurements: 'any' }
  const dir = resolveHome(home)
  return attestationPolicyFromConfig(dir, (await effectiveConfig(dir, {})).attestation)
}

async function verifyFiles(opts: VerifyOptions): Promise<void> {
  const quote = await readQuoteFile(opts.quote)
  const evidence = dcapEvidence({ quote, collateral: await readCollateralFile(opts.collateral) })
  const verdict = await verifyEvidence({
    evidence,
    peerPublicKey: opts.peerKey ?? new Uint8Array(0),
    settlementPublicKey: opts.settlementKey ?? new Uint8Array(0),
    policy: await verifyPolicy(opts.home),
    now: opts.at ?? Date.now(),
  })
  printVerdict(verdict, opts.json === true)
}

/** `cocoon attest` on a provider: its evidence, verified as a client with its own policy would. */
async function attestSelf(opts: { home?: string; json?: boolean }): Promise<void> {
  const home = resolveHome(opts.home)
  const config = await effectiveConfig(home, {})
  const privateKey = await loadIdentity(home)
  const wallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(home)).mnemonic)
  const settlementKey = new Uint8Array(wallet.signingKey.publicKey)
  const own = await attestNode({ home, privateKey, settlementKey, config: config.attestation })
  if (!own.attested) {
    throw new NoOwnEvidenceError('this node has no evidence: clients see it as open tier', {
      details: own.reason,
    })
  }
  const verdict = await verifyEvidence({
    evidence: own.evidence.bytes,
    peerPublicKey: publicKeyToProtobuf(privateKey.publicKey),
    settlementPublicKey: settlementKey,
    policy: await attestationPolicyFromConfig(home, config.attestation),
    now: Date.now(),
  })
  process.stdout.write(
    `evidence     ${own.evidence.quote.tee}, ${own.evidence.bytes.byteLength} bytes (quote ${own.evidence.quote.quote.byteLength})\n`,
  )
  printVerdict(verdict, opts.json === true)
}

export const registerAttest: RegisterCommand = (program: Command) => {
  const attest = program
    .command('attest')
    .description("print this provider's TEE evidence and what a client with this node's policy concludes")
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option('--json', 'print JSON')
    .action((opts: { home?: string; json?: boolean }) => attestSelf(opts))
  attest
    .command('verify')
    .description('verify a recorded quote offline: TEE, TCB status, measurements, report data and each check')
    .requiredOption('--quote <file>', 'the raw quote (configfs-tsm outblob)')
    .requiredOption('--collateral <file>', 'its collateral, JSON as a PCCS serves it (dcap-qvl format)')
    .option(
      '--at <iso-time>',
      'verify at this time (recorded collateral is only valid in its window)',
      parseIsoTime,
    )
    .option(
      '--peer-key <key>',
      'the peer the quote must bind: a peer id or protobuf public key hex',
      parsePeerKey,
    )
    .option(
      '--settlement-key <hex>',
      'the settlement key the quote must bind (32 bytes hex)',
      parseSettlementKey,
    )
    .option('--home <dir>', "check against this home's attestation policy (default: Intel's root, any image)")
    .option('--json', 'print JSON')
    // --home and --json are also the parent's options, which commander fills first
    .action((_opts: VerifyOptions, command: Command) => verifyFiles(command.optsWithGlobals<VerifyOptions>()))
}
