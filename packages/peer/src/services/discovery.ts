import type { AbortOptions, ComponentLogger, PeerId, PeerInfo } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type { CID } from 'multiformats/cid'
import { modelCid } from './model-cid.js'
import { fetchOffers, type StreamDialer } from './offers-protocol.js'
import type { OrderBookService } from './order-book.js'

/** The parts of a libp2p node that discovery uses. */
export interface DiscoveryNode extends StreamDialer {
  peerId: PeerId
  contentRouting: { findProviders(cid: CID, options?: AbortOptions): AsyncIterable<PeerInfo> }
  peerStore: { merge(peerId: PeerId, data: { multiaddrs: PeerInfo['multiaddrs'] }): Promise<unknown> }
}

export interface DiscoverOffersOptions extends AbortOptions {
  // without a signal the DHT lookup is bounded to 30 s
  /** Stop after this many providers answered (default 20). */
  maxProviders?: number
  /** Per-provider timeout in ms (default 5000). */
  timeoutMs?: number
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
 * What {@link discoverOffers} throws: the DHT lookup's own errors (libp2p's,
 * e.g. its `AbortError` when `signal` fires). A provider that cannot be asked
 * is counted in `failed`, not thrown.
 */
export type DiscoverOffersErrorType = Error

/**
 * Finds the providers of `model` through the DHT alone (no gossip needed),
 * asks each directly for its current offers over `/cocoon/offers/1.0.0` and
 * puts those that pass validation (schema, time, signature) into the book.
 * @throws {DiscoverOffersErrorType}
 */
export async function discoverOffers(
  node: DiscoveryNode,
  book: OrderBookService,
  model: string,
  options: DiscoverOffersOptions = {},
): Promise<DiscoverOffersResult> {
  const log = (options.logger ?? defaultLogger()).forComponent('cocoon:discovery')
  const max = options.maxProviders ?? 20
  const signal = options.signal ?? AbortSignal.timeout(30_000)
  const cid = await modelCid(model)
  const providers: PeerId[] = []
  const seen = new Set<string>()
  const tasks: Promise<number>[] = []
  let failed = 0
  let lastError: unknown
  for await (const provider of node.contentRouting.findProviders(cid, { signal })) {
    const key = provider.id.toString()
    if (seen.has(key) || provider.id.equals(node.peerId)) continue
    seen.add(key)
    providers.push(provider.id)
    if (provider.multiaddrs.length > 0) {
      // the dial below may still find the provider through the DHT without these addresses
      await node.peerStore
        .merge(provider.id, { multiaddrs: provider.multiaddrs })
        .catch((error: unknown) => log('storing the addresses of %p failed - %e', provider.id, error))
    }
    tasks.push(
      fetchOffers(node, provider.id, model, { signal: AbortSignal.timeout(options.timeoutMs ?? 5000) }).then(
        (offers) => book.addVerified(offers, { from: provider.id }),
        (error: unknown) => {
          log('asking provider %p for offers of %s failed - %e', provider.id, model, error)
          failed++
          lastError = error
          return 0
        },
      ),
    )
    if (providers.length >= max) break
  }
  const added = (await Promise.all(tasks)).reduce((a, b) => a + b, 0)
  return { providers, added, failed, ...(failed > 0 ? { lastError } : {}) }
}
