import { CocoonError } from '@cocoon-mesh/protocol'

/**
 * Every attempt to find offers outside gossip failed (the DHT lookup, or
 * every provider it found) and no offer arrived otherwise. `cause` is the
 * last failure.
 */
export class DiscoveryFailedError extends CocoonError<'ERR_DISCOVERY_FAILED'> {
  readonly code = 'ERR_DISCOVERY_FAILED' as const
  override name = 'DiscoveryFailedError'
}

/**
 * The DHT lookup could not start: the node's routing table held no peer
 * within the wait (no bootstrap peer speaking the DHT was reached, or none
 * answered the routing table's check). A lookup started then would ask nobody.
 */
export class RoutingTableEmptyError extends CocoonError<'ERR_ROUTING_TABLE_EMPTY'> {
  readonly code = 'ERR_ROUTING_TABLE_EMPTY' as const
  override name = 'RoutingTableEmptyError'
}
