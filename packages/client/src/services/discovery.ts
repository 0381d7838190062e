import type { AbortOptions, ComponentLogger, Logger, PeerId, PeerInfo } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type { CID } from 'multiformats/cid'
import { RoutingTableEmptyError } from './errors.js'
import { modelCid } from './model-cid.js'
import { fetchOffers, type StreamDialer } from './offers-protocol.js'
import type { OrderBookService } from './order-book.js'
import { routingTableReady } from './routing-table.js'

/** The parts of a libp2p node that discovery uses. */
export interface DiscoveryNode extends StreamDialer {
  peerId: PeerId
  contentRouting: { findProviders(cid: CID, options?: AbortOptions): AsyncIterable<PeerInfo> }
  peerStore: { merge(peerId: PeerId, data: { multiaddrs: PeerInfo['multiaddrs'] }): Promise<unknown> }
  /** The DHT service: the lookup waits until its routing table holds a peer. */
  services: { dht: object }
}

export interface DiscoverOffersOptions extends AbortOptions {
  // without a signal the DHT lookup is bounded to 30 s
  /** Stop after this many providers answered (default 20). */
  maxProviders?: number
  /** Per-provider timeout in ms (default 5000). */
  timeoutMs?: number
  /** How long the lookup waits for the routing table to hold a first peer, ms (default 5000). */
  readyTimeoutMs?: number
  /** DHT lookups at most while they find no provider (default 3), `retryDelayMs` apart (default 500). */
  lookups?: number
  retryDelayMs?: number
  /** Where providers that could not be asked are logged (default `defaultLogger()`); pass the node's `logger`. */
  logger?: ComponentLogger
}

export interface DiscoverOffersResult {
  /** Providers found in the DHT. */
  providers: PeerId[]
  /** Offers that passed validation and entered the book. */
  added: number
  /** Providers that could not be asked. */
  failed: number
  /** The last of those failures. */
  lastError?: unknown
}

/**
 * What {@link discoverOffers} throws: {@link RoutingTableEmptyError} when the
 * routing table stayed empty, and the DHT lookup's own errors (libp2p's, e.g.
 * its `AbortError` when `signal` fires). A provider that cannot be asked is
 * counted in `failed`, not thrown.
 */
export type DiscoverOffersErrorType = RoutingTableEmptyError | Error

/**
 * Finds the providers of `model` through the DHT alone (no gossip needed),
 * asks each directly for its current offers over `/cocoon/offers/1.0.0` and
 * puts those that pass validation (schema, time, signature) into the book.
 * The lookup starts once the routing table holds a peer (kad-dht answers a
 * lookup over an empty table at once, with nothing) and is repeated, a
 * bounded number of times, while it finds no provider. Providers the book
 * saw gone (`book.goneProviders`) are skipped.
 * @throws {DiscoverOffersErrorType}
 */
export async function discoverOffers(
  node: DiscoveryNode,
  book: OrderBookService,
  model: string,
  options: DiscoverOffersOptions = {},
): Promise<DiscoverOffersResult> {
  const log = (options.logger ?? defaultLogger()).forComponent('cocoon:discovery')
  const signal = options.signal ?? AbortSignal.timeout(30_000)
  const readyMs = options.readyTimeoutMs ?? 5000
  if (
    !(await routingTableReady(node.services.dht, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(readyMs)]),
    }))
  ) {
    signal.throwIfAborted()
    throw new RoutingTableEmptyError(`the DHT lookup of "${model}" has no peer to ask`, {
      details: `No peer entered the DHT routing table within ${readyMs} ms. Check that the bootstrap peers run and are reachable (they must be full nodes, which serve the DHT).`,
    })
  }
  const lookups = Math.max(1, options.lookups ?? 3)
  let result = await lookupOnce(node, book, model, signal, options, log)
  for (let i = 1; i < lookups && result.providers.length === 0 && result.skipped === 0; i++) {
    log('no provider of %s found; looking up again (%d of %d)', model, i + 1, lookups)
    await delay(options.retryDelayMs ?? 500, signal)
    result = await lookupOnce(node, book, model, signal, options, log)
  }
  const { skipped: _, ...found } = result
  return found
}

/** Waits `ms`, or rejects with the signal's reason when it fires first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** One DHT lookup of `model`'s providers, each asked for its offers; `skipped` counts those seen gone. */
async function lookupOnce(
  node: DiscoveryNode,
  book: OrderBookService,
  model: string,
  signal: AbortSignal,
  options: DiscoverOffersOptions,
  log: Logger,
): Promise<DiscoverOffersResult & { skipped: number }> {
  const max = options.maxProviders ?? 20
  const cid = await modelCid(model)
  const providers: PeerId[] = []
  const seen = new Set<string>()
  const tasks: Promise<number>[] = []
  let failed = 0
  let skipped = 0
  let lastError: unknown
  for await (const provider of node.contentRouting.findProviders(cid, { signal })) {
    const key = provider.id.toString()
    if (seen.has(key) || provider.id.equals(node.peerId)) continue
    seen.add(key)
    if (book.goneProviders.has(key)) {
      // its record outlives it in the DHT: asking again would cost a dial timeout
      skipped++
      continue
    }
    providers.push(provider.id)
    if (provider.multiaddrs.length > 0) {
      // the dial below may still find the provider through the DHT without these addresses
      await node.peerStore
        .merge(provider.id, { multiaddrs: provider.multiaddrs })
        .catch((error: unknown) => log('storing the addresses of %p failed - %e', provider.id, error))
    }
    tasks.push(
      fetchOffers(node, provider.id, model, { signal: AbortSignal.timeout(options.timeoutMs ?? 5000) }).then(
        (offers) => {
          log('provider %p found in the DHT answered with %d offers of %s', provider.id, offers.length, model)
          return book.addVerified(offers, { from: provider.id })
        },
        (error: unknown) => {
          log('asking provider %p for offers of %s failed - %e', provider.id, model, error)
          book.goneProviders.add(key)
          failed++
          lastError = error
          return 0
        },
      ),
    )
    if (providers.length >= max) break
  }
  const added = (await Promise.all(tasks)).reduce((a, b) => a + b, 0)
  return { providers, added, failed, skipped, ...(failed > 0 ? { lastError } : {}) }
}
