/**
 * Domain-separated signatures with a peer's libp2p key.
 *
 * signed bytes = varint(len(context)) || context || protobuf(message with `signature` emptied)
 *
 * The context is a fixed ASCII string per message type, so a signature made
 * for one type never verifies as another even when the bytes happen to parse
 * as both. The protobuf encoding is the canonical protons one (fields in
 * number order, default values omitted), so it is deterministic for a given
 * message; the verifier re-encodes the decoded message, which means unknown
 * fields are not covered and a non-canonically encoded message fails.
 */
import type { PeerId, PrivateKey, PublicKey } from '@libp2p/interface'
import { peerIdFromMultihash, peerIdFromPrivateKey } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { toString as bytesToString } from 'uint8arrays/to-string'
import { BadSignatureError, errorMessage, InvalidFieldError } from './errors.js'
import { JobRequest, Offer, OfferCancel, UsageReceipt } from './generated/cocoon.js'
import { ED25519_SIGNATURE_BYTES, MAX_PEER_ID_BYTES } from './limits.js'

export const OFFER_SIGNATURE_CONTEXT = 'cocoon/v1/offer'
export const OFFER_CANCEL_SIGNATURE_CONTEXT = 'cocoon/v1/offer-cancel'
export const USAGE_RECEIPT_SIGNATURE_CONTEXT = 'cocoon/v1/usage-receipt'
export const JOB_REQUEST_SIGNATURE_CONTEXT = 'cocoon/v1/job-request'

/** Every signature context in use; each must be unique and shorter than 128 bytes. */
export const SIGNATURE_CONTEXTS = {
  offer: OFFER_SIGNATURE_CONTEXT,
  offerCancel: OFFER_CANCEL_SIGNATURE_CONTEXT,
  usageReceipt: USAGE_RECEIPT_SIGNATURE_CONTEXT,
  jobRequest: JOB_REQUEST_SIGNATURE_CONTEXT,
} as const

const EMPTY = new Uint8Array(0)
const textEncoder = new TextEncoder()

/**
 * `varint(len(context)) || context || body`. Contexts are shorter than 128
 * bytes, so the varint is a single byte.
 */
export function domainSeparatedBytes(context: string, body: Uint8Array): Uint8Array {
  const ctx = textEncoder.encode(context)
  if (ctx.byteLength === 0 || ctx.byteLength > 127) {
    throw new InvalidFieldError('Signature context must be 1-127 bytes', { field: 'context' })
  }
  const out = new Uint8Array(1 + ctx.byteLength + body.byteLength)
  out[0] = ctx.byteLength
  out.set(ctx, 1)
  out.set(body, 1 + ctx.byteLength)
  return out
}

/** The exact bytes an Offer's signature covers. */
export function offerSigningBytes(offer: Offer): Uint8Array {
  return domainSeparatedBytes(OFFER_SIGNATURE_CONTEXT, Offer.encode({ ...offer, signature: EMPTY }))
}

/** The exact bytes an OfferCancel's signature covers. */
export function offerCancelSigningBytes(cancel: OfferCancel): Uint8Array {
  return domainSeparatedBytes(
    OFFER_CANCEL_SIGNATURE_CONTEXT,
    OfferCancel.encode({ ...cancel, signature: EMPTY }),
  )
}

/** The exact bytes a UsageReceipt's signature covers. */
export function usageReceiptSigningBytes(receipt: UsageReceipt): Uint8Array {
  return domainSeparatedBytes(
    USAGE_RECEIPT_SIGNATURE_CONTEXT,
    UsageReceipt.encode({ ...receipt, signature: EMPTY }),
  )
}

/**
 * The exact bytes a JobRequest's `clientSignature` covers: the whole request
 * (job id, provider, channel, issued-at, client key, prices, budget, params)
 * with the signature emptied. Signed with the channel's ed25519 client key by
 * the settlement package, which holds that key.
 */
export function jobRequestSigningBytes(request: JobRequest): Uint8Array {
  return domainSeparatedBytes(
    JOB_REQUEST_SIGNATURE_CONTEXT,
    JobRequest.encode({ ...request, clientSignature: EMPTY }),
  )
}

/** The channel-proof fields of a JobRequest left empty: a request that names no channel. */
export const UNSIGNED_JOB_REQUEST: Pick<
  JobRequest,
  'provider' | 'issuedAt' | 'clientKey' | 'clientSignature'
> = Object.freeze({
  provider: new Uint8Array(0),
  issuedAt: 0n,
  clientKey: new Uint8Array(0),
  clientSignature: new Uint8Array(0),
})

/** The peer id bytes (multihash) of a private key's owner: what goes in `provider`. */
export function peerIdBytes(privateKey: PrivateKey): Uint8Array<ArrayBuffer> {
  let bytes = ownPeerIdBytes.get(privateKey)
  if (bytes === undefined) {
    bytes = toArrayBufferBytes(peerIdFromPrivateKey(privateKey).toMultihash().bytes)
    ownPeerIdBytes.set(privateKey, bytes)
  }
  return toArrayBufferBytes(bytes)
}

const ownPeerIdBytes = new WeakMap<PrivateKey, Uint8Array<ArrayBuffer>>()

/**
 * Parses peer id bytes (a multihash) carried in a message field. Throws
 * InvalidFieldError when they are not a peer id with an inline public key
 * (Ed25519 or secp256k1; RSA ids do not carry their key).
 */
export function peerIdFromBytes(bytes: Uint8Array, field = 'provider'): PeerId & { publicKey: PublicKey } {
  const cacheKey =
    bytes.byteLength > 0 && bytes.byteLength <= MAX_PEER_ID_BYTES ? bytesToString(bytes, 'base64') : undefined
  const cached = cacheKey === undefined ? undefined : peerIdCache.get(cacheKey)
  if (cached !== undefined) return cached
  const peerId = parsePeerId(bytes, field)
  if (cacheKey !== undefined) {
    if (peerIdCache.size >= PEER_ID_CACHE_SIZE) peerIdCache.clear()
    peerIdCache.set(cacheKey, peerId)
  }
  return peerId
}

/** Parsed signer ids, so that verifying many offers from the same providers skips the parse. */
const PEER_ID_CACHE_SIZE = 4096
const peerIdCache = new Map<string, PeerId & { publicKey: PublicKey }>()

function parsePeerId(bytes: Uint8Array, field: string): PeerId & { publicKey: PublicKey } {
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_PEER_ID_BYTES) {
    throw new InvalidFieldError(`Field ${field} is not a peer id (${bytes.byteLength} bytes)`, {
      field,
      details: `Expected the multihash bytes of an Ed25519 or secp256k1 libp2p peer id (1-${MAX_PEER_ID_BYTES} bytes).`,
    })
  }
  let peerId: PeerId
  try {
    peerId = peerIdFromMultihash(Digest.decode(bytes))
  } catch (error) {
    throw new InvalidFieldError(`Field ${field} is not a valid peer id`, {
      field,
      cause: error,
      details: `Expected the multihash bytes of a libp2p peer id (peerId.toMultihash().bytes): ${errorMessage(error)}`,
    })
  }
  if (peerId.publicKey === undefined) {
    throw new InvalidFieldError(`Field ${field} is a ${peerId.type} peer id without an inline public key`, {
      field,
      details:
        'Signed messages need an Ed25519 or secp256k1 peer id, whose public key is embedded in the id.',
    })
  }
  return peerId as PeerId & { publicKey: PublicKey }
}

function toArrayBufferBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.byteLength)
  out.set(bytes)
  return out
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/** Fills the signer field from the key when empty, or checks it matches the key. */
function signerBytes(
  type: string,
  field: string,
  current: Uint8Array,
  privateKey: PrivateKey,
): Uint8Array<ArrayBuffer> {
  const own = peerIdBytes(privateKey)
  if (current.byteLength === 0) return own
  if (!equalBytes(current, own)) {
    throw new InvalidFieldError(`${type}.${field} is not the signing key's peer id`, {
      field,
      details: `Sign a ${type} with the private key of the peer named in ${field} (${peerIdFromPrivateKey(privateKey).toString()} signed), or leave ${field} empty to have it filled in.`,
    })
  }
  return toArrayBufferBytes(current)
}

async function verifyBytes(
  type: string,
  signer: Uint8Array,
  field: string,
  bytes: Uint8Array,
  signature: Uint8Array,
): Promise<void> {
  let peerId: PeerId & { publicKey: PublicKey }
  try {
    peerId = peerIdFromBytes(signer, field)
  } catch (error) {
    throw new BadSignatureError(`${type} signer cannot be identified`, {
      cause: error,
      details: `${errorMessage(error)} Without the signer's key the signature cannot verify.`,
    })
  }
  if (signature.byteLength === 0) {
    throw new BadSignatureError(`${type} is not signed`, {
      details: `The signature field is empty; a ${type} must be signed by ${peerId.toString()}.`,
    })
  }
  if (peerId.type === 'Ed25519' && signature.byteLength !== ED25519_SIGNATURE_BYTES) {
    throw new BadSignatureError(
      `${type} signature has ${signature.byteLength} bytes, expected ${ED25519_SIGNATURE_BYTES}`,
      {
        details: `An Ed25519 signature is ${ED25519_SIGNATURE_BYTES} bytes.`,
      },
    )
  }
  let ok = false
  try {
    ok = await peerId.publicKey.verify(bytes, signature)
  } catch (error) {
    throw new BadSignatureError(`${type} signature could not be checked`, {
      cause: error,
      details: errorMessage(error),
    })
  }
  if (!ok) {
    throw new BadSignatureError(`${type} signature does not verify for ${peerId.toString()}`, {
      details: `The signature does not match the ${type} contents under context "${contextOf(type)}" and the key of ${field}. The message was altered, signed by another key, or signed as another message type.`,
    })
  }
}

function contextOf(type: string): string {
  switch (type) {
    case 'Offer':
      return OFFER_SIGNATURE_CONTEXT
    case 'OfferCancel':
      return OFFER_CANCEL_SIGNATURE_CONTEXT
    default:
      return USAGE_RECEIPT_SIGNATURE_CONTEXT
  }
}

/**
 * Returns a copy of `offer` signed by `privateKey`. An empty `provider` is
 * filled with the key's peer id; a different one throws InvalidFieldError.
 */
export async function signOffer(offer: Offer, privateKey: PrivateKey): Promise<Offer> {
  const unsigned: Offer = { ...offer, provider: signerBytes('Offer', 'provider', offer.provider, privateKey) }
  const signature = await privateKey.sign(offerSigningBytes(unsigned))
  return { ...unsigned, signature: toArrayBufferBytes(signature) }
}

/**
 * Throws BadSignatureError unless `offer.signature` is the provider's
 * signature of this offer (the key comes from the `provider` peer id).
 */
export async function verifyOffer(offer: Offer): Promise<void> {
  await verifyBytes('Offer', offer.provider, 'provider', offerSigningBytes(offer), offer.signature)
}

export async function signOfferCancel(cancel: OfferCancel, privateKey: PrivateKey): Promise<OfferCancel> {
  const unsigned: OfferCancel = {
    ...cancel,
    provider: signerBytes('OfferCancel', 'provider', cancel.provider, privateKey),
  }
  const signature = await privateKey.sign(offerCancelSigningBytes(unsigned))
  return { ...unsigned, signature: toArrayBufferBytes(signature) }
}

export async function verifyOfferCancel(cancel: OfferCancel): Promise<void> {
  await verifyBytes(
    'OfferCancel',
    cancel.provider,
    'provider',
    offerCancelSigningBytes(cancel),
    cancel.signature,
  )
}

/** Signs a receipt as its provider (the peer that did the work). */
export async function signUsageReceipt(receipt: UsageReceipt, privateKey: PrivateKey): Promise<UsageReceipt> {
  const unsigned: UsageReceipt = {
    ...receipt,
    provider: signerBytes('UsageReceipt', 'provider', receipt.provider, privateKey),
  }
  const signature = await privateKey.sign(usageReceiptSigningBytes(unsigned))
  return { ...unsigned, signature: toArrayBufferBytes(signature) }
}

export async function verifyUsageReceipt(receipt: UsageReceipt): Promise<void> {
  await verifyBytes(
    'UsageReceipt',
    receipt.provider,
    'provider',
    usageReceiptSigningBytes(receipt),
    receipt.signature,
  )
}
