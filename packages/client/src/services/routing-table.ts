import type { AbortOptions } from '@libp2p/interface'

/**
 * The part of kad-dht's routing table that discovery watches: its size and
 * its `peer:add` event. kad-dht's public `KadDHT` type does not name its
 * routing table, so {@link routingTableOf} finds it on the service at run time.
 */
export type ObservedRoutingTable = EventTarget & { readonly size: number }

function isObservedRoutingTable(value: unknown): value is ObservedRoutingTable {
  return value instanceof EventTarget && 'size' in value && typeof value.size === 'number'
}

/** The routing table of a kad-dht service, or undefined when the service has none to observe. */
export function routingTableOf(dht: object): ObservedRoutingTable | undefined {
  if (!('routingTable' in dht)) return undefined
  return isObservedRoutingTable(dht.routingTable) ? dht.routingTable : undefined
}

/**
 * Resolves true once the routing table holds a peer (at once when it already
 * does; else on its first `peer:add`), false when `signal` fires first or
 * there is no routing table to watch. Never rejects.
 */
export function routingTableReady(dht: object, options: AbortOptions = {}): Promise<boolean> {
  const table = routingTableOf(dht)
  if (table === undefined) return Promise.resolve(false)
  if (table.size > 0) return Promise.resolve(true)
  const signal = options.signal
  if (signal?.aborted === true) return Promise.resolve(false)
  return new Promise<boolean>((resolve) => {
    const done = (ready: boolean): void => {
      table.removeEventListener('peer:add', onAdd)
      signal?.removeEventListener('abort', onAbort)
      resolve(ready)
    }
    const onAdd = (): void => done(true)
    const onAbort = (): void => done(false)
    table.addEventListener('peer:add', onAdd)
    signal?.addEventListener('abort', onAbort)
  })
}
