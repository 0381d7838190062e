import { type Listenable, waitForEvents } from '../../../../test-support/wait.ts'
import type { CocoonPeer } from '../../src/internal.js'

/**
 * Resolves once `condition()` holds, re-checking whenever one of the peers'
 * books changes and on their gossip heartbeats, never on a fixed sleep.
 * Rejects naming `what` when it does not hold within `timeoutMs`.
 */
export function waitForBooks(
  peers: CocoonPeer[],
  condition: () => boolean,
  what: string,
  timeoutMs?: number,
): Promise<void> {
  const sources: Array<readonly [Listenable, string]> = []
  for (const peer of peers) {
    sources.push([peer.orderBook, 'change'])
    const pubsub = peer.libp2p.services.pubsub
    if (pubsub !== undefined) sources.push([pubsub, 'gossipsub:heartbeat'])
  }
  return waitForEvents(sources, condition, { what, ...(timeoutMs === undefined ? {} : { timeoutMs }) })
}
