/**
 * Pure validation of decoded messages: schema rules (InvalidFieldError,
 * UnsupportedVersionError — the sender is at fault, gossip REJECT) and time
 * rules against an injected clock (ExpiredError, NotYetValidError — may be
 * clock skew, gossip IGNORE). Use `isRejectable` / `isIgnorable` from the
 * errors module to tell the two apart. Signatures are checked separately
 * (signing.ts), because that needs async crypto.
 */
import { assertVersion } from './codec.js'
import { ExpiredError, InvalidFieldError, NotYetValidError } from './errors.js'
import {
  JobKind,
  type JobRequest,
  type ModelPrices,
  type Offer,
  type OfferCancel,
  type Prices,
  TrustTier,
  type UsageReceipt,
} from './generated/cocoon.js'
import { isJobKindName, JOB_KIND_NAMES } from './job-kind.js'
import {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  MAX_ATTESTATION_BYTES,
  MAX_CLOCK_DRIFT_MS,
  MAX_CONCURRENCY,
  MAX_CONTEXT_SIZE,
  MAX_FEATURE_NAME_LENGTH,
  MAX_GPU_MODEL_LENGTH,
  MAX_JOB_ID_LENGTH,
  MAX_MODEL_ID_LENGTH,
  MAX_MODELS_PER_OFFER,
  MAX_MULTIADDR_BYTES,
  MAX_OFFER_ADDRS,
  MAX_OFFER_CANCEL_AGE_MS,
  MAX_OFFER_FEATURES,
  MAX_OFFER_TTL_MS,
  MAX_PAYOUT_ADDRESS_LENGTH,
  MAX_PEER_ID_BYTES,
  MAX_REGION_LENGTH,
  MAX_SIGNATURE_BYTES,
  MAX_UNIT_PRICE_NANOTON,
} from './limits.js'
import { canonicalModelId } from './protocol-ids.js'
import { validateEmbeddingParams, validateLlmConstraints } from './validate-generation.js'

export interface TimeCheckOptions {
  /** The current time in Unix milliseconds (inject the clock; the simulator runs virtual time). */
  now: number
  /** Allowed clock difference between peers. Default {@link MAX_CLOCK_DRIFT_MS}. */
  maxDriftMs?: number
}

function invalid(field: string, problem: string, expected: string): InvalidFieldError {
  return new InvalidFieldError(`Invalid ${field}: ${problem}`, { field, details: `Expected ${expected}.` })
}

function checkString(field: string, value: string, max: number, required: boolean): void {
  if (required && value.length === 0)
    throw invalid(field, 'empty', `a non-empty string of at most ${max} characters`)
  if (value.length > max) throw invalid(field, `${value.length} characters`, `at most ${max} characters`)
}

function checkPeerIdBytes(field: string, value: Uint8Array): void {
  if (value.byteLength === 0 || value.byteLength > MAX_PEER_ID_BYTES) {
    throw invalid(field, `${value.byteLength} bytes`, `libp2p peer id bytes (1-${MAX_PEER_ID_BYTES} bytes)`)
  }
}

function checkSignatureShape(value: Uint8Array): void {
  if (value.byteLength > MAX_SIGNATURE_BYTES) {
    throw invalid(
      'signature',
      `${value.byteLength} bytes`,
      `at most ${MAX_SIGNATURE_BYTES} bytes (an Ed25519 signature is ${ED25519_SIGNATURE_BYTES})`,
    )
  }
}

function checkFiniteNonNegative(field: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw invalid(field, String(value), 'a finite number >= 0')
}

function checkKnownTrustTier(field: string, value: TrustTier): void {
  if (!Object.values(TrustTier).includes(value)) throw invalid(field, String(value), 'a TrustTier value')
}

/** Unit prices must be present and below {@link MAX_UNIT_PRICE_NANOTON} (a TON/nanoTON mix-up guard). */
export function validatePrices(prices: Prices | undefined, field = 'prices'): Prices {
  if (prices === undefined) throw invalid(field, 'missing', 'prices in nanoTON')
  for (const key of ['perKPromptTokens', 'perKCompletionTokens', 'perTensorGflop'] as const) {
    const value = prices[key]
    if (value < 0n || value > MAX_UNIT_PRICE_NANOTON) {
      throw invalid(
        `${field}.${key}`,
        `${value} nanoTON`,
        `0..${MAX_UNIT_PRICE_NANOTON} nanoTON (1000 TON) per unit; prices are in nanoTON, not TON`,
      )
    }
  }
  return prices
}

function checkNotFuture(type: string, issuedAt: bigint, now: number, drift: number): void {
  if (issuedAt > BigInt(Math.floor(now + drift))) {
    throw new NotYetValidError(`${type} is issued in the future`, {
      details: `issuedAt ${issuedAt} is ${Number(issuedAt) - now} ms ahead of this peer's clock (${now}); the allowed drift is ${drift} ms. Check the sender's (or this peer's) clock.`,
    })
  }
}

/**
 * Schema and time checks of an Offer. Returns the offer; throws
 * InvalidFieldError / UnsupportedVersionError (reject) or ExpiredError /
 * NotYetValidError (ignore).
 */
export function validateOffer(offer: Offer, options: TimeCheckOptions): Offer {
  validateOfferSchema(offer)
  const drift = options.maxDriftMs ?? MAX_CLOCK_DRIFT_MS
  checkNotFuture('Offer', offer.issuedAt, options.now, drift)
  if (offer.expiresAt + BigInt(Math.floor(drift)) <= BigInt(Math.floor(options.now))) {
    throw new ExpiredError('Offer has expired', {
      details: `expiresAt ${offer.expiresAt} is ${options.now - Number(offer.expiresAt)} ms before this peer's clock (${options.now}); the allowed drift is ${drift} ms. The provider must re-publish with a new sequence.`,
    })
  }
  return offer
}

/** The clock-independent part of {@link validateOffer}. */
export function validateOfferSchema(offer: Offer): Offer {
  assertVersion('Offer', offer.version)
  checkPeerIdBytes('provider', offer.provider)
  if (offer.gpu === undefined) throw invalid('gpu', 'missing', 'the GPU model, VRAM and backend')
  checkString('gpu.model', offer.gpu.model, MAX_GPU_MODEL_LENGTH, true)
  checkString('gpu.backend', offer.gpu.backend, 32, true)
  checkOfferJobKinds(offer.jobKinds)
  checkOfferModels(offer.models)
  validatePrices(offer.prices)
  if (offer.attestedPrices !== undefined) validatePrices(offer.attestedPrices, 'attestedPrices')
  checkOfferModelPrices(offer.modelPrices, offer.models)
  if (offer.maxConcurrency < 1 || offer.maxConcurrency > MAX_CONCURRENCY) {
    throw invalid('maxConcurrency', String(offer.maxConcurrency), `1..${MAX_CONCURRENCY} concurrent jobs`)
  }
  checkString('region', offer.region, MAX_REGION_LENGTH, false)
  checkString('payoutAddress', offer.payoutAddress, MAX_PAYOUT_ADDRESS_LENGTH, false)
  if (offer.attestation.byteLength > MAX_ATTESTATION_BYTES) {
    throw invalid(
      'attestation',
      `${offer.attestation.byteLength} bytes`,
      `at most ${MAX_ATTESTATION_BYTES} bytes`,
    )
  }
  checkOfferLifetime(offer)
  checkKnownTrustTier('trustTier', offer.trustTier)
  checkFiniteNonNegative('tokensPerSecond', offer.tokensPerSecond)
  checkFiniteNonNegative('gflops', offer.gflops)
  if (offer.settlementKey.byteLength !== 0 && offer.settlementKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) {
    throw invalid(
      'settlementKey',
      `${offer.settlementKey.byteLength} bytes`,
      `empty or a ${ED25519_PUBLIC_KEY_BYTES}-byte Ed25519 public key`,
    )
  }
  checkOfferAddrs(offer.addrs)
  checkOfferFeatures(offer.features)
  if (offer.contextSize > MAX_CONTEXT_SIZE)
    throw invalid(
      'contextSize',
      String(offer.contextSize),
      `0 (not stated) or up to ${MAX_CONTEXT_SIZE} tokens`,
    )
  checkSignatureShape(offer.signature)
  return offer
}

function checkOfferJobKinds(jobKinds: readonly string[]): void {
  if (jobKinds.length === 0) throw invalid('jobKinds', 'empty', `one or more of ${JOB_KIND_NAMES.join(', ')}`)
  const kinds = new Set<string>()
  for (const kind of jobKinds) {
    if (!isJobKindName(kind)) {
      throw invalid(
        'jobKinds',
        `unknown job kind "${kind.slice(0, 32)}"`,
        `one of ${JOB_KIND_NAMES.join(', ')}`,
      )
    }
    if (kinds.has(kind)) throw invalid('jobKinds', `"${kind}" listed twice`, 'each job kind at most once')
    kinds.add(kind)
  }
}

function checkOfferModels(list: readonly string[]): void {
  if (list.length === 0) throw invalid('models', 'empty', 'at least one model id')
  if (list.length > MAX_MODELS_PER_OFFER) {
    throw invalid('models', `${list.length} models`, `at most ${MAX_MODELS_PER_OFFER} models per offer`)
  }
  const models = new Set<string>()
  for (const model of list) {
    checkString('models[]', model, MAX_MODEL_ID_LENGTH, true)
    if (models.has(model))
      throw invalid('models', `"${model.slice(0, 64)}" listed twice`, 'each model at most once')
    models.add(model)
  }
}

function checkOfferLifetime(offer: Offer): void {
  if (offer.issuedAt === 0n) throw invalid('issuedAt', '0', 'the Unix time in ms the offer was made')
  if (offer.expiresAt <= offer.issuedAt) {
    throw invalid('expiresAt', `${offer.expiresAt} <= issuedAt ${offer.issuedAt}`, 'an expiry after issuedAt')
  }
  if (offer.expiresAt - offer.issuedAt > BigInt(MAX_OFFER_TTL_MS)) {
    throw invalid(
      'expiresAt',
      `lifetime ${offer.expiresAt - offer.issuedAt} ms`,
      `a lifetime of at most ${MAX_OFFER_TTL_MS} ms; re-publish instead`,
    )
  }
  if (offer.sequence === 0n)
    throw invalid('sequence', '0', 'a sequence number >= 1, increasing per publication')
}

/*
 * A price a client ranks by must be unambiguous (one entry per model) and name
 * a model the offer sells, so no entry shadows another or pads the message.
 */
/** Throws InvalidFieldError unless each entry names one of `models` once, with prices in bounds. */
function checkOfferModelPrices(entries: readonly ModelPrices[], models: readonly string[]): void {
  if (entries.length > models.length) {
    throw invalid(
      'modelPrices',
      `${entries.length} entries for ${models.length} models`,
      'at most one entry per model of the offer',
    )
  }
  const offered = new Set(models.map(canonicalModelId))
  const seen = new Set<string>()
  entries.forEach((entry, i) => {
    const field = `modelPrices[${i}]`
    const shown = entry.model.slice(0, 64)
    if (entry.model.length === 0 || entry.model.length > MAX_MODEL_ID_LENGTH)
      throw invalid(`${field}.model`, `${entry.model.length} characters`, `a model id of the offer's models`)
    const model = canonicalModelId(entry.model)
    if (!offered.has(model))
      throw invalid(`${field}.model`, `"${shown}" is not in models`, 'one of the models the offer sells')
    if (seen.has(model))
      throw invalid(`${field}.model`, `"${shown}" listed twice`, 'each model at most once in modelPrices')
    seen.add(model)
    validatePrices(entry.prices, `${field}.prices`)
  })
}

/** Bounds only: a name this peer does not know is kept (a newer provider's feature) and never matched. */
function checkOfferFeatures(features: readonly string[]): void {
  if (features.length > MAX_OFFER_FEATURES)
    throw invalid('features', `${features.length} features`, `at most ${MAX_OFFER_FEATURES}`)
  for (const feature of features) checkString('features[]', feature, MAX_FEATURE_NAME_LENGTH, true)
}

/** Bounds only: the peer package parses each as a multiaddr before it dials one. */
function checkOfferAddrs(addrs: readonly Uint8Array[]): void {
  if (addrs.length > MAX_OFFER_ADDRS) {
    throw invalid('addrs', `${addrs.length} addresses`, `at most ${MAX_OFFER_ADDRS} dialable multiaddrs`)
  }
  for (const addr of addrs) {
    if (addr.byteLength === 0 || addr.byteLength > MAX_MULTIADDR_BYTES)
      throw invalid('addrs[]', `${addr.byteLength} bytes`, `a multiaddr of 1..${MAX_MULTIADDR_BYTES} bytes`)
  }
}

export interface OfferCancelCheckOptions extends TimeCheckOptions {
  /** A cancel older than this is dropped as expired. Default {@link MAX_OFFER_CANCEL_AGE_MS}. */
  maxAgeMs?: number
}

/** Schema and time checks of an OfferCancel. */
export function validateOfferCancel(cancel: OfferCancel, options: OfferCancelCheckOptions): OfferCancel {
  assertVersion('OfferCancel', cancel.version)
  checkPeerIdBytes('provider', cancel.provider)
  if (cancel.sequence === 0n)
    throw invalid('sequence', '0', 'the sequence of the newest offer to cancel (>= 1)')
  if (cancel.issuedAt === 0n) throw invalid('issuedAt', '0', 'the Unix time in ms the cancel was made')
  checkSignatureShape(cancel.signature)
  const drift = options.maxDriftMs ?? MAX_CLOCK_DRIFT_MS
  const maxAge = options.maxAgeMs ?? MAX_OFFER_CANCEL_AGE_MS
  checkNotFuture('OfferCancel', cancel.issuedAt, options.now, drift)
  if (cancel.issuedAt + BigInt(Math.floor(maxAge + drift)) <= BigInt(Math.floor(options.now))) {
    throw new ExpiredError('OfferCancel is too old', {
      details: `issuedAt ${cancel.issuedAt} is more than ${maxAge} ms (+${drift} ms drift) before this peer's clock (${options.now}); no offer it could cancel is still alive.`,
    })
  }
  return cancel
}

/** Schema and deadline checks of a JobRequest (the first frame of a job stream). */
export function validateJobRequest(request: JobRequest, options: TimeCheckOptions): JobRequest {
  assertVersion('JobRequest', request.version)
  checkString('jobId', request.jobId, MAX_JOB_ID_LENGTH, true)
  checkString('model', request.model, MAX_MODEL_ID_LENGTH, true)
  checkJobBody(request)
  validatePrices(request.maxPrice, 'maxPrice')
  checkKnownTrustTier('minTrustTier', request.minTrustTier)
  if (request.deadline === 0n)
    throw invalid('deadline', '0', 'the Unix time in ms by which the job must finish')
  const drift = options.maxDriftMs ?? MAX_CLOCK_DRIFT_MS
  if (request.deadline + BigInt(Math.floor(drift)) <= BigInt(Math.floor(options.now))) {
    throw new ExpiredError('JobRequest deadline has passed', {
      details: `deadline ${request.deadline} is ${options.now - Number(request.deadline)} ms before this peer's clock (${options.now}).`,
    })
  }
  return request
}

/** Exactly the parameters of the request's kind are set, each within its bounds. */
function checkJobBody(request: JobRequest): void {
  const bodies = { llm: request.llm, tensor: request.tensor, embedding: request.embedding }
  const own = KIND_BODY[request.kind]
  if (own === undefined)
    throw invalid('kind', String(request.kind), 'JOB_KIND_LLM, JOB_KIND_TENSOR or JOB_KIND_EMBEDDING')
  for (const [name, body] of Object.entries(bodies)) {
    if (name === own && body === undefined)
      throw invalid(name, 'missing', `${name} parameters for a ${request.kind} request`)
    if (name !== own && body !== undefined)
      throw invalid(name, `set on a ${request.kind} request`, `no ${name} parameters`)
  }
  if (request.llm !== undefined) validateLlmConstraints(request.llm)
  if (request.embedding !== undefined) validateEmbeddingParams(request.embedding)
}

const KIND_BODY: Partial<Record<JobKind, 'llm' | 'tensor' | 'embedding'>> = {
  [JobKind.JOB_KIND_LLM]: 'llm',
  [JobKind.JOB_KIND_TENSOR]: 'tensor',
  [JobKind.JOB_KIND_EMBEDDING]: 'embedding',
}

/** Schema checks of a UsageReceipt (its signature is checked by verifyUsageReceipt). */
export function validateUsageReceipt(receipt: UsageReceipt): UsageReceipt {
  assertVersion('UsageReceipt', receipt.version)
  checkString('jobId', receipt.jobId, MAX_JOB_ID_LENGTH, true)
  checkPeerIdBytes('provider', receipt.provider)
  checkPeerIdBytes('client', receipt.client)
  checkString('model', receipt.model, MAX_MODEL_ID_LENGTH, true)
  if (receipt.usage === undefined) throw invalid('usage', 'missing', 'the token/GFLOP usage and cost')
  checkFiniteNonNegative('usage.gflop', receipt.usage.gflop)
  if (receipt.finishedAt < receipt.startedAt) {
    throw invalid(
      'finishedAt',
      `${receipt.finishedAt} < startedAt ${receipt.startedAt}`,
      'finishedAt >= startedAt',
    )
  }
  checkSignatureShape(receipt.signature)
  return receipt
}
