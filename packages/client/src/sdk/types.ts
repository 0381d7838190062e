/**
 * The light peer's public shapes, viem-style: for each call its
 * `XParameters`, `XReturnType` and `XErrorType` (the union of the error
 * classes it rejects with, each matched with `instanceof`).
 */
import type { AbortedError, Tensor } from '@cocoon-mesh/protocol'
import type { ClientPayments } from '@cocoon-mesh/settlement'
import type { InvalidJobError } from '../jobs/errors.js'
import type {
  EmbedJobParams,
  EmbedJobResult,
  JobEvent,
  JobUsage,
  LlmJob,
  LlmJobParams,
  TensorJobParams,
} from '../jobs/job-types.js'
import type { StallLimits } from '../jobs/limits.js'
import type { RunJobErrorType } from '../jobs/run-job.js'
import type { TrustLookup } from '../market/offer-trust.js'
import type { MaxPrice, RankedOffer } from '../matching/types.js'
import type { CreatePeerErrorType } from '../peer/create-peer.js'
import type { CocoonPeer, CreatePeerOptions } from '../peer/types.js'
import type { ChannelPaymentsErrorType, ChannelPaymentsOptions } from './channel-payments.js'
import type { OfferSource, OrderBookSourceOptions } from './order-book-source.js'

export interface CreateLightPeerParameters extends CreatePeerOptions {
  /** Use an already started peer instead of creating a light one. */
  peer?: CocoonPeer
  /** Live offers. Default: the peer's gossip order book with DHT discovery on a cold start. */
  offerSource?: OfferSource
  /**
   * The client's verdict on each offer's evidence. Default: the order book's
   * (`peer.orderBook.trustOf`, computed by the `trust` verifier the peer was
   * created with). Offers from a custom `offerSource` that the book does not
   * hold are open tier unless this says otherwise.
   */
  trustOf?: TrustLookup
  payments?: ClientPayments
  /**
   * Pay through the client's payment channels: the wallet, voucher store
   * and chain endpoint of a home folder (`channelPayments()`), closed again by `stop()`.
   * `true` uses the defaults ($COCOON_HOME, $COCOON_TON_ENDPOINT). Ignored when `payments` is set.
   */
  pay?: true | ChannelPaymentsOptions
  /** Providers tried per job at most (default 6). */
  maxAttempts?: number
  /**
   * Overrides of the limits a provider must keep to or be failed over: time
   * to first token, silence, least rate (default: from the offer's promised
   * rate, `llmStallLimits`).
   */
  stallLimits?: Partial<StallLimits>
  /** Measure providers' latency with libp2p ping after using them (default true). */
  ping?: boolean
  now?: () => number
  /**
   * Random source in [0, 1) for ranking's bounded exploration of providers the
   * client has no record of (default `Math.random`); pass a seeded one for
   * reproducible runs.
   */
  random?: () => number
  /** How the default order-book source collects offers on a cold start. */
  coldStart?: Omit<OrderBookSourceOptions, 'now'>
  onEvent?: (event: JobEvent) => void
  /** Aborting stops the start: what was started is stopped again and the call rejects with `AbortedError`. */
  signal?: AbortSignal
}

export type CreateLightPeerReturnType = LightPeer

/**
 * What {@link createLightPeer} throws: the payment home folder (with `pay`),
 * libp2p failing to start, or the caller's abort.
 */
export type CreateLightPeerErrorType = ChannelPaymentsErrorType | CreatePeerErrorType | AbortedError

/** A price cap: one number caps every per-unit price (per 1k tokens, per GFLOP), or cap fields one by one. */
export type PriceCap = bigint | number | MaxPrice

export interface GenerateParameters extends Omit<LlmJobParams, 'maxPrice' | 'budget'> {
  maxPrice?: PriceCap
  /** nanoTON the whole job may cost. */
  budget?: bigint | number
}

/** The token stream: iterate it, then `await job.usage`. */
export type GenerateReturnType = LlmJob

/**
 * What iterating a {@link LightPeer.generate} job (and its `usage`) throws:
 * those of {@link RunTensorJobErrorType}, and `InvalidJobError` for a job
 * without prompt or messages, or one iterated twice.
 */
export type GenerateErrorType = RunJobErrorType | Error

export interface RunTensorJobParameters extends Omit<TensorJobParams, 'maxPrice' | 'budget'> {
  maxPrice?: PriceCap
  budget?: bigint | number
}

export interface RunTensorJobReturnType {
  outputs: Tensor[]
  usage: JobUsage
}

/**
 * What a job of {@link LightPeer.runTensorJob} rejects with: the caller's
 * abort or deadline, no matching or affordable offer, every provider
 * rejecting or failing, a provider failing the request itself as bad
 * (`JobFailedError`, not retried elsewhere), and a custom `offerSource`'s own
 * errors. A provider failing mid-job is failed over, not thrown.
 */
export type RunTensorJobErrorType = Exclude<RunJobErrorType, InvalidJobError> | Error

/** Texts to embed; billed per prompt token (`maxPrice` caps the per-1k prompt price). */
export interface EmbedParameters extends Omit<EmbedJobParams, 'maxPrice' | 'budget'> {
  maxPrice?: PriceCap
  budget?: bigint | number
}

export type EmbedReturnType = EmbedJobResult

/** What {@link LightPeer.embed} rejects with: as {@link GenerateErrorType}. */
export type EmbedErrorType = GenerateErrorType

export interface OffersParameters {
  /** Ends a cold start's wait for offers early: the call rejects with `AbortedError`. */
  signal?: AbortSignal
}

/** Live offers, best first for a default-size job. */
export type OffersReturnType = RankedOffer[]

/**
 * What {@link LightPeer.offers} throws: the caller's abort, DHT discovery
 * failing on a cold start (`DiscoveryFailedError`), or a custom
 * `offerSource`'s own errors.
 */
export type OffersErrorType = AbortedError | Error

export interface StopParameters {
  /**
   * Bounds the wait for libp2p and the voucher store to close: on abort the
   * call rejects with `AbortedError` while they finish closing in the background.
   */
  signal?: AbortSignal
}

export type StopReturnType = undefined

/** What {@link LightPeer.stop} throws: the caller's abort, libp2p's or the voucher store's error while closing. */
export type StopErrorType = AbortedError | Error

/** What an app embeds: a light peer that buys LLM, embedding and tensor jobs straight from providers. */
export interface LightPeer {
  readonly peer: CocoonPeer
  /**
   * Streams tokens from the best provider (with failover); `await job.usage`
   * after the loop. `signal` in the parameters aborts the job.
   * @throws {GenerateErrorType} from the iteration and `usage`.
   */
  generate(parameters: GenerateParameters): GenerateReturnType
  /** @throws {RunTensorJobErrorType} */
  runTensorJob(parameters: RunTensorJobParameters): Promise<RunTensorJobReturnType>
  /**
   * One vector per input from the best provider offering the `embedding` job kind (with failover).
   * @throws {EmbedErrorType}
   */
  embed(parameters: EmbedParameters): Promise<EmbedReturnType>
  /**
   * Live offers for `model`, best first for a default-size job.
   * @throws {OffersErrorType}
   */
  offers(model: string, parameters?: OffersParameters): Promise<OffersReturnType>
  /** @throws {StopErrorType} */
  stop(parameters?: StopParameters): Promise<StopReturnType>
}
