/**
 * Checked encoders and decoders for every message that crosses the wire on its
 * own. Decoders check the size limit BEFORE parsing, turn any parser failure
 * into {@link MalformedMessageError}, check `version` and the "exactly one
 * field" rule of envelopes. Encoders apply the same rules, so a message this
 * package encodes is one a peer running it will decode.
 *
 * Decoding never throws anything but the package's typed errors.
 */
import { MaxLengthError } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'
import { ATTESTATION_BINDING_VERSION } from './attestation.js'
import {
  CocoonError,
  errorMessage,
  InvalidFieldError,
  MalformedMessageError,
  MessageTooLargeError,
  UnsupportedVersionError,
} from './errors.js'
import {
  AttestationEvidence,
  DcapCollateral,
  JobFrame,
  Offer,
  OfferCancel,
  OffersRequest,
  OffersResponse,
  OrderBookMessage,
  TeeKind,
  UsageReceipt,
} from './generated/cocoon.js'
import {
  MAX_ATTESTATION_AUX_BLOB_BYTES,
  MAX_ATTESTATION_COLLATERAL_BYTES,
  MAX_ATTESTATION_EVIDENCE_BYTES,
  MAX_ATTESTATION_QUOTE_BYTES,
  MAX_GPU_TOKEN_BYTES,
  MAX_JOB_FRAME_BYTES,
  MAX_OFFER_BYTES,
  MAX_OFFER_CANCEL_BYTES,
  MAX_OFFERS_PER_RESPONSE,
  MAX_OFFERS_REQUEST_BYTES,
  MAX_OFFERS_RESPONSE_BYTES,
  MAX_ORDER_BOOK_MESSAGE_BYTES,
  MAX_USAGE_RECEIPT_BYTES,
  SUPPORTED_VERSIONS,
} from './limits.js'

type Bytes = Uint8Array | Uint8ArrayList

interface Proto<T> {
  encode(value: Partial<T>): Uint8Array<ArrayBuffer>
  decode(bytes: Bytes, options?: { limits?: Record<string, unknown> }): T
}

/** Throws {@link MessageTooLargeError} when `size` is over `limit`. */
export function assertSize(
  type: string,
  size: number,
  limit: number,
  direction: 'received' | 'encoded',
): void {
  if (size > limit) {
    throw new MessageTooLargeError(`${type} is too large: ${size} bytes, the limit is ${limit} bytes`, {
      size,
      limit,
      details:
        direction === 'received'
          ? `A ${type} on the wire may be at most ${limit} bytes; this one is ${size} bytes and was not decoded.`
          : `A ${type} may be at most ${limit} bytes encoded; this one is ${size} bytes. Shrink it (fewer models, smaller attestation or payload, smaller tensor chunks) before sending.`,
    })
  }
}

/** Throws {@link UnsupportedVersionError} unless `version` is in {@link SUPPORTED_VERSIONS}. */
export function assertVersion(type: string, version: number): void {
  if (!SUPPORTED_VERSIONS.includes(version)) {
    throw new UnsupportedVersionError(`${type} has unsupported version ${version}`, {
      details: `This peer speaks version ${SUPPORTED_VERSIONS.join(', ')} of ${type}. ${
        version === 0
          ? 'Version 0 means the field was not set: set `version: PROTOCOL_VERSION`.'
          : 'Upgrade this peer to talk to the sender.'
      }`,
    })
  }
}

function decodeChecked<T>(
  type: string,
  proto: Proto<T>,
  bytes: Bytes,
  limit: number,
  limits?: Record<string, unknown>,
): T {
  assertSize(type, bytes.byteLength, limit, 'received')
  try {
    return proto.decode(bytes, limits === undefined ? undefined : { limits })
  } catch (error) {
    if (error instanceof CocoonError) throw error
    if (error instanceof MaxLengthError) {
      throw new MessageTooLargeError(`${type} has a repeated field over its limit`, {
        cause: error,
        details: `${error.message}. Limits: ${JSON.stringify(limits)}.`,
      })
    }
    const reason = errorMessage(error)
    throw new MalformedMessageError(`Could not decode ${type} (${bytes.byteLength} bytes): ${reason}`, {
      cause: error,
      details: `The bytes are not a valid protobuf ${type}: truncated, corrupted, or another message type. Parser said: ${reason}.`,
    })
  }
}

function encodeChecked<T>(type: string, proto: Proto<T>, value: T, limit: number): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = proto.encode(value)
  } catch (error) {
    const reason = errorMessage(error)
    throw new MalformedMessageError(`Could not encode ${type}: ${reason}`, {
      cause: error,
      details: `A field has a value protobuf cannot carry (e.g. an unknown enum value, a negative or >2^64 integer). Encoder said: ${reason}.`,
    })
  }
  assertSize(type, bytes.byteLength, limit, 'encoded')
  return bytes
}

/** The names of the fields set on a oneof-style envelope. */
function setFields(value: object): string[] {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k]) => k)
}

function assertExactlyOne(type: string, value: object, allowed: readonly string[]): void {
  const set = setFields(value)
  if (set.length !== 1) {
    throw new MalformedMessageError(`${type} must have exactly one field set, found ${set.length}`, {
      details: `Set exactly one of ${allowed.join(', ')}${set.length > 0 ? `; found ${set.join(', ')}` : ''}.`,
    })
  }
}

/** Encode and decode of one message type with its size limit and its checks, both ways. */
interface CheckedCodec<T> {
  encode(value: T): Uint8Array<ArrayBuffer>
  decode(bytes: Bytes): T
}

function checkedCodec<T>(
  type: string,
  proto: Proto<T>,
  limit: number,
  check: (value: T) => void = () => {},
  limits?: Record<string, unknown>,
): CheckedCodec<T> {
  return {
    encode(value) {
      check(value)
      return encodeChecked(type, proto, value, limit)
    },
    decode(bytes) {
      const value = decodeChecked(type, proto, bytes, limit, limits)
      check(value)
      return value
    },
  }
}

const versioned =
  (type: string) =>
  (value: { version: number }): void =>
    assertVersion(type, value.version)

// ---- Offer -------------------------------------------------------------------

const OFFER = checkedCodec('Offer', Offer, MAX_OFFER_BYTES, versioned('Offer'))
export const encodeOffer = (offer: Offer): Uint8Array<ArrayBuffer> => OFFER.encode(offer)
export const decodeOffer = (bytes: Bytes): Offer => OFFER.decode(bytes)

// ---- OfferCancel -------------------------------------------------------------

const OFFER_CANCEL = checkedCodec(
  'OfferCancel',
  OfferCancel,
  MAX_OFFER_CANCEL_BYTES,
  versioned('OfferCancel'),
)
export const encodeOfferCancel = (cancel: OfferCancel): Uint8Array<ArrayBuffer> => OFFER_CANCEL.encode(cancel)
export const decodeOfferCancel = (bytes: Bytes): OfferCancel => OFFER_CANCEL.decode(bytes)

// ---- OrderBookMessage --------------------------------------------------------

const ORDER_BOOK_FIELDS = ['offer', 'cancel'] as const

function checkOrderBookMessage(message: OrderBookMessage): void {
  assertExactlyOne('OrderBookMessage', message, ORDER_BOOK_FIELDS)
  if (message.offer !== undefined) assertVersion('Offer', message.offer.version)
  if (message.cancel !== undefined) assertVersion('OfferCancel', message.cancel.version)
}

const ORDER_BOOK_MESSAGE = checkedCodec(
  'OrderBookMessage',
  OrderBookMessage,
  MAX_ORDER_BOOK_MESSAGE_BYTES,
  checkOrderBookMessage,
)
export const encodeOrderBookMessage = (message: OrderBookMessage): Uint8Array<ArrayBuffer> =>
  ORDER_BOOK_MESSAGE.encode(message)
export const decodeOrderBookMessage = (bytes: Bytes): OrderBookMessage => ORDER_BOOK_MESSAGE.decode(bytes)

// ---- JobFrame ----------------------------------------------------------------

/** The field names of JobFrame, i.e. the kinds of frame. */
export type JobFrameKind = keyof JobFrame

export const JOB_FRAME_KINDS: readonly JobFrameKind[] = [
  'request',
  'accept',
  'reject',
  'tensorHeader',
  'tensorChunk',
  'tokenChunk',
  'result',
  'error',
  'voucher',
  'receipt',
  'cancel',
]

/** Which field of a (valid) JobFrame is set. */
export function jobFrameKind(frame: JobFrame): JobFrameKind {
  const kind = JOB_FRAME_KINDS.find((k) => frame[k] !== undefined && frame[k] !== null)
  if (kind === undefined) {
    throw new MalformedMessageError('JobFrame has no field set', {
      details: `Set exactly one of ${JOB_FRAME_KINDS.join(', ')}.`,
    })
  }
  return kind
}

function checkJobFrame(frame: JobFrame): void {
  assertExactlyOne('JobFrame', frame, JOB_FRAME_KINDS)
  if (frame.request !== undefined) assertVersion('JobRequest', frame.request.version)
  if (frame.receipt !== undefined) assertVersion('UsageReceipt', frame.receipt.version)
}

const JOB_FRAME = checkedCodec('JobFrame', JobFrame, MAX_JOB_FRAME_BYTES, checkJobFrame)
export const encodeJobFrame = (frame: JobFrame): Uint8Array<ArrayBuffer> => JOB_FRAME.encode(frame)
export const decodeJobFrame = (bytes: Bytes): JobFrame => JOB_FRAME.decode(bytes)

// ---- OffersRequest / OffersResponse ------------------------------------------

const OFFERS_REQUEST = checkedCodec('OffersRequest', OffersRequest, MAX_OFFERS_REQUEST_BYTES)
export const encodeOffersRequest = (request: OffersRequest): Uint8Array<ArrayBuffer> =>
  OFFERS_REQUEST.encode(request)
export const decodeOffersRequest = (bytes: Bytes): OffersRequest => OFFERS_REQUEST.decode(bytes)

function checkOffersResponse(response: OffersResponse): void {
  if (response.offers.length > MAX_OFFERS_PER_RESPONSE) {
    throw new MessageTooLargeError(
      `OffersResponse has ${response.offers.length} offers, the limit is ${MAX_OFFERS_PER_RESPONSE}`,
      {
        size: response.offers.length,
        limit: MAX_OFFERS_PER_RESPONSE,
        details: `Send at most ${MAX_OFFERS_PER_RESPONSE} offers per response (the freshest first).`,
      },
    )
  }
  for (const offer of response.offers) {
    assertVersion('Offer', offer.version)
    assertSize('Offer', Offer.encode(offer).byteLength, MAX_OFFER_BYTES, 'encoded')
  }
}

const OFFERS_RESPONSE = checkedCodec(
  'OffersResponse',
  OffersResponse,
  MAX_OFFERS_RESPONSE_BYTES,
  checkOffersResponse,
  { offers: MAX_OFFERS_PER_RESPONSE },
)
export const encodeOffersResponse = (response: OffersResponse): Uint8Array<ArrayBuffer> =>
  OFFERS_RESPONSE.encode(response)
export const decodeOffersResponse = (bytes: Bytes): OffersResponse => OFFERS_RESPONSE.decode(bytes)

// ---- UsageReceipt ------------------------------------------------------------

const USAGE_RECEIPT = checkedCodec(
  'UsageReceipt',
  UsageReceipt,
  MAX_USAGE_RECEIPT_BYTES,
  versioned('UsageReceipt'),
)
export const encodeUsageReceipt = (receipt: UsageReceipt): Uint8Array<ArrayBuffer> =>
  USAGE_RECEIPT.encode(receipt)
export const decodeUsageReceipt = (bytes: Bytes): UsageReceipt => USAGE_RECEIPT.decode(bytes)

// ---- AttestationEvidence -----------------------------------------------------

const textEncoder = new TextEncoder()

/** One part of an AttestationEvidence over its own limit: MessageTooLargeError naming the part. */
function assertEvidencePart(part: string, size: number, limit: number): void {
  if (size > limit) {
    throw new MessageTooLargeError(
      `AttestationEvidence.${part} is too large: ${size} bytes, the limit is ${limit} bytes`,
      {
        size,
        limit,
        details: `The ${part} of an AttestationEvidence may be at most ${limit} bytes; this one is ${size} bytes.`,
      },
    )
  }
}

function checkAttestationEvidence(evidence: AttestationEvidence): void {
  assertVersion('AttestationEvidence', evidence.version)
  if (evidence.tee === TeeKind.TEE_KIND_UNSPECIFIED) {
    throw new InvalidFieldError('AttestationEvidence has no TEE kind', {
      field: 'tee',
      details: 'Set tee to TEE_KIND_TDX, TEE_KIND_SGX or TEE_KIND_SEV_SNP.',
    })
  }
  if (evidence.bindingVersion !== ATTESTATION_BINDING_VERSION) {
    throw new InvalidFieldError(`AttestationEvidence has binding version ${evidence.bindingVersion}`, {
      field: 'bindingVersion',
      details: `This peer knows binding version ${ATTESTATION_BINDING_VERSION} (attestationReportData); set bindingVersion to it.`,
    })
  }
  assertEvidencePart('quote', evidence.quote.byteLength, MAX_ATTESTATION_QUOTE_BYTES)
  if (evidence.dcapCollateral !== undefined) {
    const size = DcapCollateral.encode(evidence.dcapCollateral).byteLength
    assertEvidencePart('dcapCollateral', size, MAX_ATTESTATION_COLLATERAL_BYTES)
  }
  assertEvidencePart('sevAuxBlob', evidence.sevAuxBlob.byteLength, MAX_ATTESTATION_AUX_BLOB_BYTES)
  assertEvidencePart('gpuToken', textEncoder.encode(evidence.gpuToken).byteLength, MAX_GPU_TOKEN_BYTES)
}

const ATTESTATION_EVIDENCE = checkedCodec(
  'AttestationEvidence',
  AttestationEvidence,
  MAX_ATTESTATION_EVIDENCE_BYTES,
  checkAttestationEvidence,
)

/**
 * Encodes evidence for an Offer's `attestation`. Throws the same typed errors
 * as {@link decodeAttestationEvidence}, so what this encodes a peer decodes.
 */
export const encodeAttestationEvidence = (evidence: AttestationEvidence): Uint8Array<ArrayBuffer> =>
  ATTESTATION_EVIDENCE.encode(evidence)

/**
 * Decodes an Offer's `attestation`. Throws MessageTooLargeError (the whole
 * blob over {@link MAX_ATTESTATION_EVIDENCE_BYTES}, or the quote, collateral,
 * aux blob or GPU token over its own limit), MalformedMessageError (not a
 * protobuf AttestationEvidence), UnsupportedVersionError or InvalidFieldError
 * (no TEE kind, unknown binding version).
 */
export const decodeAttestationEvidence = (bytes: Bytes): AttestationEvidence =>
  ATTESTATION_EVIDENCE.decode(bytes)
