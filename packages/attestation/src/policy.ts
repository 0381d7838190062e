/**
 * Checking a verification policy once (so a typo in a configured hash is a
 * typed error at start-up, not an 'open' verdict for every offer) and
 * matching a quote's measurements against its rules.
 */
import { InvalidPolicyError } from './errors.js'
import type { AttestationPolicy, MeasurementRule, Measurements, TcbStatus } from './types.js'
import { DEFAULT_ALLOWED_TCB_STATUSES } from './types.js'

const TDX_FIELDS = ['mrTd', 'rtMr0', 'rtMr1', 'rtMr2', 'rtMr3', 'mrConfigId'] as const
const SGX_FIELDS = ['mrEnclave', 'mrSigner'] as const
const FIELD_BYTES: Record<(typeof TDX_FIELDS)[number] | (typeof SGX_FIELDS)[number], number> = {
  mrTd: 48,
  rtMr0: 48,
  rtMr1: 48,
  rtMr2: 48,
  rtMr3: 48,
  mrConfigId: 48,
  mrEnclave: 32,
  mrSigner: 32,
}
const KNOWN_STATUSES: readonly TcbStatus[] = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
  'Unknown',
]

const checked = new WeakSet<AttestationPolicy>()

/** Throws InvalidPolicyError for a rule with no field, a measurement that is not hex of its length, or an unknown TCB status. */
export function validatePolicy(policy: AttestationPolicy): void {
  if (checked.has(policy)) return
  if (policy.allowedMeasurements !== 'any') {
    policy.allowedMeasurements.forEach(checkRule)
  }
  for (const status of policy.allowedTcbStatuses ?? []) {
    if (!KNOWN_STATUSES.includes(status)) {
      throw new InvalidPolicyError(`unknown TCB status "${status}" in allowedTcbStatuses`, {
        details: `Known statuses: ${KNOWN_STATUSES.join(', ')}.`,
      })
    }
  }
  checked.add(policy)
}

function checkRule(rule: MeasurementRule, index: number): void {
  const fields = [...TDX_FIELDS, ...SGX_FIELDS].filter((f) => rule[f] !== undefined)
  if (fields.length === 0) {
    throw new InvalidPolicyError(`allowedMeasurements[${index}] constrains nothing`, {
      details:
        "A rule must name at least one of mrTd, rtMr0..rtMr3, mrConfigId, mrEnclave, mrSigner; use 'any' to accept every image.",
    })
  }
  const tdx = fields.some((f) => (TDX_FIELDS as readonly string[]).includes(f))
  const sgx = fields.some((f) => (SGX_FIELDS as readonly string[]).includes(f))
  if (tdx && sgx) {
    throw new InvalidPolicyError(`allowedMeasurements[${index}] mixes TDX and SGX fields`, {
      details:
        'A rule describes one TDX image (mrTd, rtMr*, mrConfigId) or one SGX enclave (mrEnclave, mrSigner).',
    })
  }
  for (const field of fields) {
    const value = rule[field] ?? ''
    const bytes = FIELD_BYTES[field]
    if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value)) {
      throw new InvalidPolicyError(`allowedMeasurements[${index}].${field} is not ${bytes} bytes of hex`, {
        details: `Give ${field} as ${bytes * 2} hex digits, as \`cocoon attest\` prints it.`,
      })
    }
  }
}

/** The TCB statuses a policy accepts. */
export function allowedTcbStatuses(policy: AttestationPolicy): readonly TcbStatus[] {
  return policy.allowedTcbStatuses ?? DEFAULT_ALLOWED_TCB_STATUSES
}

/** The first rule the measurements satisfy (every field it names equal), or undefined; 'any' matches with no rule. */
export function matchMeasurements(
  policy: AttestationPolicy,
  measurements: Measurements,
): { matched: true; rule: MeasurementRule | 'any' } | { matched: false } {
  if (policy.allowedMeasurements === 'any') return { matched: true, rule: 'any' }
  const values: Partial<Record<string, string>> = { ...measurements }
  const fields = measurements.kind === 'tdx' ? TDX_FIELDS : SGX_FIELDS
  for (const rule of policy.allowedMeasurements) {
    const named = [...TDX_FIELDS, ...SGX_FIELDS].filter((f) => rule[f] !== undefined)
    const applies = named.every((f) => (fields as readonly string[]).includes(f))
    if (applies && named.every((f) => rule[f]?.toLowerCase() === values[f])) return { matched: true, rule }
  }
  return { matched: false }
}
