import { AbortedError, type Offer } from '@cocoon-mesh/protocol'
import { KEEP_ALIVE, type Libp2p, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { type ChannelPayments, channelPayments } from '#channel-payments'
import { InvalidJobError } from '../jobs/errors.js'
import type { JobContext } from '../jobs/job-types.js'
import { runEmbeddingJob } from '../jobs/run-embedding.js'
import { runLlmJob, runTensorJob } from '../jobs/run-job.js'
import type { TrustLookup } from '../market/offer-trust.js'
import { ProviderLoads } from '../matching/load.js'
import { rankOffers } from '../matching/rank.js'
import { ProviderRecords } from '../matching/records.js'
import type { MaxPrice } from '../matching/types.js'
import { createLightNode } from '../peer/create-peer.js'
import type { CocoonPeer } from '../peer/types.js'
import { dialJobStream, streamVia } from './job-dial.js'
import { orderBookSource } from './order-book-source.js'
import type { CreateLightPeerParameters, CreateLightPeerReturnType, LightPeer, PriceCap } from './types.js'

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

/**
 * Starts a light peer (DHT client mode, joined through `bootstrap`) and
 * returns the job SDK on top of it.
 * @throws {CreateLightPeerErrorType}
 */
export async function createLightPeer(
  parameters: CreateLightPeerParameters = {},
): Promise<CreateLightPeerReturnType> {
  const { signal } = parameters
  throwIfAborted(signal, 'starting the light peer')
  const paid: ChannelPayments | undefined =
    parameters.payments === undefined && parameters.pay !== undefined
      ? await channelPayments(parameters.pay === true ? {} : parameters.pay)
      : undefined
  let peer: CocoonPeer | undefined = parameters.peer
  try {
    throwIfAborted(signal, 'starting the light peer')
    peer ??= await createLightNode(parameters)
    throwIfAborted(signal, 'starting the light peer')
    await keepBootstrapPeers(peer.libp2p, parameters.bootstrap ?? [])
  } catch (error) {
    if (parameters.peer === undefined) await peer?.stop()
    await paid?.close()
    throw error
  }
  return lightPeer(peer, parameters, paid)
}

/** The job SDK over a started peer; `paid` is closed by `stop()`, and so is the peer unless the caller owns it. */
function lightPeer(
  peer: CocoonPeer,
  parameters: CreateLightPeerParameters,
  paid: ChannelPayments | undefined,
): LightPeer {
  const libp2p = peer.libp2p
  const log = libp2p.logger.forComponent('cocoon:sdk')
  const now = parameters.now ?? Date.now
  const ctx = jobContext(peer, parameters, paid)
  const { records, latencies, reachable, trust } = ctx
  return {
    peer,
    generate: (params) => runLlmJob(ctx, withPriceLimits(params)),
    runTensorJob: (params) => runTensorJob(ctx, withPriceLimits(params)),
    embed: (params) => runEmbeddingJob(ctx, withPriceLimits(params)),
    async offers(model, { signal } = {}) {
      const offers = await ctx.offers(model, signal)
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
    async stop({ signal } = {}) {
      const closing = (async (): Promise<undefined> => {
        if (parameters.peer === undefined) await peer.stop()
        await paid?.close()
        return undefined
      })()
      if (signal === undefined) return closing
      throwIfAborted(signal, 'stopping the light peer')
      let onAbort: (() => void) | undefined
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(abortedError(signal, 'stopping the light peer'))
        signal.addEventListener('abort', onAbort, { once: true })
      })
      try {
        return await Promise.race([closing, aborted])
      } catch (error) {
        // closing goes on after the caller stopped waiting: its failure is logged, not lost
        if (error instanceof AbortedError) closing.catch((e: unknown) => log.error('stopping failed - %e', e))
        throw error
      } finally {
        if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
      }
    },
  }
}

/** What the job runner needs of this peer: offers, trust, dialling, the client's records of providers. */
function jobContext(
  peer: CocoonPeer,
  parameters: CreateLightPeerParameters,
  paid: ChannelPayments | undefined,
): JobContext & {
  records: ProviderRecords
  latencies: Map<string, number>
  reachable: () => ReadonlySet<string>
  trust: TrustLookup
} {
  const libp2p = peer.libp2p
  const log = libp2p.logger.forComponent('cocoon:sdk')
  const now = parameters.now ?? Date.now
  const latencies = new Map<string, number>()
  const source = parameters.offerSource ?? orderBookSource(peer, { ...parameters.coldStart, now })
  const payments = parameters.payments ?? paid?.payments
  // a live connection is evidence the provider answers: ranking puts it before unverified offers
  const reachable = (): ReadonlySet<string> =>
    new Set(libp2p.getConnections().map((connection) => connection.remotePeer.toString()))

  const measure = (providerId: string): void => {
    if (parameters.ping === false) return
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

  return {
    offers: (model, signal) => source.offers(model, signal),
    trust: parameters.trustOf ?? ((offer) => peer.orderBook.trustOf(offer)),
    dial: async (providerId, offer, signal) => {
      const peerId = await knownPeer(providerId, offer)
      const stream = await dialJobStream(libp2p, peerId, {
        signal: dialSignal(signal),
        maxOutboundStreams: MAX_JOB_STREAMS_PER_CONNECTION,
      })
      if (!latencies.has(providerId)) measure(providerId)
      return stream
    },
    viaOf: (providerId, stream) => streamVia(libp2p, providerId, stream),
    connect: async (providerId, offer, signal) => {
      await libp2p.dial(await knownPeer(providerId, offer), { signal: dialSignal(signal) })
    },
    records: new ProviderRecords(now),
    loads: new ProviderLoads(now),
    latencies,
    reachable,
    random: parameters.random ?? Math.random,
    now,
    ...(payments !== undefined ? { payments } : {}),
    ...(parameters.maxAttempts !== undefined ? { maxAttempts: parameters.maxAttempts } : {}),
    ...(parameters.stallLimits !== undefined ? { stallLimits: parameters.stallLimits } : {}),
    ...(parameters.onEvent !== undefined ? { onEvent: parameters.onEvent } : {}),
  }
}

function abortedError(signal: AbortSignal, what: string): AbortedError {
  return new AbortedError(`${what} aborted by the caller`, { cause: signal.reason })
}

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw abortedError(signal, what)
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
    ...(budget !== undefined ? { budget: nanoton('budget', budget) } : {}),
  }
}

/**
 * A whole, non-negative nanoTON amount from the caller.
 * @throws {InvalidJobError} for a fraction, a negative number, NaN or Infinity
 */
function nanoton(field: string, value: bigint | number): bigint {
  if (typeof value === 'bigint' ? value >= 0n : Number.isSafeInteger(value) && value >= 0)
    return BigInt(value)
  throw new InvalidJobError(`${field} must be a whole number of nanoTON >= 0`, {
    details: `got ${String(value)}; pass an integer (or a bigint), e.g. ${field}: 1_000_000n for 0.001 TON`,
  })
}

/**
 * Turns a price cap into per-field caps.
 * @throws {InvalidJobError} when a cap is not a whole number of nanoTON >= 0
 */
export function toMaxPrice(cap: PriceCap): MaxPrice {
  if (typeof cap === 'bigint' || typeof cap === 'number') {
    const v = nanoton('maxPrice', cap)
    return { perKPromptTokens: v, perKCompletionTokens: v, perTensorGflop: v }
  }
  return cap
}
