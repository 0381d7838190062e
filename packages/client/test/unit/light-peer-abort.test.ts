/**
 * The light peer's waits end when the caller's signal aborts: a cold start
 * waiting for offers that never come, and a stop.
 */
import { AbortedError } from '@cocoon-mesh/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { createLightPeer, DiscoveryFailedError, type LightPeer } from '../../src/index.js'

let client: LightPeer | undefined

afterEach(async () => {
  await client?.stop()
  client = undefined
})

describe('light peer abort signals', () => {
  it('offers() on an empty mesh rejects with AbortedError when the signal aborts, long before the cold start ends', async () => {
    client = await createLightPeer({ transport: 'memory', coldStart: { coldStartMs: 600_000 } })
    const controller = new AbortController()
    const waiting = client.offers('nobody-serves-this', { signal: controller.signal })
    controller.abort(new Error('user left the page'))
    const error = await waiting.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(AbortedError)
    expect((error as AbortedError).cause).toEqual(new Error('user left the page'))
  })

  it('offers() with a signal that never aborts waits out the cold start: no peer to ask is a discovery failure', async () => {
    client = await createLightPeer({ transport: 'memory', coldStart: { coldStartMs: 50 } })
    const signal = new AbortController().signal
    await expect(client.offers('nobody-serves-this', { signal })).rejects.toBeInstanceOf(DiscoveryFailedError)
  })

  it('stop() with an aborted signal rejects with AbortedError and the node still stops', async () => {
    const peer = await createLightPeer({ transport: 'memory' })
    const stopped = new Promise<void>((resolve) =>
      peer.peer.libp2p.addEventListener('stop', () => resolve(), { once: true }),
    )
    await expect(peer.stop({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError)
    await stopped
    expect(peer.peer.libp2p.status).toBe('stopped')
  })

  it('createLightPeer with an aborted signal rejects with AbortedError', async () => {
    await expect(
      createLightPeer({ transport: 'memory', signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortedError)
  })
})
