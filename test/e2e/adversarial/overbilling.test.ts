/**
 * A provider cannot bill more than the client counted: next to an honest
 * provider at 3000 nanoTON/1k, two dishonest provider processes at price 0
 * answer `max_tokens: 8`, one with 400 tokens in one chunk, one with 2
 * tokens, both then claiming 1,000,000 prompt tokens and 10^18 nanoTON. The
 * caller gets at most 8 tokens, the usage the SDK and the gateway report is
 * what the client counted, the job completes on the honest provider, and the
 * cheaters are recorded (outcome `cheated`, not picked by the next job).
 */
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { createLightPeer, type JobUsage, type LightPeer } from '@cocoon-mesh/client'
import { type LocalMesh, startGateway, startLocalMesh } from '@cocoon-mesh/peer'
import { afterEach, describe, expect, it } from 'vitest'
import { ProcessGroup } from '../../../test-support/cli-processes.ts'
import { connectToOfferedProviders, waitForOffers } from '../support/offers.js'
import { useScratchHome } from '../support/scratch-home.js'
import { type DishonestProvider, startDishonestProvider } from './support/dishonest.js'

const MODEL = 'tiny'
const PRICE_PER_K = 3000n
const scratch = useScratchHome('cocoon-e2e-overbilling-')
const group = new ProcessGroup(60_000)
afterEach(() => group.stopAll())

async function setup(): Promise<{
  m: LocalMesh
  honest: string | undefined
  flood: DishonestProvider
  overclaim: DishonestProvider
  client: () => Promise<LightPeer>
}> {
  const m = await startLocalMesh({
    providers: [{ price: PRICE_PER_K.toString() }],
    home: await mkdtemp(join(scratch.home, 'mesh-')),
  })
  scratch.cleanups.push(() => m.stop())
  const flood = await startDishonestProvider(group, 'flood', m.bootstrapAddrs)
  const overclaim = await startDishonestProvider(group, 'overclaim', m.bootstrapAddrs)
  const client = async (): Promise<LightPeer> => {
    const c = await createLightPeer({ bootstrap: m.bootstrapAddrs })
    scratch.cleanups.push(() => c.stop())
    // a generous wait: offers cross gossip slowly on a loaded machine
    await waitForOffers(c, MODEL, 3, 90_000)
    // every provider reachable: the cheaper fakes are asked before the honest one
    await connectToOfferedProviders(c, MODEL)
    return c
  }
  return { m, honest: m.providers[0]?.peerId, flood, overclaim, client }
}

/** The usage is the sum of its parts, each part costed at most at the accepted price of what it delivered. */
function expectCounted(usage: JobUsage, tokens: number): void {
  expect(usage.completionTokens).toBe(tokens)
  expect(usage.completionTokens).toBe(usage.parts.reduce((n, p) => n + p.completionTokens, 0))
  expect(usage.promptTokens).toBe(usage.parts.reduce((n, p) => n + p.promptTokens, 0))
  expect(usage.cost).toBe(usage.parts.reduce((n, p) => n + p.cost, 0n))
  for (const p of usage.parts) {
    const atPrice =
      BigInt(p.promptTokens) * p.price.perKPromptTokens +
      BigInt(p.completionTokens) * p.price.perKCompletionTokens
    // rounded up once per part
    expect(p.cost).toBeLessThanOrEqual((atPrice + 999n) / 1000n)
  }
  // the prompt was a few bytes: nothing near the claimed million
  expect(usage.promptTokens).toBeLessThan(200)
}

describe('a provider cannot bill more than the client counted', () => {
  it('the SDK cuts a flood at max_tokens, refuses the inflated results and completes on the honest provider', async () => {
    const { honest, flood, overclaim, client } = await setup()
    const cheaters = new Set([flood.peerId, overclaim.peerId])
    const c = await client()

    const job = c.generate({ model: MODEL, prompt: 'hello', maxTokens: 8 })
    let tokens = 0
    let text = ''
    for await (const chunk of job) {
      tokens += chunk.tokens
      text += chunk.text
    }
    const usage = await job.usage
    expect(tokens).toBeLessThanOrEqual(8)
    expect(text).not.toContain('flood')
    expectCounted(usage, tokens)
    const last = usage.parts.at(-1)
    expect([last?.providerId, last?.outcome]).toEqual([honest, 'completed'])
    const refused = usage.parts.slice(0, -1)
    for (const part of refused) {
      expect(cheaters.has(part.providerId)).toBe(true)
      expect([part.outcome, part.error?.split(':')[0]]).toEqual(['cheated', 'ERR_USAGE_MISMATCH'])
    }
    // the attack reached the client, and the flood was cancelled when it went past max_tokens
    expect(refused.length).toBeGreaterThan(0)
    if (refused.some((p) => p.providerId === flood.peerId)) {
      await flood.proc.until(
        (lines) => lines.some((l) => l.startsWith('cancel ')),
        'the JobCancel for the flood',
      )
    }
    expect(tokens).toBe(8)

    // recorded: the next job goes to the honest provider without trying a cheater again
    const next = c.generate({ model: MODEL, prompt: 'again', maxTokens: 8 })
    for await (const _ of next) {
      // the tokens
    }
    const nextUsage = await next.usage
    expect(nextUsage.parts.filter((p) => refused.some((r) => r.providerId === p.providerId))).toEqual([])
    expectCounted(nextUsage, 8)
  }, 180_000)

  it('the gateway answers with the usage the client counted, not the provider claims', async () => {
    const { honest, flood, overclaim, client } = await setup()
    const c = await client()
    const gateway = await startGateway({
      generate: (params) => c.generate(params),
      offers: () => c.peer.orderBook.offers(),
    })
    scratch.cleanups.push(() => gateway.close())
    const sentAt = Date.now()
    const res = await fetch(`${gateway.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
      cocoon: {
        cost_nanoton: string
        parts: Array<{ provider: string; outcome: string; completion_tokens: number; cost_nanoton: string }>
      }
    }
    expect(body.usage.completion_tokens).toBe(8)
    expect(body.usage.prompt_tokens).toBeLessThan(200)
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens)
    const parts = body.cocoon.parts
    expect(parts.reduce((n, p) => n + p.completion_tokens, 0)).toBe(8)
    expect(BigInt(body.cocoon.cost_nanoton)).toBe(parts.reduce((n, p) => n + BigInt(p.cost_nanoton), 0n))
    // 8 tokens and a short prompt at 3000/1k: a few hundred nanoTON at most
    expect(BigInt(body.cocoon.cost_nanoton)).toBeLessThan(1_000n)
    expect(parts.at(-1)?.outcome).toBe('completed')
    expect(parts.at(-1)?.provider).toBe(honest)
    expect(parts.slice(0, -1).every((p) => p.outcome === 'cheated')).toBe(true)
    // the gateway's requests carry a deadline (the caller gave none), in the future of when they were sent
    const requests = [...flood.jobs(), ...overclaim.jobs()]
    expect(requests.length).toBeGreaterThan(0)
    for (const r of requests) expect(r.deadline).toBeGreaterThan(sentAt)
  }, 180_000)
})
