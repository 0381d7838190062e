import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { LevelDatastore } from 'datastore-level'
import type { Datastore } from 'interface-datastore'
import { afterEach, describe, expect, it } from 'vitest'
import { runCleanups } from '../../../../test-support/cleanup.ts'
import { withUninterruptedReads } from '../../src/home/datastore.js'
import { createPeer } from '../../src/index.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await runCleanups(cleanups)
})

/**
 * A persisted peer store remembers a peer with an address; then a merge runs
 * whose signal aborts while the stored record is being read - what kad-dht
 * does when it tags a routing-table peer while the node stops.
 */
async function tagWhileStopping(
  wrap: (d: Datastore) => Datastore,
): Promise<{ addrs: number; tags: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-datastore-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const level = new LevelDatastore(dir)
  await level.open()
  cleanups.push(() => level.close())
  const stopping = new AbortController()
  // the shutdown signal fires as the read starts
  const abortOnRead = new Proxy(level, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown
      if (property !== 'get' || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value
      }
      return (key: unknown, options?: { signal?: AbortSignal }) => {
        if (options?.signal === stopping.signal) stopping.abort()
        return value.call(target, key, options)
      }
    },
  })
  const peer = await createPeer({ listen: [], datastore: wrap(abortOnRead), gossip: false })
  cleanups.push(() => peer.stop())
  const remembered = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  await peer.libp2p.peerStore.merge(remembered, { multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001')] })
  await peer.libp2p.peerStore
    .merge(remembered, { tags: { 'kad-peer': { value: 1 } } }, { signal: stopping.signal })
    // this merge is aborted on purpose (as kad-dht's shutdown does); what it leaves behind is the test
    .catch((error: unknown) => expect(error).toBeInstanceOf(Error))
  const stored = await peer.libp2p.peerStore.get(remembered)
  return { addrs: stored.addresses.length, tags: [...stored.tags.keys()] }
}

describe('the node datastore', () => {
  it('a peer-store merge whose read is aborted erases the remembered addresses (libp2p peer-store)', async () => {
    expect(await tagWhileStopping((d) => d)).toEqual({ addrs: 0, tags: ['kad-peer'] })
  })

  it('with uninterrupted reads the merge keeps them', async () => {
    expect(await tagWhileStopping(withUninterruptedReads)).toEqual({ addrs: 1, tags: ['kad-peer'] })
  })
})
