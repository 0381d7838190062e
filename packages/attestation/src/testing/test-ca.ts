/**
 * A DCAP test CA, generated in-process: a root CA, a PCK processor CA and PCK
 * leaf (with Intel's SGX extension: PPID, TCB with CPUSVN and PCESVN, PCE-ID,
 * FMSPC, SGX type), a TCB signing certificate, CRLs, signed TCB info and QE
 * identity, and TDX quotes (DCAP v4, TD 1.0 body) with chosen report data and
 * measurements, signed by an attestation key whose QE report the PCK key
 * signs. dcap-qvl's QuoteVerifier.newWithRootCa(rootCaDer) verifies them.
 *
 * Quote layout (little-endian), as dcap-qvl's quote.js parses it:
 * header (48) ‖ TD report 1.0 (584) ‖ u32 auth-data size ‖ auth data v4:
 * ECDSA signature (64, over header ‖ body) ‖ attestation key (64, x ‖ y) ‖
 * certification data type 6 (u16) ‖ u32 size ‖ [QE report (384) ‖ QE report
 * signature (64, by the PCK key) ‖ u16 QE auth data size ‖ QE auth data ‖
 * certification data type 5 ‖ u32 size ‖ PEM chain: PCK leaf, PCK CA, root].
 * The QE report's report data starts with SHA-256(attestation key ‖ QE auth data).
 */
import { createHash, webcrypto } from 'node:crypto'
import {
  ATTESTATION_BINDING_VERSION,
  type AttestationEvidence,
  type DcapCollateral,
  PROTOCOL_VERSION,
  TeeKind,
} from '@cocoon-mesh/protocol'
// @peculiar/x509 resolves its algorithms through tsyringe, which needs a Reflect metadata polyfill loaded first.
import 'reflect-metadata'
import type * as x509 from '@peculiar/x509'
import type { AttestationPolicy, TcbStatus } from '../types.js'
import {
  buildChain,
  type Chain,
  DAY_MS,
  ecKeys,
  INTEL_QE_VENDOR_ID,
  type Keys,
  QE_ISV_PROD_ID,
  QE_ISV_SVN,
  QE_MRSIGNER,
  rawSign,
  TEST_CPU_SVN,
  TEST_FMSPC,
  TEST_PCE_ID,
  TEST_PCE_SVN,
  TEST_TEE_TCB_SVN,
} from './test-pki.js'

export interface TestCaOptions {
  /** Centre of every validity window (certificates, TCB info, QE identity); default the wall clock. */
  now?: Date
}

export interface TestQuoteOptions {
  /** 64 bytes; usually attestationReportData(peer key, settlement key). */
  reportData: Uint8Array
  /** 48 bytes; default {@link TEST_MR_TD}. */
  mrTd?: Uint8Array
  /** 48 bytes each; default zeros. */
  rtMr?: readonly [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
  /** Set the TD's debug bit (dcap-qvl refuses debug TDs). */
  debug?: boolean
}

export interface TestCollateralOptions {
  /** Status of the TCB level the test platform matches; default 'UpToDate'. */
  tcbStatus?: TcbStatus
  /** Default: the CA's `now` minus one day. */
  issueDate?: Date
  /** Default: the CA's `now` plus 30 days. */
  nextUpdate?: Date
}

export interface TestCa {
  /** DER of the test root CA: pin it with `policy.trustedRootCaDer`. */
  rootCaDer: Uint8Array
  /** The time the CA was built around (Unix ms). */
  now: number
  quote(options: TestQuoteOptions): Uint8Array<ArrayBuffer>
  collateral(options?: TestCollateralOptions): DcapCollateral
  /** Quote + collateral (+ GPU token) as wire evidence. */
  evidence(options: TestQuoteOptions & TestCollateralOptions & { gpuToken?: string }): AttestationEvidence
  /** A policy that pins this root and accepts any measurement; `overrides` replace its fields. */
  policy(overrides?: Partial<AttestationPolicy>): AttestationPolicy
}

/** The MRTD the test CA's quotes carry unless told otherwise (48 bytes). */
export const TEST_MR_TD: Uint8Array = new Uint8Array(48).fill(0x7d)

const svnList = (svns: Uint8Array): Array<{ svn: number }> => Array.from(svns, (svn) => ({ svn }))

function tcbInfoJson(issueDate: Date, nextUpdate: Date, status: TcbStatus): string {
  return JSON.stringify({
    id: 'TDX',
    version: 3,
    issueDate: issueDate.toISOString(),
    nextUpdate: nextUpdate.toISOString(),
    fmspc: TEST_FMSPC,
    pceId: TEST_PCE_ID,
    tcbType: 0,
    tcbEvaluationDataNumber: 17,
    tcbLevels: [
      {
        tcb: {
          sgxtcbcomponents: svnList(TEST_CPU_SVN),
          pcesvn: TEST_PCE_SVN,
          tdxtcbcomponents: svnList(TEST_TEE_TCB_SVN),
        },
        tcbDate: '2025-01-01T00:00:00Z',
        tcbStatus: status,
        advisoryIDs: status === 'UpToDate' ? [] : ['INTEL-SA-00000'],
      },
    ],
  })
}

function qeIdentityJson(issueDate: Date, nextUpdate: Date): string {
  return JSON.stringify({
    id: 'TD_QE',
    version: 2,
    issueDate: issueDate.toISOString(),
    nextUpdate: nextUpdate.toISOString(),
    tcbEvaluationDataNumber: 17,
    miscselect: '00000000',
    miscselectMask: 'FFFFFFFF',
    attributes: '11000000000000000000000000000000',
    attributesMask: 'FBFFFFFFFFFFFFFF0000000000000000',
    mrsigner: QE_MRSIGNER.toUpperCase(),
    isvprodid: QE_ISV_PROD_ID,
    tcbLevels: [{ tcb: { isvsvn: QE_ISV_SVN }, tcbDate: '2025-01-01T00:00:00Z', tcbStatus: 'UpToDate' }],
  })
}

/** Little-endian writer for the quote structures. */
class Writer {
  readonly #parts: Buffer[] = []
  u16(v: number): this {
    const b = Buffer.alloc(2)
    b.writeUInt16LE(v)
    return this.bytes(b)
  }
  u32(v: number): this {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(v)
    return this.bytes(b)
  }
  bytes(b: Uint8Array, length = b.byteLength): this {
    const out = Buffer.alloc(length)
    out.set(b.subarray(0, length))
    this.#parts.push(out)
    return this
  }
  zeros(n: number): this {
    return this.bytes(new Uint8Array(n))
  }
  done(): Buffer {
    return Buffer.concat(this.#parts)
  }
}

function quoteHeader(): Buffer {
  return new Writer()
    .u16(4)
    .u16(2)
    .u32(0x81)
    .u16(QE_ISV_SVN)
    .u16(TEST_PCE_SVN)
    .bytes(INTEL_QE_VENDOR_ID)
    .zeros(20)
    .done()
}

function tdReport(options: TestQuoteOptions): Buffer {
  if (options.reportData.byteLength !== 64) throw new RangeError('reportData must be 64 bytes')
  const tdAttributes = new Uint8Array(8)
  tdAttributes[0] = options.debug === true ? 1 : 0
  tdAttributes[3] = 0x10 // SEPT_VE_DISABLE, which dcap-qvl requires
  const rtMr = options.rtMr ?? [
    new Uint8Array(48),
    new Uint8Array(48),
    new Uint8Array(48),
    new Uint8Array(48),
  ]
  const w = new Writer().bytes(TEST_TEE_TCB_SVN).zeros(48).zeros(48).zeros(8).bytes(tdAttributes).zeros(8)
  w.bytes(options.mrTd ?? TEST_MR_TD, 48)
    .zeros(48)
    .zeros(48)
    .zeros(48)
  for (const mr of rtMr) w.bytes(mr, 48)
  return w.bytes(options.reportData, 64).done()
}

function qeReport(attestationKey: Buffer, qeAuthData: Buffer): Buffer {
  const attributes = Buffer.from('11000000000000000000000000000000', 'hex')
  const reportData = Buffer.alloc(64)
  createHash('sha256').update(attestationKey).update(qeAuthData).digest().copy(reportData)
  return new Writer()
    .zeros(16) // cpuSvn
    .u32(0) // miscSelect
    .zeros(28)
    .bytes(attributes)
    .zeros(32) // mrEnclave
    .zeros(32)
    .bytes(Buffer.from(QE_MRSIGNER, 'hex'))
    .zeros(96)
    .u16(QE_ISV_PROD_ID)
    .u16(QE_ISV_SVN)
    .zeros(60)
    .bytes(reportData)
    .done()
}

const pem = (certs: x509.X509Certificate[]): string => certs.map((c) => c.toString('pem')).join('\n')

/**
 * The QE report certification data (type 6): the QE report binding the
 * attestation key, signed by the PCK key, and the PCK chain (type 5).
 */
function qeCertificationData(chain: Chain, pck: Keys, attestationKey: Buffer): Buffer {
  const qeAuthData = Buffer.alloc(32, 0x5a)
  const pckChainPem = pem([chain.pck, chain.pckCa, chain.root])
  const report = qeReport(attestationKey, qeAuthData)
  return new Writer()
    .bytes(report)
    .bytes(rawSign(pck.privateKey, report))
    .u16(qeAuthData.byteLength)
    .bytes(qeAuthData)
    .u16(5)
    .u32(Buffer.byteLength(pckChainPem))
    .bytes(Buffer.from(pckChainPem))
    .done()
}

/** TCB info and QE identity for the given window, signed by the TCB signing key, with the chains and CRLs. */
function signCollateral(
  chain: Chain,
  tcb: Keys,
  now: number,
  options: TestCollateralOptions,
): DcapCollateral {
  const issueDate = options.issueDate ?? new Date(now - DAY_MS)
  const nextUpdate = options.nextUpdate ?? new Date(now + 30 * DAY_MS)
  const tcbInfo = tcbInfoJson(issueDate, nextUpdate, options.tcbStatus ?? 'UpToDate')
  const qeIdentity = qeIdentityJson(issueDate, nextUpdate)
  const tcbChainPem = pem([chain.tcbSigning, chain.root])
  return {
    pckCrlIssuerChain: pem([chain.pckCa, chain.root]),
    rootCaCrl: new Uint8Array(chain.rootCrl.rawData),
    pckCrl: new Uint8Array(chain.pckCrl.rawData),
    tcbInfoIssuerChain: tcbChainPem,
    tcbInfo,
    tcbInfoSignature: new Uint8Array(rawSign(tcb.privateKey, Buffer.from(tcbInfo))),
    qeIdentityIssuerChain: tcbChainPem,
    qeIdentity,
    qeIdentitySignature: new Uint8Array(rawSign(tcb.privateKey, Buffer.from(qeIdentity))),
  }
}

/** Builds a test CA; takes tens of milliseconds (P-256 key generation and signing). */
export async function createTestCa(options: TestCaOptions = {}): Promise<TestCa> {
  const now = (options.now ?? new Date()).getTime()
  const [root, pckCa, pck, tcb, attestation] = await Promise.all([
    ecKeys(),
    ecKeys(),
    ecKeys(),
    ecKeys(),
    ecKeys(),
  ])
  const chain = await buildChain(now, root, pckCa, pck, tcb)
  const jwk = await webcrypto.subtle.exportKey('jwk', attestation.cryptoKey.publicKey)
  const attestationKey = Buffer.concat([
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ])
  const qeCertData = qeCertificationData(chain, pck, attestationKey)

  const ca: TestCa = {
    rootCaDer: new Uint8Array(chain.root.rawData),
    now,
    quote(quoteOptions) {
      const signed = Buffer.concat([quoteHeader(), tdReport(quoteOptions)])
      const authData = new Writer()
        .bytes(rawSign(attestation.privateKey, signed))
        .bytes(attestationKey)
        .u16(6)
        .u32(qeCertData.byteLength)
        .bytes(qeCertData)
        .done()
      return new Uint8Array(new Writer().bytes(signed).u32(authData.byteLength).bytes(authData).done())
    },
    collateral: (collateralOptions = {}) => signCollateral(chain, tcb, now, collateralOptions),
    evidence(evidenceOptions) {
      return {
        version: PROTOCOL_VERSION,
        tee: TeeKind.TEE_KIND_TDX,
        quote: ca.quote(evidenceOptions),
        dcapCollateral: ca.collateral(evidenceOptions),
        sevAuxBlob: new Uint8Array(0),
        gpuToken: evidenceOptions.gpuToken ?? '',
        bindingVersion: ATTESTATION_BINDING_VERSION,
      }
    },
    policy(overrides = {}) {
      return { allowedMeasurements: 'any', trustedRootCaDer: ca.rootCaDer, ...overrides }
    },
  }
  return ca
}
