import {
  type AbortOptions,
  type ComponentLogger,
  type Logger,
  type PeerId,
  type Startable,
  serviceDependencies,
} from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { CID } from 'multiformats/cid'
import type { OfferBookChange } from '../market/offer-book.js'
import { modelCid } from './model-cid.js'
import { ORDER_BOOK_CAPABILITY, type OrderBookService } from './order-book.js'

/** The provider-record store of kad-dht (its `providers`), which its public type does not name. */
interface ProviderRecordStore {
  removeProvider(cid: CID, provider: PeerId, options?: AbortOptions): Promise<void>
}

function isProviderRecordStore(value: unknown): value is ProviderRecordStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    'removeProvider' in value &&
    typeof value.removeProvider === 'function'
  )
}

export interface StaleProviderRecordsComponents {
  logger: ComponentLogger
  orderBook: OrderBookService
  /** The kad-dht service whose stored provider records are dropped. */
  dht: object
}

/**
 * Drops the DHT provider records this peer stores for a provider once the
 * order book saw it gone (its offers cancelled by its signed cancel, or
 * expired unrenewed: a live provider republishes at half its TTL), so DHT
 * lookups stop returning it. A provider that comes back announces again.
 */
export class StaleProviderRecordsService implements Startable {
  readonly #components: StaleProviderRecordsComponents
  readonly #log: Logger
  readonly #store: ProviderRecordStore | undefined

  constructor(components: StaleProviderRecordsComponents) {
    this.#components = components
    this.#log = components.logger.forComponent('cocoon:stale-provider-records')
    const dht = components.dht
    const store = 'providers' in dht ? dht.providers : undefined
    this.#store = isProviderRecordStore(store) ? store : undefined
  }

  readonly [Symbol.toStringTag] = 'cocoon/stale-provider-records'
  readonly [serviceDependencies]: string[] = [ORDER_BOOK_CAPABILITY, '@libp2p/kad-dht']

  start(): void {
    if (this.#store === undefined) {
      this.#log('the DHT service exposes no provider store; stale provider records stay until they expire')
      return
    }
    this.#components.orderBook.addEventListener('change', this.#onChange)
  }

  stop(): void {
    this.#components.orderBook.removeEventListener('change', this.#onChange)
  }

  readonly #onChange = (event: CustomEvent<OfferBookChange>): void => {
    const { type, reason, provider, entry } = event.detail
    if (type !== 'removed' || reason === 'evicted') return
    void this.drop(provider, entry.models)
  }

  /** Removes `provider`'s records of `models` from the local provider store; failures are logged. */
  async drop(provider: string, models: readonly string[]): Promise<void> {
    const store = this.#store
    if (store === undefined) return
    try {
      const peer = peerIdFromString(provider)
      for (const model of models) {
        await store.removeProvider(await modelCid(model), peer)
        this.#log('dropped the provider record of %p for %s: the provider is gone', peer, model)
      }
    } catch (error) {
      this.#log.error('dropping the provider records of %s failed - %e', provider, error)
    }
  }
}

/** The stale-provider-records service factory (js-libp2p style): needs `orderBook` and `dht`. */
export function staleProviderRecords(): (
  components: StaleProviderRecordsComponents,
) => StaleProviderRecordsService {
  return (components) => new StaleProviderRecordsService(components)
}
