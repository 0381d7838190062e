/**
 * Signed release manifests: the list of image measurements a release
 * publishes, signed with an Ed25519 key the client pins, in place of a root
 * contract. The file is JSON:
 *
 * ```json
 * { "manifest": "<the manifest JSON, as a string>", "signature": "<base64 Ed25519 signature>" }
 * ```
 *
 * The signature covers domainSeparatedBytes('cocoon/v1/release-manifest',
 * UTF-8 of `manifest`), so the signed bytes are exactly the string (no JSON
 * canonicalisation). The manifest is `{ "version": 1, "name": "...",
 * "measurements": [MeasurementRule, ...] }`.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { domainSeparatedBytes, errorMessage } from '@cocoon-mesh/protocol'
import {
  EvidenceFileError,
  InvalidManifestError,
  InvalidPolicyError,
  ManifestSignatureError,
} from './errors.js'
import { validatePolicy } from './policy.js'
import type { MeasurementRule } from './types.js'

export const RELEASE_MANIFEST_SIGNATURE_CONTEXT = 'cocoon/v1/release-manifest'

export interface ReleaseManifest {
  version: 1
  name: string
  measurements: MeasurementRule[]
}

/** The file format: the manifest as a string and its signature. */
export interface SignedReleaseManifest {
  manifest: string
  /** Base64 Ed25519 signature. */
  signature: string
}

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.byteLength !== 32) {
    throw new InvalidPolicyError(`release manifest signer key has ${raw.byteLength} bytes`, {
      details: 'Pin the raw 32-byte Ed25519 public key of the release signer.',
    })
  }
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  })
}

/** Signs a manifest with a 32-byte Ed25519 seed. */
export function signReleaseManifest(
  manifest: ReleaseManifest,
  signerSeed: Uint8Array,
): SignedReleaseManifest {
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, signerSeed]),
    format: 'der',
    type: 'pkcs8',
  })
  const text = JSON.stringify(manifest)
  const signature = sign(
    null,
    domainSeparatedBytes(RELEASE_MANIFEST_SIGNATURE_CONTEXT, Buffer.from(text)),
    key,
  )
  return { manifest: text, signature: signature.toString('base64') }
}

/**
 * Verifies a signed manifest (parsed JSON) against the pinned signer key and
 * returns it. Throws ManifestSignatureError or InvalidManifestError.
 */
export function verifyReleaseManifest(signed: unknown, signerPublicKey: Uint8Array): ReleaseManifest {
  const record = typeof signed === 'object' && signed !== null ? (signed as Record<string, unknown>) : {}
  if (typeof record.manifest !== 'string' || typeof record.signature !== 'string') {
    throw new InvalidManifestError('a signed release manifest needs string fields manifest and signature', {
      details: '{ "manifest": "<manifest JSON as a string>", "signature": "<base64>" }',
    })
  }
  const body = domainSeparatedBytes(RELEASE_MANIFEST_SIGNATURE_CONTEXT, Buffer.from(record.manifest))
  if (!verify(null, body, ed25519PublicKey(signerPublicKey), Buffer.from(record.signature, 'base64'))) {
    throw new ManifestSignatureError(
      'the release manifest signature does not verify against the pinned key',
      {
        details: 'The manifest was changed after signing, or signed by another key than the one configured.',
      },
    )
  }
  return parseManifest(record.manifest)
}

function parseManifest(text: string): ReleaseManifest {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new InvalidManifestError(`the signed manifest is not JSON: ${errorMessage(error)}`, {
      cause: error,
    })
  }
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {}
  if (record.version !== 1 || typeof record.name !== 'string' || !Array.isArray(record.measurements)) {
    throw new InvalidManifestError('the manifest is not { version: 1, name, measurements: [...] }', {
      details: 'Only version 1 manifests exist.',
    })
  }
  const manifest: ReleaseManifest = {
    version: 1,
    name: record.name,
    measurements: record.measurements.map((m, i) => toRule(m, i, record.name as string)),
  }
  try {
    validatePolicy({ allowedMeasurements: manifest.measurements })
  } catch (error) {
    throw new InvalidManifestError(`the manifest has a bad measurement: ${errorMessage(error)}`, {
      cause: error,
    })
  }
  return manifest
}

const RULE_FIELDS = [
  'mrTd',
  'rtMr0',
  'rtMr1',
  'rtMr2',
  'rtMr3',
  'mrConfigId',
  'mrEnclave',
  'mrSigner',
] as const

function toRule(value: unknown, index: number, release: string): MeasurementRule {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidManifestError(`manifest measurements[${index}] is not an object`)
  }
  const record = value as Record<string, unknown>
  const rule: MeasurementRule = {
    name: typeof record.name === 'string' ? record.name : `${release}#${index}`,
  }
  for (const field of RULE_FIELDS) {
    const v = record[field]
    if (v === undefined) continue
    if (typeof v !== 'string')
      throw new InvalidManifestError(`manifest measurements[${index}].${field} is not a string`)
    rule[field] = v
  }
  return rule
}

/** Reads and verifies a signed manifest file. Throws EvidenceFileError, InvalidManifestError or ManifestSignatureError. */
export async function loadReleaseManifest(
  path: string,
  signerPublicKey: Uint8Array,
): Promise<ReleaseManifest> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new EvidenceFileError(`could not read release manifest ${path}: ${errorMessage(error)}`, {
      path,
      cause: error,
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new InvalidManifestError(`release manifest ${path} is not JSON: ${errorMessage(error)}`, {
      cause: error,
    })
  }
  return verifyReleaseManifest(json, signerPublicKey)
}
