/**
 * Sybil offers against ranking, with real processes over TCP: a bootstrap
 * node, two honest providers (`cocoon node start --provide` via the local
 * mesh), and an attacker process gossiping 1000 validly signed offers from
 * fresh keys at price 0-1 whose providers do not exist. A light client then
 * runs jobs. Every job must be served by an honest provider, and the fakes
 * may cost a job a bounded number of tries (at most the per-job cap on
 * unverified providers), never the whole attempt cap.
 */
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { createLightPeer } from '@cocoon-mesh/client'
import { type LocalMesh, startLocalMesh } from '@cocoon-mesh/peer'
import { canonicalModelId, orderBookTopic } from '@cocoon-mesh/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { ProcessGroup } from '../../../test-support/cli-processes.ts'
import { waitForEvent } from '../../../test-support/wait.ts'
import { waitForOffers } from '../support/offers.js'
import { useScratchHome } from '../support/scratch-home.js'

const MODEL = 'tiny'
const FAKES = 1000
const JOBS = 6
/** Fake offers the client's book must hold before the jobs run: the attack is on. */
const MIN_FAKES_SEEN = 50
/** Unverified providers one job tries at most (the failover's cap). */
const MAX_FAKE_TRIES_PER_JOB = 3
/** What the fakes may cost one job, ms: a few failed dials on a loaded 2-core machine. */
const MAX_WASTED_MS_PER_JOB = 20_000
const ATTACKER = join(import.meta.dirname, 'support/sybil-offers.ts')
const scratch = useScratchHome('cocoon-e2e-sybil-')
const { cleanups } = scratch
const procs = new ProcessGroup(60_000)
afterEach(() => procs.stopAll())

describe('Sybil offers (real processes, TCP)', () => {
  it('1000 fake cheap offers from fresh keys take no job from the honest providers', async () => {
    const m: LocalMesh = await startLocalMesh({
      providers: [{ price: '1000' }, { price: '3000' }],
      home: await mkdtemp(join(scratch.home, 'mesh-')),
    })
    cleanups.push(() => m.stop())
    const honest = new Set(m.providers.map((p) => p.peerId))
    const client = await createLightPeer({ bootstrap: m.bootstrapAddrs })
    cleanups.push(() => client.stop())
    // the flood is published once: it reaches the client through the gossip mesh of the model's
    // topic, so the client must be in that mesh before the attack (its offers may have come
    // through the DHT or a push, before any graft). The topic is joined by the first offers() call.
    const pubsub = client.peer.libp2p.services.pubsub
    if (pubsub === undefined) throw new Error('the light peer runs no gossipsub')
    const topic = orderBookTopic(canonicalModelId(MODEL))
    const meshPeers = new Set<string>()
    pubsub.addEventListener('gossipsub:graft', (e) => {
      if (e.detail.topic === topic) meshPeers.add(e.detail.peerId)
    })
    pubsub.addEventListener('gossipsub:prune', (e) => {
      if (e.detail.topic === topic) meshPeers.delete(e.detail.peerId)
    })
    await waitForOffers(client, MODEL, 2)
    await waitForEvent(pubsub, 'gossipsub:graft', () => meshPeers.size > 0, {
      what: `a gossip mesh peer of the client on ${topic}`,
      timeoutMs: 30_000,
    })

    const attacker = procs.spawn('attacker', [
      ATTACKER,
      [...m.bootstrapAddrs, ...m.providers.flatMap((p) => p.addrs)].join(','),
      MODEL,
      String(FAKES),
    ])
    await attacker.line(/^peer-id /)
    await attacker.line(/^published /)
    // the flood reached the client's book (how much of it depends on the relays' limits)
    await waitForEvent(
      client.peer.orderBook,
      'change',
      () => client.peer.orderBook.offers(MODEL).length >= 2 + MIN_FAKES_SEEN,
      {
        what: `at least ${MIN_FAKES_SEEN} fake offers in the client order book`,
        timeoutMs: 30_000,
      },
    )

    for (let i = 0; i < JOBS; i++) {
      const job = client.generate({ model: MODEL, prompt: 'hello', maxTokens: 4 })
      for await (const _ of job) {
        // drain the stream
      }
      const usage = await job.usage
      const served = usage.parts.filter((p) => p.outcome === 'completed')
      expect(served.map((p) => honest.has(p.providerId))).toEqual([true])
      const wasted = usage.parts.filter((p) => !honest.has(p.providerId))
      expect(wasted.length).toBeLessThanOrEqual(MAX_FAKE_TRIES_PER_JOB)
      expect(wasted.reduce((ms, p) => ms + (p.endedAt - p.startedAt), 0)).toBeLessThan(MAX_WASTED_MS_PER_JOB)
    }
  }, 300_000)
})
