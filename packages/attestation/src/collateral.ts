/**
 * Intel DCAP collateral: the wire form (DcapCollateral in cocoon.proto), the
 * JSON form dcap-qvl and PCCS tooling use (hex CRLs and signatures, the
 * fixture's tdx_quote_collateral.json), and fetching it from a PCCS over the
 * standard v4 endpoints:
 *
 * - `GET {base}/sgx/certification/v4/pckcrl?ca={processor|platform}&encoding=der`
 *   → DER PCK CRL, header `SGX-PCK-CRL-Issuer-Chain`;
 * - `GET {base}/{sgx|tdx}/certification/v4/tcb?fmspc={FMSPC}`
 *   → `{"tcbInfo":…,"signature":…}`, header `TCB-Info-Issuer-Chain` (or `SGX-TCB-Info-Issuer-Chain`);
 * - `GET {base}/{sgx|tdx}/certification/v4/qe/identity?update=standard`
 *   → `{"enclaveIdentity":…,"signature":…}`, header `SGX-Enclave-Identity-Issuer-Chain`;
 * - `GET {base}/sgx/certification/v4/rootcacrl` → the root CA CRL as hex (a PCCS; Intel's PCS serves DER).
 *
 * The FMSPC and the CA come from the PCK certificate inside the quote.
 */
import { readFile } from 'node:fs/promises'
import { type DcapCollateral, errorMessage } from '@cocoon-mesh/protocol'
import { intel, Quote } from '@phala/dcap-qvl'
import { deadline } from './deadline.js'
import {
  EvidenceFileError,
  InvalidCollateralError,
  PccsRequestError,
  PccsResponseError,
  QuoteParseError,
} from './errors.js'

/** Collateral as dcap-qvl's `verify` takes it and a PCCS client stores it (the fixture's JSON). */
export interface DcapCollateralJson {
  pck_crl_issuer_chain: string
  /** Hex of the DER CRL. */
  root_ca_crl: string
  /** Hex of the DER CRL. */
  pck_crl: string
  tcb_info_issuer_chain: string
  tcb_info: string
  /** Hex of the 64-byte r ‖ s signature. */
  tcb_info_signature: string
  qe_identity_issuer_chain: string
  qe_identity: string
  /** Hex of the 64-byte r ‖ s signature. */
  qe_identity_signature: string
}

/** Longest a PCCS fetch (all four requests) may take by default. */
export const DEFAULT_PCCS_TIMEOUT_MS = 20_000
/** Largest PCCS response body read (a PCK CRL is a few KiB; anything this size is not collateral). */
export const MAX_PCCS_RESPONSE_BYTES = 1024 * 1024

const STRING_FIELDS = [
  'pck_crl_issuer_chain',
  'tcb_info_issuer_chain',
  'tcb_info',
  'qe_identity_issuer_chain',
  'qe_identity',
] as const
const HEX_FIELDS = ['root_ca_crl', 'pck_crl', 'tcb_info_signature', 'qe_identity_signature'] as const

/** Reads dcap-qvl / PCCS JSON collateral (an object). Throws InvalidCollateralError naming the bad field. */
export function collateralFromJson(json: unknown): DcapCollateral {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidCollateralError('collateral is not a JSON object', {
      details: `Give an object with ${[...STRING_FIELDS, ...HEX_FIELDS].join(', ')}.`,
    })
  }
  const record = json as Record<string, unknown>
  const text = (field: (typeof STRING_FIELDS)[number]): string => {
    const value = record[field]
    if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidCollateralError(`collateral field ${field} is missing or not a string`, {
        details: `${field} must be a non-empty string (PEM chain or the signed JSON, byte for byte).`,
      })
    }
    return value
  }
  const hex = (field: (typeof HEX_FIELDS)[number]): Uint8Array<ArrayBuffer> => {
    const value = record[field]
    if (
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length % 2 !== 0 ||
      !/^[0-9a-fA-F]+$/.test(value)
    ) {
      throw new InvalidCollateralError(`collateral field ${field} is not hex`, {
        details: `${field} must be a non-empty hex string of the DER bytes or the raw signature.`,
      })
    }
    return new Uint8Array(Buffer.from(value, 'hex'))
  }
  return {
    pckCrlIssuerChain: text('pck_crl_issuer_chain'),
    rootCaCrl: hex('root_ca_crl'),
    pckCrl: hex('pck_crl'),
    tcbInfoIssuerChain: text('tcb_info_issuer_chain'),
    tcbInfo: text('tcb_info'),
    tcbInfoSignature: hex('tcb_info_signature'),
    qeIdentityIssuerChain: text('qe_identity_issuer_chain'),
    qeIdentity: text('qe_identity'),
    qeIdentitySignature: hex('qe_identity_signature'),
  }
}

/** The JSON form of wire collateral, as dcap-qvl's `verify` takes it. */
export function collateralToJson(collateral: DcapCollateral): DcapCollateralJson {
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
  return {
    pck_crl_issuer_chain: collateral.pckCrlIssuerChain,
    root_ca_crl: hex(collateral.rootCaCrl),
    pck_crl: hex(collateral.pckCrl),
    tcb_info_issuer_chain: collateral.tcbInfoIssuerChain,
    tcb_info: collateral.tcbInfo,
    tcb_info_signature: hex(collateral.tcbInfoSignature),
    qe_identity_issuer_chain: collateral.qeIdentityIssuerChain,
    qe_identity: collateral.qeIdentity,
    qe_identity_signature: hex(collateral.qeIdentitySignature),
  }
}

/** Reads a collateral JSON file (the fixture's format). Throws EvidenceFileError or InvalidCollateralError. */
export async function readCollateralFile(path: string): Promise<DcapCollateral> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new EvidenceFileError(`could not read collateral file ${path}: ${errorMessage(error)}`, {
      path,
      cause: error,
      details: 'Give the path of a JSON collateral file (pck_crl, tcb_info, qe_identity and their chains).',
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new InvalidCollateralError(`collateral file ${path} is not JSON: ${errorMessage(error)}`, {
      cause: error,
    })
  }
  return collateralFromJson(json)
}

export interface FetchPccsCollateralOptions {
  /** PCCS base URL, e.g. `https://pccs.example:8081` (a trailing `/sgx/certification/v4` is accepted). */
  url: string
  /** The DCAP quote whose PCK certificate names the FMSPC and CA to fetch for. */
  quote: Uint8Array
  signal?: AbortSignal
  /** Bound on all requests together; default {@link DEFAULT_PCCS_TIMEOUT_MS}. */
  timeoutMs?: number
}

/**
 * Fetches fresh collateral for a quote from a PCCS. Throws QuoteParseError
 * (the quote has no PCK chain to read the FMSPC from), PccsRequestError,
 * PccsResponseError, AbortedError or DeadlineExceededError.
 */
export async function fetchPccsCollateral(options: FetchPccsCollateralOptions): Promise<DcapCollateral> {
  const { fmspc, ca, tee } = quotePlatform(options.quote)
  const base = options.url.replace(/\/+$/, '').replace(/\/(sgx|tdx)\/certification\/v4$/, '')
  const bound = deadline(options.timeoutMs ?? DEFAULT_PCCS_TIMEOUT_MS, options.signal)
  const get = (path: string): Promise<Response> =>
    bound.race(request(`${base}/${path}`, bound.signal), `PCCS request ${base}/${path}`)

  const pckCrl = await get(`sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`)
  const tcb = await get(`${tee}/certification/v4/tcb?fmspc=${fmspc}`)
  const qe = await get(`${tee}/certification/v4/qe/identity?update=standard`)
  const rootCrl = await get('sgx/certification/v4/rootcacrl')

  const tcbBody = await bound.race(body(tcb), 'PCCS TCB info body')
  const qeBody = await bound.race(body(qe), 'PCCS QE identity body')
  const tcbInfo = signedPart(tcbBody, 'tcbInfo', tcb.url)
  const qeIdentity = signedPart(qeBody, 'enclaveIdentity', qe.url)
  return {
    pckCrlIssuerChain: header(pckCrl, ['SGX-PCK-CRL-Issuer-Chain']),
    pckCrl: await bound.race(body(pckCrl), 'PCCS PCK CRL body'),
    rootCaCrl: rootCaCrlBytes(await bound.race(body(rootCrl), 'PCCS root CA CRL body')),
    tcbInfoIssuerChain: header(tcb, ['TCB-Info-Issuer-Chain', 'SGX-TCB-Info-Issuer-Chain']),
    tcbInfo: tcbInfo.json,
    tcbInfoSignature: tcbInfo.signature,
    qeIdentityIssuerChain: header(qe, ['SGX-Enclave-Identity-Issuer-Chain']),
    qeIdentity: qeIdentity.json,
    qeIdentitySignature: qeIdentity.signature,
  }
}

/** FMSPC (hex, upper case), CA ('processor' | 'platform') and TEE path segment of a quote's PCK certificate. */
function quotePlatform(quoteBytes: Uint8Array): { fmspc: string; ca: string; tee: 'sgx' | 'tdx' } {
  try {
    const quote = Quote.parse(Buffer.from(quoteBytes))
    const fmspc = Buffer.from(intel.getFmspc(quote)).toString('hex').toUpperCase()
    const ca = intel.getCa(quote)
    return { fmspc, ca, tee: quote.header.teeType === 0 ? 'sgx' : 'tdx' }
  } catch (error) {
    throw new QuoteParseError(`could not read the platform (FMSPC) from the quote: ${errorMessage(error)}`, {
      cause: error,
      details:
        'The quote must be a DCAP quote whose certification data carries the PCK certificate chain (type 5).',
    })
  }
}

async function request(url: string, signal: AbortSignal): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, { signal, redirect: 'error' })
  } catch (error) {
    if (signal.aborted) throw error
    throw new PccsRequestError(`PCCS request to ${url} failed: ${errorMessage(error)}`, {
      url,
      cause: error,
      details: 'Check the PCCS URL in the configuration and that the PCCS is reachable from this machine.',
    })
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new PccsRequestError(`PCCS answered ${response.status} for ${url}`, {
      url,
      status: response.status,
      details:
        response.status === 404
          ? 'The PCCS has no collateral for this platform (FMSPC): register the platform with the PCCS.'
          : 'The PCCS refused the request; see its logs.',
    })
  }
  return response
}

async function body(response: Response): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > MAX_PCCS_RESPONSE_BYTES) {
    await response.body?.cancel()
    throw new PccsResponseError(`PCCS response of ${declared} bytes from ${response.url}`, {
      url: response.url,
      details: `Collateral responses are at most ${MAX_PCCS_RESPONSE_BYTES} bytes here.`,
    })
  }
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (bytes.byteLength > MAX_PCCS_RESPONSE_BYTES) {
    throw new PccsResponseError(`PCCS response of ${bytes.byteLength} bytes from ${response.url}`, {
      url: response.url,
      details: `Collateral responses are at most ${MAX_PCCS_RESPONSE_BYTES} bytes here.`,
    })
  }
  return bytes
}

function header(response: Response, names: readonly string[]): string {
  for (const name of names) {
    const value = response.headers.get(name)
    if (value !== null && value.length > 0) return decodeURIComponent(value)
  }
  throw new PccsResponseError(`PCCS response from ${response.url} has no ${names.join(' or ')} header`, {
    url: response.url,
    details: 'A PCCS v4 sends the issuer certificate chain (URL-encoded PEM) in this header.',
  })
}

/**
 * The signed part of a TCB info or QE identity response, byte for byte as it
 * appears in the body (the signature covers those bytes, so it is cut out of
 * the text rather than re-serialised), and its signature.
 */
function signedPart(
  bytes: Uint8Array,
  key: 'tcbInfo' | 'enclaveIdentity',
  url: string,
): { json: string; signature: Uint8Array<ArrayBuffer> } {
  const text = new TextDecoder().decode(bytes)
  const fail = (why: string): never => {
    throw new PccsResponseError(`PCCS ${key} response from ${url} ${why}`, {
      url,
      details: `A PCCS v4 answers {"${key}":{…},"signature":"<hex>"}.`,
    })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return fail('is not JSON')
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
  const signature = record.signature
  if (
    typeof record[key] !== 'object' ||
    typeof signature !== 'string' ||
    !/^[0-9a-fA-F]{128}$/.test(signature)
  ) {
    return fail(`lacks ${key} or a 64-byte hex signature`)
  }
  const start = text.indexOf(`"${key}"`)
  const open = text.indexOf('{', start)
  const end = matchingBrace(text, open)
  if (start < 0 || open < 0 || end < 0) return fail(`has no ${key} object`)
  return { json: text.slice(open, end + 1), signature: new Uint8Array(Buffer.from(signature, 'hex')) }
}

/** Index of the `}` closing the `{` at `open`, skipping strings; -1 when unbalanced. */
function matchingBrace(text: string, open: number): number {
  let depth = 0
  let inString = false
  for (let i = open; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{') depth++
    else if (c === '}') {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

/** A PCCS serves the root CA CRL as hex text, Intel's PCS as DER: accept both. */
function rootCaCrlBytes(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const text = new TextDecoder().decode(bytes).trim()
  return /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0
    ? new Uint8Array(Buffer.from(text, 'hex'))
    : bytes
}
