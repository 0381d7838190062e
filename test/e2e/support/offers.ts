import type { LightPeer } from '@cocoon-mesh/peer'
import { waitForEvent } from '../../../test-support/wait.ts'

/**
 * Resolves once the client sees `count` offers of `model`: checked through
 * `client.offers` (which joins the model's topic and, while the book is empty,
 * asks the DHT) now and on every change of its order book. Rejects after
 * `timeoutMs` naming what was missing.
 */
export function waitForOffers(
  client: LightPeer,
  model: string,
  count: number,
  timeoutMs = 30_000,
): Promise<void> {
  return waitForEvent(
    client.peer.orderBook,
    'change',
    async () => (await client.offers(model)).length >= count,
    { what: `${count} offer(s) of ${model} in the client's order book`, timeoutMs },
  )
}
