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
