/**
 * The CRL checks dcap-qvl 0.3.9 leaves out: it looks revoked serials up in
 * the collateral's CRLs but never checks who signed them or whether they are
 * current, so a provider could ship an old or forged CRL that omits its own
 * revoked PCK certificate. Here the root CA CRL must be signed by the pinned
 * root, the PCK CRL by the first certificate of `pck_crl_issuer_chain` (which
 * must be signed by the pinned root), and both must be current at `now`.
 */
import { verify as verifySignature, X509Certificate } from 'node:crypto'
import type { DcapCollateral } from '@cocoon-mesh/protocol'
import { BitString, fromBER, GeneralizedTime, Sequence, UTCTime } from 'asn1js'

/** What a CRL check found wrong: a bad signature, or a CRL outside its validity. */
export interface CrlFailure {
  kind: 'bad-signature' | 'expired' | 'malformed'
  detail: string
}

interface ParsedCrl {
  tbs: Uint8Array
  signature: Uint8Array
  thisUpdate: number
  nextUpdate: number
}

function parseCrl(der: Uint8Array): ParsedCrl | null {
  const asn = fromBER(der)
  if (asn.offset === -1 || !(asn.result instanceof Sequence)) return null
  const [tbs, , signature] = asn.result.valueBlock.value
  if (!(tbs instanceof Sequence) || !(signature instanceof BitString)) return null
  const times = tbs.valueBlock.value.filter((v) => v instanceof UTCTime || v instanceof GeneralizedTime)
  const [thisUpdate, nextUpdate] = times.map((t) => (t as UTCTime | GeneralizedTime).toDate().getTime())
  if (thisUpdate === undefined || nextUpdate === undefined) return null
  return {
    tbs: new Uint8Array(tbs.valueBeforeDecodeView),
    signature: new Uint8Array(signature.valueBlock.valueHexView),
    thisUpdate,
    nextUpdate,
  }
}

function checkCrl(
  name: string,
  der: Uint8Array,
  issuer: X509Certificate,
  now: number,
): CrlFailure | CrlWindow {
  const crl = parseCrl(der)
  if (crl === null) return { kind: 'malformed', detail: `the ${name} is not a DER CRL` }
  if (!verifySignature('sha256', crl.tbs, issuer.publicKey, crl.signature)) {
    return {
      kind: 'bad-signature',
      detail: `the ${name} is not signed by ${issuer.subject.replace(/\n/g, ', ')}`,
    }
  }
  if (now < crl.thisUpdate || now > crl.nextUpdate) {
    return {
      kind: 'expired',
      detail: `the ${name} is valid ${new Date(crl.thisUpdate).toISOString()} .. ${new Date(crl.nextUpdate).toISOString()}, not at ${new Date(now).toISOString()}`,
    }
  }
  return { from: crl.thisUpdate, until: crl.nextUpdate }
}

/** The CRLs hold: the window (Unix ms) in which both are current. */
export interface CrlWindow {
  from: number
  until: number
}

/** Checks both CRLs of the collateral against the pinned root at `now`. */
export function checkCrls(
  collateral: DcapCollateral,
  rootCaDer: Uint8Array,
  now: number,
): CrlFailure | CrlWindow {
  let root: X509Certificate
  let pckCrlIssuer: X509Certificate
  try {
    root = new X509Certificate(rootCaDer)
    const first = collateral.pckCrlIssuerChain.match(
      /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/,
    )
    if (first === null) return { kind: 'malformed', detail: 'pck_crl_issuer_chain holds no PEM certificate' }
    pckCrlIssuer = new X509Certificate(first[0])
  } catch (error) {
    return { kind: 'malformed', detail: `a CRL issuer certificate does not parse: ${String(error)}` }
  }
  if (!pckCrlIssuer.verify(root.publicKey)) {
    return {
      kind: 'bad-signature',
      detail: 'the PCK CRL issuer certificate is not signed by the pinned root CA',
    }
  }
  const rootCrl = checkCrl('root CA CRL', collateral.rootCaCrl, root, now)
  if ('kind' in rootCrl) return rootCrl
  const pckCrl = checkCrl('PCK CRL', collateral.pckCrl, pckCrlIssuer, now)
  if ('kind' in pckCrl) return pckCrl
  return { from: Math.max(rootCrl.from, pckCrl.from), until: Math.min(rootCrl.until, pckCrl.until) }
}
