import type { Tensor } from '@cocoon-mesh/gpu-runtime'
import {
  type AbortedError,
  type DeadlineExceededError,
  JOB_PROTOCOL,
  type Offer,
} from '@cocoon-mesh/protocol'
import type { ClientPayments } from '@cocoon-mesh/settlement'
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type {
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  InvalidJobError,
  JobFailedError,
  NoProviderError,
} from '../jobs/errors.js'
import {
  type JobContext,
  type JobEvent,
  type JobUsage,
  type LlmJob,
  type LlmJobParams,
  runLlmJob,
  runTensorJob,
  type TensorJobParams,
} from '../jobs/run-job.js'
import { rankOffers } from '../matching/rank.js'
import { ProviderRecords } from '../matching/records.js'
import type { MaxPrice, RankedOffer } from '../matching/types.js'
import { type CreatePeerErrorType, createLightNode } from '../peer/create-peer.js'
import type { CocoonPeer, CreatePeerOptions } from '../peer/types.js'
import { type DiscoveryNode, discoverOffers } from '../services/discovery.js'
import type { OrderBookService } from '../services/order-book.js'
import {
  type ChannelPayments,
  type ChannelPaymentsErrorType,
  type ChannelPaymentsOptions,
  channelPayments,
} from './payments.js'

/** Where the SDK reads live offers from: normally the peer's gossip order book. */
export interface OfferSource {
  offers(model: string): readonly Offer[] | Promise<readonly Offer[]>
}

export interface LightPeerOptions extends CreatePeerOptions {
  /** Use an already started peer instead of creating a light one. */
  peer?: CocoonPeer
  /** Live offers. Default: the peer's gossip order book with DHT discovery on a cold start. */
  offerSource?: OfferSource
  payments?: ClientPayments
  /**
   * Pay through the client's payment channels: the wallet, voucher store
   * and chain endpoint of a home folder (`channelPayments()`), closed again by `stop()`.
   * `true` uses the defaults ($COCOON_HOME, $COCOON_TON_ENDPOINT). Ignored when `payments` is set.
   */
  pay?: true | ChannelPaymentsOptions
  /** Providers tried per job at most (default 6). */
  maxAttempts?: number
  /** Longest silence from a provider mid-job before failing over, ms (default 30 000). */
  idleTimeoutMs?: number
  /** Measure providers' latency with libp2p ping after using them (default true). */
  ping?: boolean
  now?: () => number
  onEvent?: (event: JobEvent) => void
}

/** A price cap: one number caps every per-unit price (per 1k tokens, per GFLOP), or cap fields one by one. */
export type PriceCap = bigint | number | MaxPrice

export interface GenerateParams extends Omit<LlmJobParams, 'maxPrice' | 'budget'> {
  maxPrice?: PriceCap
  /** nanoTON the whole job may cost. */
  budget?: bigint | number
}

export interface TensorJobRequest extends Omit<TensorJobParams, 'maxPrice' | 'budget'> {
  maxPrice?: PriceCap
  budget?: bigint | number
}

/**
 * What a job of {@link LightPeer.runTensorJob} rejects with: the caller's
 * abort or deadline, no matching or affordable offer, every provider
 * rejecting or failing, a provider failing the request itself as bad
 * (`JobFailedError`, not retried elsewhere), and a custom `offerSource`'s own
 * errors. A provider failing mid-job is failed over, not thrown.
 */
export type LightPeerRunTensorJobErrorType =
  | AbortedError
  | DeadlineExceededError
  | NoProviderError
  | BudgetExceededError
  | AllRejectedError
  | AllProvidersFailedError
  | JobFailedError
  | Error

/**
 * What iterating a {@link LightPeer.generate} job (and its `usage`) throws:
 * those of {@link LightPeerRunTensorJobErrorType}, and `InvalidJobError` for a
 * job without prompt or messages, or one iterated twice.
 */
export type LightPeerGenerateErrorType = InvalidJobError | LightPeerRunTensorJobErrorType

/** What {@link LightPeer.offers} throws: only a custom `offerSource`'s own errors. */
export type LightPeerOffersErrorType = Error

/** What {@link LightPeer.stop} throws: libp2p's or the voucher store's error while closing. */
export type LightPeerStopErrorType = Error

/** What {@link createLightPeer} throws: the payment home folder (with `pay`), or libp2p failing to start. */
export type CreateLightPeerErrorType = ChannelPaymentsErrorType | CreatePeerErrorType

/** What an app embeds: a light peer that buys LLM and tensor jobs straight from providers. */
export interface LightPeer {
  readonly peer: CocoonPeer
  /**
   * Streams tokens from the best provider (with failover); `await job.usage` after the loop.
   * @throws {LightPeerGenerateErrorType} from the iteration and `usage`.
   */
  generate(params: GenerateParams): LlmJob
  /** @throws {LightPeerRunTensorJobErrorType} */
  runTensorJob(params: TensorJobRequest): Promise<{ outputs: Tensor[]; usage: JobUsage }>
  /**
   * Live offers for `model`, best first for a default-size job.
   * @throws {LightPeerOffersErrorType}
   */
  offers(model: string): Promise<RankedOffer[]>
  /** @throws {LightPeerStopErrorType} */
  stop(): Promise<void>
}

/**
 * Starts a light peer (DHT client mode, joined through `bootstrap`) and
 * returns the job SDK on top of it.
 * @throws {CreateLightPeerErrorType}
 */
export async function createLightPeer(options: LightPeerOptions = {}): Promise<LightPeer> {
  const ownsPeer = options.peer === undefined
  const paid: ChannelPayments | undefined =
    options.payments === undefined && options.pay !== undefined
      ? await channelPayments(options.pay === true ? {} : options.pay)
      : undefined
  const payments = options.payments ?? paid?.payments
  const peer =
    options.peer ??
    (await createLightNode(options).catch(async (error: unknown) => {
      await paid?.close()
      throw error
    }))
  const libp2p = peer.libp2p as unknown as Libp2p
  const now = options.now ?? Date.now
  const records = new ProviderRecords(now)
  const latencies = new Map<string, number>()
  const source = options.offerSource ?? orderBookSource(peer)

  const measure = (providerId: string): void => {
    if (options.ping === false) return
    const ping = (peer.libp2p.services as { ping?: { ping(p: unknown): Promise<number> } }).ping
    ping
      ?.ping(peerIdFromString(providerId))
      .then((ms) => latencies.set(providerId, ms))
      .catch(() => {})
  }

  const ctx: JobContext = {
    offers: (model) => source.offers(model),
    dial: async (providerId, _offer, signal) => {
      const stream = await libp2p.dialProtocol(peerIdFromString(providerId), JOB_PROTOCOL, { signal })
      if (!latencies.has(providerId)) measure(providerId)
      return stream
    },
    records,
    latencies,
    now,
    ...(payments !== undefined ? { payments } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
  }

  return {
    peer,
    generate(params) {
      const { maxPrice, budget, ...rest } = params
      return runLlmJob(ctx, {
        ...rest,
        ...(maxPrice !== undefined ? { maxPrice: toMaxPrice(maxPrice) } : {}),
        ...(budget !== undefined ? { budget: BigInt(budget) } : {}),
      })
    },
    runTensorJob(params) {
      const { maxPrice, budget, ...rest } = params
      return runTensorJob(ctx, {
        ...rest,
        ...(maxPrice !== undefined ? { maxPrice: toMaxPrice(maxPrice) } : {}),
        ...(budget !== undefined ? { budget: BigInt(budget) } : {}),
      })
    },
    async offers(model) {
      const offers = await source.offers(model)
      return rankOffers({ model, job: { kind: 'llm' }, offers, now: now(), records: records.map, latencies })
        .ranked
    },
    async stop() {
      if (ownsPeer) await peer.stop()
      await paid?.close()
    },
  }
}

/** Turns a price cap into per-field caps. */
export function toMaxPrice(cap: PriceCap): MaxPrice {
  if (typeof cap === 'bigint' || typeof cap === 'number') {
    const v = BigInt(cap)
    return { perKPromptTokens: v, perKCompletionTokens: v, perTensorGflop: v }
  }
  return cap
}

interface WatchableBook {
  watch(model: string): void
  offers(model?: string): Offer[]
  addEventListener(type: 'change', listener: () => void): void
  removeEventListener(type: 'change', listener: () => void): void
}

/**
 * The peer's gossip order book: joins the model's topic on first use. While
 * the book holds no offer for the model (cold start), it asks the DHT for the
 * model's providers and fetches their offers directly, and waits for gossip,
 * for up to `coldStartMs` (default 10 s).
 */
export function orderBookSource(peer: CocoonPeer, options: { coldStartMs?: number } = {}): OfferSource {
  const book = (peer as unknown as { orderBook?: WatchableBook }).orderBook
  return {
    async offers(model) {
      if (book === undefined) return []
      book.watch(model)
      let offers = book.offers(model)
      if (offers.length > 0) return offers
      const deadline = Date.now() + (options.coldStartMs ?? 10_000)
      // biome-ignore lint/correctness/noUnusedVariables: read by the `??=` of the next round
      let discovery: Promise<unknown> | undefined
      while (offers.length === 0 && Date.now() < deadline) {
        // ask the DHT again whenever the previous round ended empty (e.g. it ran before any
        // connection was up); gossip and discovery both change the book
        discovery ??= discoverOffers(
          peer.libp2p as unknown as DiscoveryNode,
          book as unknown as OrderBookService,
          model,
          { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) },
        )
          .catch(() => undefined)
          .finally(() => {
            discovery = undefined
          })
        await changeOrTimeout(book, Math.min(deadline - Date.now(), 250))
        offers = book.offers(model)
      }
      return offers
    },
  }
}

function changeOrTimeout(book: WatchableBook, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      book.removeEventListener('change', done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, ms))
    book.addEventListener('change', done)
  })
}
