import type { Tensor } from '@cocoon-mesh/protocol'
import { errorLine, JOB_PROTOCOL, type Offer, systemTimers, type Timers } from '@cocoon-mesh/protocol'
import type { ClientPayments } from '@cocoon-mesh/settlement'
import { KEEP_ALIVE, type Libp2p, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { InvalidJobError } from '../jobs/errors.js'
import type { StallLimits } from '../jobs/limits.js'
import { runEmbeddingJob } from '../jobs/run-embedding.js'
import {
  type EmbedJobParams,
  type EmbedJobResult,
  type JobContext,
  type JobEvent,
  type JobUsage,
  type LlmJob,
  type LlmJobParams,
  type RunJobErrorType,
  runLlmJob,
  runTensorJob,
  type TensorJobParams,
} from '../jobs/run-job.js'
import type { TrustLookup } from '../market/offer-trust.js'
import { ProviderLoads } from '../matching/load.js'
import { providerIdOf, rankOffers } from '../matching/rank.js'
import { ProviderRecords } from '../matching/records.js'
import type { MaxPrice, RankedOffer } from '../matching/types.js'
import { type CreatePeerErrorType, createLightNode } from '../peer/create-peer.js'
import type { CocoonPeer, CreatePeerOptions } from '../peer/types.js'
import { type DiscoverOffersResult, discoverOffers } from '../services/discovery.js'
import { DiscoveryFailedError } from '../services/errors.js'
import {
  type ChannelPayments,
  type ChannelPaymentsErrorType,
  type ChannelPaymentsOptions,
  channelPayments,
} from './payments.js'

/** Longest wait for a job stream to a provider to open, ms: a dead or lying offer costs at most this. */
const DIAL_TIMEOUT_MS = 5000

/**
 * Job streams a client opens on one connection at most. libp2p allows 64 per
 * protocol unless told; a gateway runs more jobs than that at once on one
 * provider (its queue's `maxRunning`, 64 by default, plus streams still closing).
 */
export const MAX_JOB_STREAMS_PER_CONNECTION = 256

function dialSignal(signal: AbortSignal | undefined): AbortSignal {
  return AbortSignal.any([AbortSignal.timeout(DIAL_TIMEOUT_MS), ...(signal !== undefined ? [signal] : [])])
}

/** Where the SDK reads live offers from: normally the peer's gossip order book. */
export interface OfferSource {
  offers(model: string): readonly Offer[] | Promise<readonly Offer[]>
}

export interface LightPeerOptions extends CreatePeerOptions {
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

/** Texts to embed; billed per prompt token (`maxPrice` caps the per-1k prompt price). */
export interface EmbedParams extends Omit<EmbedJobParams, 'maxPrice' | 'budget'> {
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
export type LightPeerRunTensorJobErrorType = Exclude<RunJobErrorType, InvalidJobError> | Error

/**
 * What iterating a {@link LightPeer.generate} job (and its `usage`) throws:
 * those of {@link LightPeerRunTensorJobErrorType}, and `InvalidJobError` for a
 * job without prompt or messages, or one iterated twice.
 */
export type LightPeerGenerateErrorType = RunJobErrorType | Error

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
   * One vector per input from the best provider offering the `embedding` job kind (with failover).
   * @throws {LightPeerGenerateErrorType}
   */
  embed(params: EmbedParams): Promise<EmbedJobResult>
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
  const libp2p = peer.libp2p
  const log = libp2p.logger.forComponent('cocoon:sdk')
  await keepBootstrapPeers(libp2p, options.bootstrap ?? [])
  const now = options.now ?? Date.now
  const records = new ProviderRecords(now)
  const loads = new ProviderLoads(now)
  const latencies = new Map<string, number>()
  const source = options.offerSource ?? orderBookSource(peer, { ...options.coldStart, now })
  const random = options.random ?? Math.random
  // a live connection is evidence the provider answers: ranking puts it before unverified offers
  const reachable = (): ReadonlySet<string> =>
    new Set(libp2p.getConnections().map((connection) => connection.remotePeer.toString()))

  const measure = (providerId: string): void => {
    if (options.ping === false) return
    libp2p.services.ping.ping(peerIdFromString(providerId)).then(
      (ms) => latencies.set(providerId, ms),
      // ranking goes without this provider's latency
      (error: unknown) => log('pinging %s failed - %e', providerId, error),
    )
  }

  // the offer's signed addresses spare a DHT walk; noise authenticates the peer id, so a
  // lying address costs one failed dial (recorded as unreachable), never a wrong peer
  const knownPeer = async (providerId: string, offer: Offer): Promise<PeerId> => {
    const peerId = peerIdFromString(providerId)
    if (offer.addrs.length > 0)
      await libp2p.peerStore.merge(peerId, { multiaddrs: offer.addrs.map((a) => multiaddr(a)) })
    return peerId
  }

  const trust: TrustLookup = options.trustOf ?? ((offer) => peer.orderBook.trustOf(offer))
  const ctx: JobContext = {
    offers: (model) => source.offers(model),
    trust,
    dial: async (providerId, offer, signal) => {
      const peerId = await knownPeer(providerId, offer)
      const stream = await libp2p.dialProtocol(peerId, JOB_PROTOCOL, {
        signal: dialSignal(signal),
        maxOutboundStreams: MAX_JOB_STREAMS_PER_CONNECTION,
      })
      if (!latencies.has(providerId)) measure(providerId)
      return stream
    },
    connect: async (providerId, offer, signal) => {
      await libp2p.dial(await knownPeer(providerId, offer), { signal: dialSignal(signal) })
    },
    records,
    loads,
    latencies,
    reachable,
    random,
    now,
    ...(payments !== undefined ? { payments } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.stallLimits !== undefined ? { stallLimits: options.stallLimits } : {}),
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
  }

  return {
    peer,
    generate: (params) => runLlmJob(ctx, withPriceLimits(params)),
    runTensorJob: (params) => runTensorJob(ctx, withPriceLimits(params)),
    embed: (params) => runEmbeddingJob(ctx, withPriceLimits(params)),
    async offers(model) {
      const offers = await source.offers(model)
      return rankOffers({
        model,
        job: { kind: 'llm' },
        offers,
        trust,
        now: now(),
        records: records.map,
        latencies,
        reachable: reachable(),
      }).ranked
    },
    async stop() {
      if (ownsPeer) await peer.stop()
      await paid?.close()
    },
  }
}

/**
 * Tags the bootstrap peers keep-alive, so libp2p's reconnect queue redials one
 * whose connection drops: a light client whose other connections were to
 * providers that died still reaches the DHT and other providers through them.
 * A bootstrap address without `/p2p/<id>` cannot be tagged and is logged.
 */
async function keepBootstrapPeers(libp2p: Libp2p, bootstrap: readonly string[]): Promise<void> {
  const log = libp2p.logger.forComponent('cocoon:sdk')
  for (const addr of bootstrap) {
    const ma = multiaddr(addr)
    const id = ma.getComponents().find((c) => c.name === 'p2p')?.value
    if (id === undefined) {
      log('bootstrap address %a names no peer id; it is not redialled when its connection drops', ma)
      continue
    }
    try {
      await libp2p.peerStore.merge(peerIdFromString(id), {
        multiaddrs: [ma],
        tags: { [`${KEEP_ALIVE}-cocoon-bootstrap`]: { value: 50 } },
      })
    } catch (error) {
      log.error(
        'keeping bootstrap peer %a failed; it is not redialled when its connection drops - %e',
        ma,
        error,
      )
    }
  }
}

/** The job parameters with the caller's price cap and budget in the runner's types. */
function withPriceLimits<P extends { maxPrice?: PriceCap; budget?: bigint | number }>(
  params: P,
): Omit<P, 'maxPrice' | 'budget'> & { maxPrice?: MaxPrice; budget?: bigint } {
  const { maxPrice, budget, ...rest } = params
  return {
    ...rest,
    ...(maxPrice !== undefined ? { maxPrice: toMaxPrice(maxPrice) } : {}),
    ...(budget !== undefined ? { budget: BigInt(budget) } : {}),
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

export interface OrderBookSourceOptions {
  /** How long a cold start waits for a first offer, ms (default 10 000). */
  coldStartMs?: number
  /**
   * How long a cold start keeps collecting offers before the client ranks
   * them, ms from its start (default 1000): the first offer to arrive is not
   * the cheapest. Ends early once `collectProviders` providers offer the model.
   */
  collectMs?: number
  /** Distinct providers whose offers end the collection window early (default 3). */
  collectProviders?: number
  /** The clock the cold-start deadline is read from (default `Date.now`). */
  now?: () => number
  /** Timers on the same clock (default the process's). */
  timers?: Timers
}

/**
 * The peer's gossip order book: joins the model's topic on first use. While
 * the book holds no offer for the model (cold start), it asks the DHT for the
 * model's providers and fetches their offers directly, and waits for gossip:
 * it collects for `collectMs` (default 1 s) and until the first discovery
 * round has asked every provider it found, or until `collectProviders`
 * (default 3) providers offer the model, and past that window until the first
 * offer, up to `coldStartMs` (default 10 s), so the client ranks several
 * offers rather than taking the first that arrives. When that ends with no offer and
 * every DHT round that ended had failed, it throws {@link DiscoveryFailedError}
 * (the last failure is its cause) rather than report an empty market.
 */
export function orderBookSource(peer: CocoonPeer, options: OrderBookSourceOptions = {}): OfferSource {
  const book = peer.orderBook
  const now = options.now ?? Date.now
  const log = peer.libp2p.logger.forComponent('cocoon:sdk')
  return {
    async offers(model) {
      book.watch(model)
      let offers = book.offers(model)
      if (offers.length > 0) return offers
      const start = now()
      const deadline = start + (options.coldStartMs ?? 10_000)
      const rounds = new DiscoveryRounds()
      // The window ends after collectMs and once a discovery round has asked every provider it
      // found (on a loaded machine their answers can take longer than the window), or early
      // once enough providers offer.
      const collected = (): boolean =>
        offers.length > 0 &&
        ((now() >= start + (options.collectMs ?? 1000) && rounds.count > 0) ||
          new Set(offers.map(providerIdOf)).size >= (options.collectProviders ?? 3))
      // biome-ignore lint/correctness/noUnusedVariables: read by the `??=` of the next round
      let discovery: Promise<void> | undefined
      while (!collected() && now() < deadline) {
        // ask the DHT again whenever the previous round ended empty (e.g. it ran before any
        // connection was up); gossip and discovery both change the book
        discovery ??= discoverOffers(peer.libp2p, book, model, {
          signal: AbortSignal.timeout(Math.max(1, deadline - now())),
          logger: peer.libp2p.logger,
        })
          .then(
            (result) => rounds.ended(result),
            (error: unknown) => rounds.failed(error),
          )
          .finally(() => {
            discovery = undefined
          })
        const windowEnd =
          offers.length > 0 && rounds.count > 0 ? start + (options.collectMs ?? 1000) : deadline
        await changeOrTimeout(book, Math.min(windowEnd - now(), 250), options.timers ?? systemTimers)
        offers = book.offers(model)
      }
      if (offers.length === 0 && rounds.allFailed) {
        log('no offers of %s: %d discovery rounds failed - %e', model, rounds.count, rounds.lastError)
        throw new DiscoveryFailedError(`no offers of "${model}" found: DHT discovery failed`, {
          details: `${rounds.count} discovery rounds failed within the cold start; the last: ${errorLine(rounds.lastError)}. Check the bootstrap peers and the connection.`,
          cause: rounds.lastError,
        })
      }
      return offers
    },
  }
}

/** The discovery rounds of one cold start that ended, and whether every one of them failed. */
class DiscoveryRounds {
  count = 0
  #failed = 0
  lastError: unknown

  /** A round that ran to its end; it failed when it found providers and none of them answered. */
  ended(result: DiscoverOffersResult): void {
    if (result.providers.length > 0 && result.failed === result.providers.length)
      this.failed(result.lastError)
    else this.count++
  }

  /** A round whose DHT lookup failed. */
  failed(error: unknown): void {
    this.count++
    this.#failed++
    this.lastError = error
  }

  get allFailed(): boolean {
    return this.count > 0 && this.#failed === this.count
  }
}

function changeOrTimeout(book: CocoonPeer['orderBook'], ms: number, timers: Timers): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      cancel()
      book.removeEventListener('change', done)
      resolve()
    }
    const cancel = timers.schedule(done, Math.max(0, ms))
    book.addEventListener('change', done)
  })
}
