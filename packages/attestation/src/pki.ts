/**
 * The PKI checks dcap-qvl 0.3.9 leaves out.
 *
 * - CRLs: it looks revoked serials up in the collateral's CRLs but never
 *   checks who signed them or whether they are current, so a provider could
 *   ship an old or forged CRL that omits its own revoked PCK certificate.
 *   Here the root CA CRL must be signed by the pinned root, the PCK CRL by the
 *   first certificate of `pck_crl_issuer_chain` (which must be signed by the
 *   pinned root), both must be current at `now`, and each CRL's outer
 *   signature algorithm must be the one its signed part names (RFC 5280).
 * - Chains: it extracts PEM certificates with a pattern and silently drops a
 *   block that does not match. Here every PEM block of every chain (the
 *   quote's PCK chain and the collateral's three issuer chains) must be a
 *   certificate, and each chain must end at the pinned root, byte for byte.
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
  const [tbs, outerAlgorithm, signature] = asn.result.valueBlock.value
  if (!(tbs instanceof Sequence) || !(signature instanceof BitString) || outerAlgorithm === undefined)
    return null
  const innerAlgorithm = tbs.valueBlock.value.find((v) => v instanceof Sequence)
  if (innerAlgorithm === undefined) return null
  if (
    !Buffer.from(innerAlgorithm.valueBeforeDecodeView).equals(
      Buffer.from(outerAlgorithm.valueBeforeDecodeView),
    )
  ) {
    return null
  }
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
  if (crl === null) {
    return { kind: 'malformed', detail: `the ${name} is not a DER CRL (or names two signature algorithms)` }
  }
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

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g

/**
 * Checks that every PEM block of each named chain is a certificate and that
 * the chain ends at `rootCaDer`; null when they all do.
 */
export function checkChains(chains: Record<string, string>, rootCaDer: Uint8Array): CrlFailure | null {
  const root = Buffer.from(rootCaDer)
  for (const [name, chain] of Object.entries(chains)) {
    const blocks = [...chain.matchAll(PEM_BLOCK)]
    const begins = chain.split('-----BEGIN CERTIFICATE-----').length - 1
    if (blocks.length === 0 || blocks.length !== begins) {
      return { kind: 'malformed', detail: `the ${name} has a PEM block that does not close` }
    }
    let last: X509Certificate | undefined
    for (const [index, block] of blocks.entries()) {
      try {
        last = new X509Certificate(block[0])
      } catch (error) {
        return {
          kind: 'malformed',
          detail: `certificate ${index} of the ${name} does not parse: ${String(error)}`,
        }
      }
    }
    if (last === undefined || !last.raw.equals(root)) {
      return { kind: 'bad-signature', detail: `the ${name} does not end at the pinned root CA` }
    }
  }
  return null
}
