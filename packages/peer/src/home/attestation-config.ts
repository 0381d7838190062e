/**
 * The `attestation` section of the config: what this node accepts as
 * attested when it buys (the verification policy, checked offline), and
 * where it gets its own evidence when it provides inside a TEE.
 */
import { bad, nano, str, strings } from './config-fields.js'

/** One allowed image: every field given must equal the quote's (hex); fields left out are not constrained. */
export interface MeasurementRuleConfig {
  name?: string
  mrTd?: string
  rtMr0?: string
  rtMr1?: string
  rtMr2?: string
  rtMr3?: string
  mrConfigId?: string
  mrEnclave?: string
  mrSigner?: string
}

const MEASUREMENT_FIELDS = [
  'mrTd',
  'rtMr0',
  'rtMr1',
  'rtMr2',
  'rtMr3',
  'mrConfigId',
  'mrEnclave',
  'mrSigner',
] as const

export interface AttestationConfig {
  /** Allowed images, or `any` (every measurement; binding and TCB still checked). Empty: none, so nobody is attested. */
  allowedMeasurements: MeasurementRuleConfig[] | 'any'
  /** A signed release manifest of allowed images to pin (path, relative to the home folder), '' for none. */
  manifest: string
  /** The ed25519 public key (hex) the manifest must be signed by. */
  manifestKey: string
  /** Intel TCB statuses accepted (default UpToDate only). */
  allowedTcbStatuses: string[]
  /** PEM or DER root CA the Intel chains must end at (path); '' pins Intel's SGX root CA. Tests pin a test CA. */
  trustedRootCa: string
  /** Files holding public keys (JWK JSON) that may sign NVIDIA GPU attestation tokens. */
  nvidiaKeys: string[]
  /** Provider: the PCCS fresh collateral is fetched from; '' for Intel's PCS. */
  pccsUrl: string
  /** Provider: the configfs-tsm report directory; '' for /sys/kernel/config/tsm/report. */
  tsmRoot: string
  /** Provider: a file holding the NVIDIA GPU attestation token (JWT) to carry; '' for none. */
  nvidiaTokenFile: string
  /** Provider: prices of jobs that require the attested tier; absent: `provide.prices` for every tier. */
  attestedPrices?: { perKPromptTokens: bigint; perKCompletionTokens: bigint; perTensorGflop: bigint }
}

export const DEFAULT_ATTESTATION_CONFIG: AttestationConfig = {
  allowedMeasurements: [],
  manifest: '',
  manifestKey: '',
  allowedTcbStatuses: ['UpToDate'],
  trustedRootCa: '',
  nvidiaKeys: [],
  pccsUrl: '',
  tsmRoot: '',
  nvidiaTokenFile: '',
}

/** The section as `cocoon init` writes it into the commented default config. */
export const ATTESTATION_CONFIG_TEXT = `
  // Confidential compute. As a client: what counts as attested (verified offline, never the
  // provider's claim). As a provider: where \`node start --provide\` gets its TEE evidence.
  "attestation": {
    // Allowed images: [{ "name": "release-1", "mrTd": "<hex>", "rtMr0": "<hex>", ... }] or "any".
    // Empty: no measurement is allowed, so no provider counts as attested.
    "allowedMeasurements": [],
    // A signed release manifest of allowed images to pin (path) and the ed25519 key (hex) signing it.
    "manifest": "",
    "manifestKey": "",
    // Intel TCB statuses accepted; add "OutOfDate" only knowingly.
    "allowedTcbStatuses": ["UpToDate"],
    // Root CA (PEM or DER file) the Intel chains must end at; "" pins Intel's SGX root CA.
    "trustedRootCa": "",
    // Files with public keys (JWK) that may sign NVIDIA GPU attestation tokens.
    "nvidiaKeys": [],
    // Provider: the PCCS fresh collateral comes from ("" = Intel's PCS).
    "pccsUrl": "",
    // Provider: the configfs-tsm report directory ("" = /sys/kernel/config/tsm/report).
    "tsmRoot": "",
    // Provider: a file with the NVIDIA GPU attestation token (JWT) to carry ("" = none).
    "nvidiaTokenFile": ""
    // Provider: prices of jobs that require the attested tier (default: "provide.prices").
    // "attestedPrices": { "perKPromptTokens": "150000", "perKCompletionTokens": "300000", "perTensorGflop": "1500" }
  }
`

type Section = Record<string, unknown>

/** The `attestation` section, each field defaulting to {@link DEFAULT_ATTESTATION_CONFIG}'s. */
export function attestationConfig(source: string, section: Section): AttestationConfig {
  const d = DEFAULT_ATTESTATION_CONFIG
  const field = (name: string): string => `attestation.${name}`
  const text = (name: keyof AttestationConfig): string =>
    str(source, field(name), section[name], d[name] as string)
  const prices = attestedPrices(source, section.attestedPrices)
  return {
    allowedMeasurements: measurementRules(source, section.allowedMeasurements),
    manifest: text('manifest'),
    manifestKey: text('manifestKey'),
    allowedTcbStatuses: tcbStatuses(source, section.allowedTcbStatuses),
    trustedRootCa: text('trustedRootCa'),
    nvidiaKeys: strings(source, field('nvidiaKeys'), section.nvidiaKeys, d.nvidiaKeys),
    pccsUrl: text('pccsUrl'),
    tsmRoot: text('tsmRoot'),
    nvidiaTokenFile: text('nvidiaTokenFile'),
    ...(prices === undefined ? {} : { attestedPrices: prices }),
  }
}

/** `allowedMeasurements`: "any", or rules of hex fields, each constraining at least one measurement. */
function measurementRules(source: string, value: unknown): MeasurementRuleConfig[] | 'any' {
  const field = 'attestation.allowedMeasurements'
  if (value === undefined) return []
  if (value === 'any') return 'any'
  const expected = '"any" or an array of { "mrTd": "<hex>", "rtMr0": "<hex>", ... } rules'
  if (!Array.isArray(value)) throw bad(source, field, expected, value)
  return value.map((rule: unknown, i) => {
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule))
      throw bad(source, field, expected, rule)
    const r = rule as Section
    const out: MeasurementRuleConfig = {}
    if (r.name !== undefined) out.name = str(source, `${field}[${i}].name`, r.name, '')
    for (const name of MEASUREMENT_FIELDS) {
      if (r[name] === undefined) continue
      const hex = str(source, `${field}[${i}].${name}`, r[name], '')
      if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw bad(source, `${field}[${i}].${name}`, 'hex bytes', hex)
      out[name] = hex.toLowerCase()
    }
    if (!MEASUREMENT_FIELDS.some((name) => out[name] !== undefined))
      throw bad(
        source,
        `${field}[${i}]`,
        `a rule naming at least one of ${MEASUREMENT_FIELDS.join(', ')}`,
        rule,
      )
    return out
  })
}

/** Intel's TCB statuses (TCB info v3) a policy may accept. */
const TCB_STATUSES = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
]

function tcbStatuses(source: string, value: unknown): string[] {
  const field = 'attestation.allowedTcbStatuses'
  const list = strings(source, field, value, DEFAULT_ATTESTATION_CONFIG.allowedTcbStatuses)
  for (const status of list)
    if (!TCB_STATUSES.includes(status))
      throw bad(source, field, `TCB statuses among ${TCB_STATUSES.join(', ')}`, status)
  return list
}

function attestedPrices(source: string, value: unknown): AttestationConfig['attestedPrices'] {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value))
    throw bad(source, 'attestation.attestedPrices', 'an object of nanoTON prices', value)
  const p = value as Section
  const price = (name: 'perKPromptTokens' | 'perKCompletionTokens' | 'perTensorGflop'): bigint => {
    const where = `attestation.attestedPrices.${name}`
    if (p[name] === undefined)
      throw bad(source, where, 'nanoTON as a decimal string (all three prices are needed)')
    return nano(source, where, p[name], 0n)
  }
  return {
    perKPromptTokens: price('perKPromptTokens'),
    perKCompletionTokens: price('perKCompletionTokens'),
    perTensorGflop: price('perTensorGflop'),
  }
}
