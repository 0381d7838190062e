import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  ATTESTATION_BINDING_VERSION,
  ATTESTATION_REPORT_DATA_DOMAIN,
  type AttestationEvidence,
  attestationReportData,
  DcapCollateral,
  decodeAttestationEvidence,
  encodeAttestationEvidence,
  InvalidFieldError,
  MAX_ATTESTATION_COLLATERAL_BYTES,
  MAX_ATTESTATION_EVIDENCE_BYTES,
  MAX_GPU_TOKEN_BYTES,
  MalformedMessageError,
  MessageTooLargeError,
  PROTOCOL_VERSION,
  TeeKind,
  UnsupportedVersionError,
} from '../../src/index.js'

interface Vectors {
  domain: string
  bindingVersion: number
  vectors: Array<{ name: string; peerPublicKey: string; settlementPublicKey: string; reportData: string }>
}

const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'))

describe('attestationReportData', async () => {
  const file = JSON.parse(
    await readFile(new URL('../vectors/attestation-report-data.json', import.meta.url), 'utf8'),
  ) as Vectors

  it('uses the domain and binding version the vector file documents', () => {
    expect(file.domain).toBe(ATTESTATION_REPORT_DATA_DOMAIN)
    expect(file.bindingVersion).toBe(ATTESTATION_BINDING_VERSION)
  })

  for (const vector of file.vectors) {
    it(`matches the golden vector: ${vector.name}`, () => {
      const data = attestationReportData(fromHex(vector.peerPublicKey), fromHex(vector.settlementPublicKey))
      expect(data.byteLength).toBe(64)
      expect(Buffer.from(data).toString('hex')).toBe(vector.reportData)
    })
  }

  it('moving a byte between the peer key and the settlement key changes the digest', () => {
    const a = attestationReportData(new Uint8Array(36).fill(1), new Uint8Array(32).fill(2))
    const b = attestationReportData(
      new Uint8Array(37).fill(1),
      new Uint8Array([...new Uint8Array(31).fill(2), 2]),
    )
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
  })

  it('refuses a settlement key that is not 32 bytes and an empty peer key', () => {
    expect(() => attestationReportData(new Uint8Array(36), new Uint8Array(31))).toThrow(InvalidFieldError)
    expect(() => attestationReportData(new Uint8Array(0), new Uint8Array(32))).toThrow(InvalidFieldError)
  })
})

function sampleEvidence(overrides: Partial<AttestationEvidence> = {}): AttestationEvidence {
  return {
    version: PROTOCOL_VERSION,
    tee: TeeKind.TEE_KIND_TDX,
    quote: new Uint8Array(5000).fill(7),
    dcapCollateral: {
      pckCrlIssuerChain: 'pem',
      rootCaCrl: new Uint8Array(300),
      pckCrl: new Uint8Array(3000),
      tcbInfoIssuerChain: 'pem',
      tcbInfo: '{}',
      tcbInfoSignature: new Uint8Array(64),
      qeIdentityIssuerChain: 'pem',
      qeIdentity: '{}',
      qeIdentitySignature: new Uint8Array(64),
    },
    sevAuxBlob: new Uint8Array(0),
    gpuToken: '',
    bindingVersion: ATTESTATION_BINDING_VERSION,
    ...overrides,
  }
}

describe('AttestationEvidence codec', () => {
  it('round-trips', () => {
    const evidence = sampleEvidence({ gpuToken: 'a.b.c' })
    expect(decodeAttestationEvidence(encodeAttestationEvidence(evidence))).toEqual(evidence)
  })

  it('refuses bytes over the evidence limit before parsing', () => {
    const error = (() => {
      try {
        decodeAttestationEvidence(new Uint8Array(MAX_ATTESTATION_EVIDENCE_BYTES + 1))
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(MessageTooLargeError)
    expect((error as MessageTooLargeError).limit).toBe(MAX_ATTESTATION_EVIDENCE_BYTES)
  })

  it('refuses a part over its own limit, naming it', () => {
    const big = sampleEvidence({ gpuToken: 'x'.repeat(MAX_GPU_TOKEN_BYTES + 1) })
    expect(() => encodeAttestationEvidence(big)).toThrow(/AttestationEvidence\.gpuToken is too large/)
    const collateral = sampleEvidence()
    if (collateral.dcapCollateral !== undefined)
      collateral.dcapCollateral.pckCrl = new Uint8Array(MAX_ATTESTATION_COLLATERAL_BYTES)
    const bytes = DcapCollateral.encode(collateral.dcapCollateral ?? {})
    expect(bytes.byteLength).toBeGreaterThan(MAX_ATTESTATION_COLLATERAL_BYTES)
    expect(() => encodeAttestationEvidence(collateral)).toThrow(MessageTooLargeError)
  })

  it('refuses truncated bytes, a missing TEE kind, an unknown binding or message version', () => {
    const bytes = encodeAttestationEvidence(sampleEvidence())
    expect(() => decodeAttestationEvidence(bytes.subarray(0, 4000))).toThrow(MalformedMessageError)
    expect(() => encodeAttestationEvidence(sampleEvidence({ tee: TeeKind.TEE_KIND_UNSPECIFIED }))).toThrow(
      InvalidFieldError,
    )
    expect(() => encodeAttestationEvidence(sampleEvidence({ bindingVersion: 2 }))).toThrow(InvalidFieldError)
    expect(() => encodeAttestationEvidence(sampleEvidence({ version: 9 }))).toThrow(UnsupportedVersionError)
  })
})
