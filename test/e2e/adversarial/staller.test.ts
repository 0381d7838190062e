/**
 * Stallers cannot hold a job: next to an honest provider at 3000 nanoTON/1k,
 * two dishonest provider processes at price 0 (one accepts and sends nothing,
 * one sends a token every 25 s) take jobs from a light client over TCP. Every
 * job completes on the honest provider, each staller costs a job less than
 * 5 s (its first-token or progress limit, from the rate its offer promised),
 * and once a staller failed a job no later job picks it again.
 */
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { createLightPeer, type JobUsage, type LightPeer } from '@cocoon-mesh/client'
import { type LocalMesh, startLocalMesh } from '@cocoon-mesh/peer'
import { afterEach, describe, expect, it } from 'vitest'
import { ProcessGroup } from '../../../test-support/cli-processes.ts'
import { waitForOffers } from '../support/offers.js'
import { useScratchHome } from '../support/scratch-home.js'
import { startDishonestProvider } from './support/dishonest.js'

const MODEL = 'tiny'
/** The most one staller may cost a job, ms: its limits are 3 s; the rest is room for a loaded machine. */
const STALL_BOUND_MS = 5_000
const scratch = useScratchHome('cocoon-e2e-staller-')
const group = new ProcessGroup(60_000)
afterEach(() => group.stopAll())

async function mesh(): Promise<LocalMesh> {
  const m = await startLocalMesh({
    providers: [{ price: '3000' }],
    home: await mkdtemp(join(scratch.home, 'mesh-')),
  })
  scratch.cleanups.push(() => m.stop())
  return m
}

async function run(client: LightPeer, prompt: string): Promise<{ tokens: number; usage: JobUsage }> {
  const job = client.generate({ model: MODEL, prompt, maxTokens: 8 })
  let tokens = 0
  for await (const chunk of job) tokens += chunk.tokens
  return { tokens, usage: await job.usage }
}

describe('a staller costs a job seconds, once', () => {
  it('every job completes on the honest provider; each staller is abandoned within its limit and then avoided', async () => {
    const m = await mesh()
    const honest = m.providers[0]?.peerId
    const silent = await startDishonestProvider(group, 'silent', m.bootstrapAddrs)
    const trickle = await startDishonestProvider(group, 'trickle', m.bootstrapAddrs, {
      COCOON_FAKE_TRICKLE_MS: '25000',
      COCOON_FAKE_TOKENS_PER_SECOND: '20',
    })
    const stallers = new Set([silent.peerId, trickle.peerId])
    const client = await createLightPeer({ bootstrap: m.bootstrapAddrs })
    scratch.cleanups.push(() => client.stop())
    // a generous wait: offers cross gossip slowly on a loaded machine
    await waitForOffers(client, MODEL, 3, 90_000)

    const failedBefore = new Set<string>()
    for (const prompt of ['one', 'two', 'three']) {
      const { tokens, usage } = await run(client, prompt)
      expect(tokens).toBe(8)
      const last = usage.parts.at(-1)
      expect([last?.providerId, last?.outcome]).toEqual([honest, 'completed'])
      for (const part of usage.parts.slice(0, -1)) {
        expect(stallers.has(part.providerId)).toBe(true)
        expect(part.outcome).toBe('failed')
        expect(part.error).toContain('ERR_PROVIDER_TIMEOUT')
        expect(part.endedAt - part.startedAt).toBeLessThan(STALL_BOUND_MS)
        // a staller that failed one job is not picked by a later one
        expect(failedBefore.has(part.providerId)).toBe(false)
      }
      for (const part of usage.parts.slice(0, -1)) failedBefore.add(part.providerId)
    }
    // the stallers were reached (else this shows nothing), and each took at most one job in all
    expect(failedBefore.size).toBeGreaterThan(0)
    expect(silent.jobs().length).toBeLessThanOrEqual(1)
    expect(trickle.jobs().length).toBeLessThanOrEqual(1)
  }, 180_000)
})
