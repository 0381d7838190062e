/**
 * The PKI of the DCAP test CA: its P-256 keys, the TCB values its PCK
 * certificate and quotes carry, and the certificate chain (root, PCK CA, PCK
 * leaf with Intel's SGX extension, TCB signing) with its CRLs.
 */
import { KeyObject, sign, webcrypto } from 'node:crypto'
// @peculiar/x509 resolves its algorithms through tsyringe, which needs a Reflect metadata polyfill loaded first.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { Enumerated, Integer, ObjectIdentifier, OctetString, Sequence } from 'asn1js'

export const DAY_MS = 86_400_000
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const
const SGX_OID = '1.2.840.113741.1.13.1'
export const TEST_FMSPC = '90c06f000000'
export const TEST_PCE_ID = '0000'
export const TEST_PCE_SVN = 13
export const TEST_CPU_SVN = new Uint8Array(16).fill(2)
export const TEST_TEE_TCB_SVN = new Uint8Array(16).fill(3)
export const QE_MRSIGNER = 'dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5'
export const QE_ISV_PROD_ID = 2
export const QE_ISV_SVN = 4
/** Intel's QE vendor id, as real quotes carry it. */
export const INTEL_QE_VENDOR_ID = Buffer.from('939a7233f79c4ca9940a0db3957f0607', 'hex')

export interface Keys {
  cryptoKey: webcrypto.CryptoKeyPair
  privateKey: KeyObject
}

export async function ecKeys(): Promise<Keys> {
  const cryptoKey = (await webcrypto.subtle.generateKey(EC, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair
  return { cryptoKey, privateKey: KeyObject.from(cryptoKey.privateKey) }
}

/** ECDSA P-256 / SHA-256 signature as raw r ‖ s (64 bytes), the form DCAP structures carry. */
export function rawSign(key: KeyObject, data: Uint8Array): Buffer {
  return sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
}

/** Intel's SGX extension of a PCK certificate (what dcap-qvl reads FMSPC, CPUSVN and PCESVN from). */
export function sgxExtension(): x509.Extension {
  const item = (oid: string, value: Integer | OctetString | Sequence | Enumerated): Sequence =>
    new Sequence({ value: [new ObjectIdentifier({ value: oid }), value] })
  const components = Array.from(TEST_CPU_SVN, (svn, i) =>
    item(`${SGX_OID}.2.${i + 1}`, new Integer({ value: svn })),
  )
  const tcb = new Sequence({
    value: [
      ...components,
      item(`${SGX_OID}.2.17`, new Integer({ value: TEST_PCE_SVN })),
      item(`${SGX_OID}.2.18`, new OctetString({ valueHex: TEST_CPU_SVN })),
    ],
  })
  const value = new Sequence({
    value: [
      item(`${SGX_OID}.1`, new OctetString({ valueHex: new Uint8Array(16).fill(0x11) })),
      item(`${SGX_OID}.2`, tcb),
      item(`${SGX_OID}.3`, new OctetString({ valueHex: Buffer.from(TEST_PCE_ID, 'hex') })),
      item(`${SGX_OID}.4`, new OctetString({ valueHex: Buffer.from(TEST_FMSPC, 'hex') })),
      item(`${SGX_OID}.5`, new Enumerated({ value: 0 })),
    ],
  })
  return new x509.Extension(SGX_OID, false, value.toBER())
}

export interface Chain {
  root: x509.X509Certificate
  pckCa: x509.X509Certificate
  pck: x509.X509Certificate
  tcbSigning: x509.X509Certificate
  rootCrl: x509.X509Crl
  pckCrl: x509.X509Crl
}

export async function buildChain(now: number, root: Keys, pckCa: Keys, pck: Keys, tcb: Keys): Promise<Chain> {
  const notBefore = new Date(now - 365 * DAY_MS)
  const notAfter = new Date(now + 3650 * DAY_MS)
  const common = { notBefore, notAfter, signingAlgorithm: SIGNING }
  const rootName = 'CN=Cocoon Test SGX Root CA, O=Cocoon Mesh Tests'
  const pckCaName = 'CN=Cocoon Test SGX PCK Processor CA, O=Cocoon Mesh Tests'
  const caUsage = new x509.KeyUsagesExtension(
    x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
    true,
  )
  const leafUsage = new x509.KeyUsagesExtension(
    x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
    true,
  )
  const rootCert = await x509.X509CertificateGenerator.createSelfSigned({
    ...common,
    serialNumber: '01',
    name: rootName,
    keys: root.cryptoKey,
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), caUsage],
  })
  const issued = (
    serialNumber: string,
    subject: string,
    issuer: string,
    signer: Keys,
    subjectKeys: Keys,
    extensions: x509.Extension[],
  ) =>
    x509.X509CertificateGenerator.create({
      ...common,
      serialNumber,
      subject,
      issuer,
      signingKey: signer.cryptoKey.privateKey,
      publicKey: subjectKeys.cryptoKey.publicKey,
      extensions,
    })
  const pckCaCert = await issued('02', pckCaName, rootName, root, pckCa, [
    new x509.BasicConstraintsExtension(true, 0, true),
    caUsage,
  ])
  const leaf = [new x509.BasicConstraintsExtension(false, undefined, true), leafUsage]
  const pckCert = await issued(
    '03',
    'CN=Cocoon Test SGX PCK Certificate, O=Cocoon Mesh Tests',
    pckCaName,
    pckCa,
    pck,
    [...leaf, sgxExtension()],
  )
  const tcbCert = await issued(
    '04',
    'CN=Cocoon Test SGX TCB Signing, O=Cocoon Mesh Tests',
    rootName,
    root,
    tcb,
    leaf,
  )
  const crl = (issuer: string, signer: Keys) =>
    x509.X509CrlGenerator.create({
      issuer,
      thisUpdate: notBefore,
      nextUpdate: notAfter,
      signingKey: signer.cryptoKey.privateKey,
      signingAlgorithm: SIGNING,
      entries: [],
    })
  return {
    root: rootCert,
    pckCa: pckCaCert,
    pck: pckCert,
    tcbSigning: tcbCert,
    rootCrl: await crl(rootName, root),
    pckCrl: await crl(pckCaName, pckCa),
  }
}
