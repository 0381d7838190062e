import type { CocoonPeer } from '../../src/index.js'

/**
 * Resolves once `condition()` holds, re-checking whenever one of the peers'
 * books changes (and on gossip heartbeats), never on a fixed sleep. The test
 * timeout bounds the wait.
 */
export function waitForBooks(peers: CocoonPeer[], condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const cleanups: Array<() => void> = []
    const check = (): void => {
      if (!condition()) return
      for (const c of cleanups) c()
      resolve()
    }
    for (const peer of peers) {
      peer.orderBook.addEventListener('change', check)
      cleanups.push(() => peer.orderBook.removeEventListener('change', check))
      const pubsub = peer.libp2p.services.pubsub
      if (pubsub !== undefined) {
        pubsub.addEventListener('gossipsub:heartbeat', check)
        cleanups.push(() => pubsub.removeEventListener('gossipsub:heartbeat', check))
      }
    }
    check()
  })
}

/** Resolves when `condition()` holds, checked on every event of `target`. */
export function waitForEvent(target: EventTarget, type: string, condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!condition()) return
      target.removeEventListener(type, check)
      resolve()
    }
    target.addEventListener(type, check)
    check()
  })
}
