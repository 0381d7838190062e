/**
 * The page's light peer: its identity and vouchers in IndexedDB, joined to
 * the mesh through one bootstrap peer over WebSockets.
 */
import { createLightPeer, type LightPeer } from '@cocoon-mesh/client'
import type { ClientPayments } from '@cocoon-mesh/settlement'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'
import { MeshUnreachableError } from './errors.js'
import { loadOrCreateIdentity } from './storage.js'

/** How long the page waits for its bootstrap peer to answer before saying the mesh is unreachable. */
const BOOTSTRAP_WAIT_MS = 10_000
const COLLECT_MS = 300

export interface SessionOptions {
  bootstrap: string
  store: Datastore
  payments?: ClientPayments
}

/**
 * Starts the light peer and waits until its bootstrap peer is connected.
 * @throws {MeshUnreachableError} when it is not within 10 s; also the storage errors of the identity.
 */
export async function openSession(options: SessionOptions): Promise<LightPeer> {
  const privateKey = await loadOrCreateIdentity(options.store)
  const client = await createLightPeer({
    bootstrap: [options.bootstrap],
    privateKey,
    // someone is waiting on the page: rank the offers that arrived within 300 ms on a cold
    // start (default 1 s); later jobs rank the live order book
    coldStart: { collectMs: COLLECT_MS },
    ...(options.payments === undefined ? {} : { payments: options.payments }),
  })
  // read by the benchmark: page load to a started libp2p node is its baseline
  performance.mark('cocoon:libp2p-started')
  try {
    await bootstrapConnected(client.peer.libp2p, options.bootstrap, BOOTSTRAP_WAIT_MS)
  } catch (error) {
    await client.stop()
    throw error
  }
  return client
}

async function bootstrapConnected(libp2p: Libp2p, addr: string, ms: number): Promise<void> {
  const id = multiaddr(addr)
    .getComponents()
    .find((c) => c.name === 'p2p')?.value
  const connected = (): boolean => libp2p.getConnections().some((c) => c.remotePeer.toString() === id)
  if (connected()) return
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      if (!connected()) return
      clearTimeout(timer)
      libp2p.removeEventListener('connection:open', done)
      resolve()
    }
    const timer = setTimeout(() => {
      libp2p.removeEventListener('connection:open', done)
      reject(
        new MeshUnreachableError(`the mesh at ${addr} did not answer within ${ms / 1000} s`, {
          details:
            'check that the mesh runs (`npm run demo -- --serve` for a local one) and that this is its /ws address',
        }),
      )
    }, ms)
    libp2p.addEventListener('connection:open', done)
  })
}
