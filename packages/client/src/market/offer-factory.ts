import {
  type GpuInfo,
  type ModelPrices,
  type Offer,
  type OfferCancel,
  type Prices,
  TrustTier,
} from '@cocoon-mesh/protocol'

/** What a provider says it serves: the content of its offers, without times, sequence or signature. */
export interface OfferTemplate {
  models: string[]
  jobKinds?: string[]
  /** What the backend honours (see `FEATURE_NAMES`); default none. */
  features?: string[]
  /** The smallest context size, in tokens, of `models`; default 0 (not stated). */
  contextSize?: number
  prices: Prices
  /** Prices of jobs that require the attested tier (only set by a provider whose evidence it puts in `attestation`). */
  attestedPrices?: Prices
  /** Prices of single models that differ from `prices` (see `offerPricesFor`); default none. */
  modelPrices?: ModelPrices[]
  gpu?: GpuInfo
  maxConcurrency?: number
  region?: string
  payoutAddress?: string
  settlementKey?: Uint8Array<ArrayBuffer>
  /** Multiaddr bytes clients dial this provider at, signed into the offer. */
  addrs?: Uint8Array<ArrayBuffer>[]
  trustTier?: TrustTier
  tokensPerSecond?: number
  gflops?: number
  attestation?: Uint8Array<ArrayBuffer>
}

/**
 * Sequence numbers that only grow, even across restarts without saved state:
 * the next one is the larger of `previous + 1` and the current time in ms.
 */
export function nextSequence(previous: bigint, now: number): bigint {
  const fromClock = BigInt(Math.floor(now))
  return fromClock > previous ? fromClock : previous + 1n
}

/** When to republish an offer of lifetime `ttlMs`: at half its life, so one lost round never lets it expire. */
export function republishDelay(ttlMs: number): number {
  return Math.max(1, Math.floor(ttlMs / 2))
}

/** An unsigned offer from a template (sign it with `signOffer`). */
export function buildOffer(
  template: OfferTemplate,
  params: { provider: Uint8Array<ArrayBuffer>; now: number; ttlMs: number; sequence: bigint },
): Offer {
  return {
    version: 1,
    provider: params.provider,
    gpu: template.gpu ?? { model: 'cpu', vramMb: 0, backend: 'cpu' },
    jobKinds: template.jobKinds ?? ['llm'],
    models: template.models,
    prices: template.prices,
    ...(template.attestedPrices === undefined ? {} : { attestedPrices: template.attestedPrices }),
    maxConcurrency: template.maxConcurrency ?? 1,
    region: template.region ?? '',
    payoutAddress: template.payoutAddress ?? '',
    attestation: template.attestation ?? new Uint8Array(),
    issuedAt: BigInt(Math.floor(params.now)),
    expiresAt: BigInt(Math.floor(params.now + params.ttlMs)),
    sequence: params.sequence,
    trustTier: template.trustTier ?? TrustTier.TRUST_TIER_OPEN,
    tokensPerSecond: template.tokensPerSecond ?? 0,
    gflops: template.gflops ?? 0,
    settlementKey: template.settlementKey ?? new Uint8Array(),
    addrs: template.addrs ?? [],
    features: template.features ?? [],
    contextSize: template.contextSize ?? 0,
    modelPrices: template.modelPrices ?? [],
    signature: new Uint8Array(),
  }
}

/** An unsigned cancel of every offer up to `sequence` (sign it with `signOfferCancel`). */
export function buildOfferCancel(params: {
  provider: Uint8Array<ArrayBuffer>
  now: number
  sequence: bigint
}): OfferCancel {
  return {
    version: 1,
    provider: params.provider,
    sequence: params.sequence,
    issuedAt: BigInt(Math.floor(params.now)),
    signature: new Uint8Array(),
  }
}
