import type { AbortOptions } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

/**
 * Wraps the node's datastore so that reads ignore abort signals.
 *
 * `@libp2p/peer-store` (12.0.x) merges a peer record by reading the stored
 * one first, and treats ANY read error as "no such peer": it then saves a
 * fresh record holding only the fields being merged, without the caller's
 * signal. kad-dht tags routing-table peers with its shutdown signal, so a node
 * stopped right after meeting a peer aborts that read, and the peer's stored
 * addresses, protocols and metadata are overwritten by a record with just the
 * `kad-peer` tag. The restarted node then has no address to reconnect to.
 * Local reads are quick; letting them finish keeps the merge correct (and a
 * closed store still fails the write, so nothing is overwritten then).
 */
export function withUninterruptedReads<D extends Datastore>(datastore: D): D {
  return new Proxy(datastore, {
    get(target, property, receiver) {
      if (property === 'get' || property === 'has') {
        const read = Reflect.get(target, property, receiver) as (
          key: unknown,
          options?: AbortOptions,
        ) => unknown
        return (key: unknown, options?: AbortOptions) => read.call(target, key, withoutSignal(options))
      }
      const value = Reflect.get(target, property, receiver) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

function withoutSignal(options: AbortOptions | undefined): AbortOptions | undefined {
  if (options?.signal === undefined) return options
  const { signal: _ignored, ...rest } = options
  return rest
}
