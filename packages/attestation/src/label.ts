/**
 * One honest line per verdict, the same everywhere a tier is shown (CLI
 * tables, usage, gateway headers).
 */
import type { AttestationVerdict, NotAttestedReason } from './types.js'

const REASONS: Record<NotAttestedReason, string> = {
  'no-evidence': 'no evidence',
  malformed: 'malformed evidence',
  'bad-signature': 'bad signature',
  'collateral-expired': 'collateral expired',
  'tcb-not-allowed': 'TCB not allowed',
  'not-bound': 'not bound to this peer',
  'measurement-not-allowed': 'measurement not allowed',
  'unsupported-tee': 'TEE not supported',
}

/** Words for a reason: 'not bound to this peer', 'TCB not allowed', ... */
export function describeReason(reason: NotAttestedReason): string {
  return REASONS[reason]
}

/**
 * 'CPU TEE attested (TDX UpToDate), GPU attested', 'CPU TEE attested (TDX
 * UpToDate), GPU not attested', or 'open: not bound to this peer'.
 */
export function verdictLabel(verdict: AttestationVerdict): string {
  if (verdict.tier === 'open') return `open: ${describeReason(verdict.reason ?? 'no-evidence')}`
  const tee = `${(verdict.tee ?? '').toUpperCase()} ${verdict.tcbStatus ?? ''}`.trim()
  const gpu =
    verdict.gpu === 'attested'
      ? 'GPU attested'
      : verdict.gpu === 'invalid'
        ? 'GPU token invalid'
        : 'GPU not attested'
  return `CPU TEE attested (${tee}), ${gpu}`
}
