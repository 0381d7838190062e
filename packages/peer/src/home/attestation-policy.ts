/**
 * The verification policy a node's `attestation` config section describes,
 * with the files it names read: the pinned root CA, NVIDIA's token keys and a
 * signed release manifest of allowed images.
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import {
  type AttestationPolicy,
  loadReleaseManifest,
  type MeasurementRule,
  type TcbStatus,
  validatePolicy,
} from '@cocoon-mesh/attestation'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { AttestationConfig } from './attestation-config.js'
import { MalformedConfigError } from './errors.js'

/** A path of the config: absolute as given, else relative to the home folder. */
export function homePath(home: string, path: string): string {
  return isAbsolute(path) ? path : join(home, path)
}

/**
 * The policy of `config`. Throws MalformedConfigError for a file it names
 * that cannot be read or parsed, the attestation package's
 * InvalidPolicyError for a rule that is not a measurement, and
 * InvalidManifestError / ManifestSignatureError for a manifest that does not
 * verify under `manifestKey`.
 */
export async function attestationPolicyFromConfig(
  home: string,
  config: AttestationConfig,
): Promise<AttestationPolicy> {
  const manifest = await manifestRules(home, config)
  const allowedMeasurements: AttestationPolicy['allowedMeasurements'] =
    config.allowedMeasurements === 'any' ? 'any' : [...config.allowedMeasurements, ...manifest]
  const policy: AttestationPolicy = {
    allowedMeasurements,
    allowedTcbStatuses: config.allowedTcbStatuses as TcbStatus[],
    ...(config.trustedRootCa === ''
      ? {}
      : { trustedRootCaDer: derOf(await readConfigFile(home, 'trustedRootCa', config.trustedRootCa)) }),
    nvidiaKeys: await Promise.all(config.nvidiaKeys.map((path) => jwkFile(home, path))),
  }
  validatePolicy(policy)
  return policy
}

async function manifestRules(home: string, config: AttestationConfig): Promise<MeasurementRule[]> {
  if (config.manifest === '') return []
  if (!/^[0-9a-fA-F]{64}$/.test(config.manifestKey)) {
    throw new MalformedConfigError('Invalid attestation.manifestKey', {
      details: 'A pinned release manifest needs the 32-byte Ed25519 key of its signer as 64 hex digits.',
    })
  }
  const manifest = await loadReleaseManifest(
    homePath(home, config.manifest),
    Buffer.from(config.manifestKey, 'hex'),
  )
  return manifest.measurements
}

async function readConfigFile(home: string, field: string, path: string): Promise<Buffer> {
  try {
    return await readFile(homePath(home, path))
  } catch (error) {
    throw new MalformedConfigError(`Cannot read attestation.${field} file ${path}`, {
      details: `${errorMessage(error)}. Fix the path (relative paths are in the home folder) or set it to "".`,
      cause: error,
    })
  }
}

/** DER bytes of a certificate given as DER or PEM. */
function derOf(bytes: Buffer): Uint8Array {
  const text = bytes.toString('latin1')
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text)
  return new Uint8Array(pem === null ? bytes : Buffer.from((pem[1] ?? '').replace(/\s+/g, ''), 'base64'))
}

/** A JSON Web Key as the policy takes it. */
type Jwk = NonNullable<AttestationPolicy['nvidiaKeys']>[number]

async function jwkFile(home: string, path: string): Promise<Jwk> {
  const text = (await readConfigFile(home, 'nvidiaKeys', path)).toString('utf8')
  const notJwk = (why: string, cause?: unknown): MalformedConfigError =>
    new MalformedConfigError(`attestation.nvidiaKeys file ${path} is not a JWK`, {
      details: `${why}. Give each NVIDIA token key as a JSON Web Key file.`,
      ...(cause === undefined ? {} : { cause }),
    })
  let jwk: unknown
  try {
    jwk = JSON.parse(text)
  } catch (error) {
    throw notJwk(errorMessage(error), error)
  }
  if (typeof jwk !== 'object' || jwk === null || typeof (jwk as Jwk).kty !== 'string')
    throw notJwk('it has no "kty" member')
  return jwk as Jwk
}
