/**
 * Ping streams a node answers are closed at once, also when the ping and the
 * pinger's close arrive while the node is still storing the stream's protocol
 * in its (LevelDB) peer store, as a `cocoon node` does: libp2p's own handler
 * then held the stream half-open until its 10 s timeout, so a plain js-libp2p
 * peer (one outbound ping stream allowed) failed its next ping and its
 * connection monitor closed the connection. Real libp2p nodes over TCP.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { Stream } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { LevelDatastore } from 'datastore-level'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { createPeer } from '../../src/peer/create-peer.js'
import { PING_PROTOCOL } from '../../src/services/ping-responder.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Resolves with the stream's final status once it closed or was reset. */
function ended(stream: Stream): Promise<string> {
  if (stream.status === 'closed' || stream.status === 'reset' || stream.status === 'aborted')
    return Promise.resolve(stream.status)
  return new Promise((resolve) =>
    stream.addEventListener('close', () => resolve(stream.status), { once: true }),
  )
}

/**
 * A cocoon peer on a LevelDB peer store, as a `cocoon node` runs (its ping
 * handler runs only after the stream's protocol is stored there), and a plain
 * js-libp2p peer with libp2p's defaults (one outbound ping stream per
 * connection) connected to it.
 */
async function nodeAndPlainPinger() {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-ping-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const datastore = new LevelDatastore(dir)
  await datastore.open()
  cleanups.push(() => datastore.close())
  const node = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'], datastore })
  cleanups.push(() => node.stop())
  const plain = await createLibp2p({
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { ping: ping() },
  })
  cleanups.push(async () => {
    await plain.stop()
  })
  const addr = node.libp2p.getMultiaddrs()[0]
  if (addr === undefined) throw new Error('the node listens nowhere')
  return { node, plain, connection: await plain.dial(addr) }
}

describe('the ping responder', () => {
  it('closes every answered ping stream, so a plain js-libp2p peer pings it again and again', async () => {
    const { node, plain, connection } = await nodeAndPlainPinger()
    for (let i = 0; i < 10; i++) {
      await plain.services.ping.ping(node.libp2p.peerId)
      const open = connection.streams.filter((s) => s.protocol === PING_PROTOCOL)
      // closed by both sides, not reset by a timeout
      expect(await Promise.all(open.map(ended))).toEqual(open.map(() => 'closed'))
    }
  }, 120_000)

  it('stays up when a ping and its reset arrive before the handler runs', async () => {
    // the handler waits for the LevelDB peer store, so a fast pinger's ping and reset are both buffered by then
    const { node, plain, connection } = await nodeAndPlainPinger()
    const errors: unknown[] = []
    const onError = (error: unknown): void => {
      errors.push(error)
    }
    process.on('uncaughtException', onError)
    cleanups.push(async () => {
      process.off('uncaughtException', onError)
    })
    for (let i = 0; i < 50; i++) {
      const stream = await connection.newStream(PING_PROTOCOL)
      // the ping and the reset leave in one write, so they arrive together
      stream.send(new Uint8Array(32))
      stream.abort(new Error('gone'))
    }
    // the node still answers a proper ping on the same connection
    await expect(plain.services.ping.ping(node.libp2p.peerId)).resolves.toBeGreaterThanOrEqual(0)
    expect(errors).toEqual([])
    expect(node.libp2p.status).toBe('started')
  }, 120_000)
})
