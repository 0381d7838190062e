import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { attestationReportData } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import {
  EvidenceFileError,
  InvalidManifestError,
  InvalidPolicyError,
  loadReleaseManifest,
  ManifestSignatureError,
  type ReleaseManifest,
  signReleaseManifest,
  validatePolicy,
  verifyEvidence,
  verifyReleaseManifest,
} from '../../src/index.js'
import { createTestCa, TEST_MR_TD } from '../../src/testing/index.js'

function signer(): { seed: Uint8Array; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const seed = new Uint8Array(Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url'))
  return {
    seed,
    publicKey: new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url')),
  }
}

const manifest: ReleaseManifest = {
  version: 1,
  name: 'cocoon-node 1.2.0',
  measurements: [{ name: 'gpu image', mrTd: Buffer.from(TEST_MR_TD).toString('hex') }],
}

describe('signed release manifests', () => {
  it('a manifest signed by the pinned key gives its rules, and they drive the measurement policy', async () => {
    const key = signer()
    const rules = verifyReleaseManifest(signReleaseManifest(manifest, key.seed), key.publicKey)
    expect(rules).toEqual(manifest)

    const ca = await createTestCa()
    const peerPublicKey = new Uint8Array(36).fill(1)
    const settlementPublicKey = new Uint8Array(32).fill(2)
    const reportData = attestationReportData(peerPublicKey, settlementPublicKey)
    const policy = ca.policy({ allowedMeasurements: rules.measurements })
    const ok = await verifyEvidence({
      evidence: ca.evidence({ reportData }),
      peerPublicKey,
      settlementPublicKey,
      policy,
      now: ca.now,
    })
    expect(ok.tier).toBe('attested')
    expect(ok.checks.find((c) => c.name === 'measurement')?.detail).toContain('gpu image')
    const other = ca.evidence({ reportData, mrTd: new Uint8Array(48).fill(1) })
    const refused = await verifyEvidence({
      evidence: other,
      peerPublicKey,
      settlementPublicKey,
      policy,
      now: ca.now,
    })
    expect(refused.reason).toBe('measurement-not-allowed')
  })

  it('a changed manifest or another signer is ManifestSignatureError', () => {
    const key = signer()
    const signed = signReleaseManifest(manifest, key.seed)
    const changed = { ...signed, manifest: signed.manifest.replace('1.2.0', '1.2.1') }
    expect(() => verifyReleaseManifest(changed, key.publicKey)).toThrow(ManifestSignatureError)
    expect(() => verifyReleaseManifest(signed, signer().publicKey)).toThrow(ManifestSignatureError)
  })

  it('a signed manifest with a bad measurement is InvalidManifestError', () => {
    const key = signer()
    const bad = signReleaseManifest({ ...manifest, measurements: [{ mrTd: 'abc' }] }, key.seed)
    expect(() => verifyReleaseManifest(bad, key.publicKey)).toThrow(InvalidManifestError)
    expect(() => verifyReleaseManifest({ manifest: 1 }, key.publicKey)).toThrow(InvalidManifestError)
  })

  it('loads from a file; a missing file is EvidenceFileError', async () => {
    const key = signer()
    const dir = await mkdtemp(join(tmpdir(), 'cocoon-manifest-'))
    try {
      const path = join(dir, 'manifest.json')
      await writeFile(path, JSON.stringify(signReleaseManifest(manifest, key.seed)))
      expect(await loadReleaseManifest(path, key.publicKey)).toEqual(manifest)
      await expect(loadReleaseManifest(join(dir, 'none.json'), key.publicKey)).rejects.toBeInstanceOf(
        EvidenceFileError,
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('validatePolicy', () => {
  it('refuses a rule that constrains nothing, bad hex, mixed TEEs and unknown TCB statuses', () => {
    expect(() => validatePolicy({ allowedMeasurements: [{}] })).toThrow(InvalidPolicyError)
    expect(() => validatePolicy({ allowedMeasurements: [{ mrTd: 'zz'.repeat(48) }] })).toThrow(
      InvalidPolicyError,
    )
    expect(() =>
      validatePolicy({ allowedMeasurements: [{ mrTd: '00'.repeat(48), mrEnclave: '00'.repeat(32) }] }),
    ).toThrow(InvalidPolicyError)
    expect(() =>
      validatePolicy({ allowedMeasurements: 'any', allowedTcbStatuses: ['Fine' as 'UpToDate'] }),
    ).toThrow(InvalidPolicyError)
    expect(() => validatePolicy({ allowedMeasurements: [{ rtMr3: 'AB'.repeat(48) }] })).not.toThrow()
  })

  it('verifyEvidence throws InvalidPolicyError for a bad policy (a configuration error, not bad evidence)', async () => {
    await expect(
      verifyEvidence({
        evidence: undefined,
        peerPublicKey: new Uint8Array(36),
        settlementPublicKey: new Uint8Array(32),
        policy: { allowedMeasurements: [{}] },
        now: 0,
      }),
    ).rejects.toBeInstanceOf(InvalidPolicyError)
  })
})
