import { DiscoveryFailedError, type LightPeer } from '@cocoon-mesh/client'
import { multiaddr } from '@multiformats/multiaddr'
import { waitForEvents } from '../../../test-support/wait.ts'

/**
 * Resolves once the client sees `count` offers of `model`: checked through
 * `client.offers` (which joins the model's topic and, while the book is empty,
 * asks the DHT) now, on every change of its order book and whenever a peer is
 * identified, and every 3 s (a late subscriber can miss the one push of
 * existing offers, and a cold start whose DHT rounds came too early is
 * announced by no event). A cold start whose
 * DHT rounds all failed (`DiscoveryFailedError`, e.g. on a loaded machine
 * before the routing table filled) counts as "not yet": gossip may still
 * deliver. Rejects after `timeoutMs` naming what was missing.
 */
export async function waitForOffers(
  client: LightPeer,
  model: string,
  count: number,
  timeoutMs = 30_000,
): Promise<void> {
  // a cold start that found nothing is not announced by any event: ask again every few seconds
  const retry = new EventTarget()
  const timer = setInterval(() => retry.dispatchEvent(new Event('retry')), 3_000)
  try {
    await waitForEvents(
      [
        [client.peer.orderBook, 'change'],
        // a newly identified peer may be the one whose DHT records or pushed offers were missing
        [client.peer.libp2p, 'peer:identify'],
        [retry, 'retry'],
      ],
      async () => {
        try {
          return (await client.offers(model)).length >= count
        } catch (error) {
          if (error instanceof DiscoveryFailedError) return false
          throw error
        }
      },
      { what: `${count} offer(s) of ${model} in the client's order book`, timeoutMs },
    )
  } finally {
    clearInterval(timer)
  }
}

/**
 * Connects the client to each provider at its listen address. A live
 * connection is the client's evidence that a provider answers, and ranking
 * puts such providers before unverified ones; a test that expects the
 * cheapest provider to serve first connects to all of them, so that the
 * order in which connections happened to come up decides nothing.
 */
export async function connectToProviders(
  client: LightPeer,
  providers: ReadonlyArray<{ addrs: string[] }>,
): Promise<void> {
  await Promise.all(
    providers.map(async (p) => {
      const addr = p.addrs[0]
      if (addr === undefined) throw new Error('a provider of the mesh has no listen address')
      await client.peer.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(30_000) })
    }),
  )
}

/**
 * A random source for `createLightPeer` that never picks ranking's exploration
 * branch (a share of jobs tries an unknown provider before a known-good one),
 * for tests that name which provider serves each job.
 */
export const NEVER_EXPLORE = (): number => 0.999

/**
 * Connects the client to every provider that offers `model`, at the signed
 * addresses of its offer: for tests whose providers expose no listen address
 * of their own (scripted hostile providers), so that every provider ranks as
 * reachable and price decides who is asked first.
 */
export async function connectToOfferedProviders(client: LightPeer, model: string): Promise<void> {
  const offers = await client.offers(model)
  await Promise.all(
    offers.map(async ({ offer }) => {
      const addrs = offer.addrs.map((bytes) => multiaddr(bytes))
      if (addrs.length === 0) throw new Error('an offer carries no address to dial')
      await client.peer.libp2p.dial(addrs, { signal: AbortSignal.timeout(30_000) })
    }),
  )
}
