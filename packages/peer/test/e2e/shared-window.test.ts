/**
 * The credit window is the channel's: three jobs at once on one channel, with
 * the real provider and client payments (channel proof included), all finish
 * and are paid, and at no point is the provider's work on the channel more
 * than one window ahead of the vouchers it accepted.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLightNode, runLlmJob } from '@cocoon-mesh/client/internal'
import {
  clientPayments,
  decorateProviderSession,
  type ProviderPaymentSession,
  type ProviderPayments,
  providerPayments,
  signingKeyFromSeed,
} from '@cocoon-mesh/settlement'
import { openVoucherStore } from '@cocoon-mesh/settlement/node'
import { afterEach, expect, it } from 'vitest'
import { runCleanups } from '../../../../test-support/cleanup.ts'
import { contextFor, startProvider } from '../fixtures/mesh.js'

const CHANNEL = `0:${'cd'.repeat(32)}`
const WINDOW = 10n // 10 tokens at 1000 nanoTON per 1k
const stops: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await runCleanups(stops)
})

it('three concurrent jobs on one channel share one credit window and all get paid', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-shared-window-'))
  stops.push(() => rm(dir, { recursive: true, force: true }))
  const key = signingKeyFromSeed(new Uint8Array(32).fill(5))
  const pStore = await openVoucherStore(join(dir, 'p'), { durable: false })
  const cStore = await openVoucherStore(join(dir, 'c'), { durable: false })
  stops.push(
    () => pStore.close(),
    () => cStore.close(),
  )
  const inner = providerPayments({
    store: pStore,
    channelTerms: async () => ({
      clientKey: key.publicKey,
      deposit: 1_000_000n,
      payableToUs: true,
      closed: false,
      exitStarted: false,
    }),
    creditWindow: WINDOW,
    voucherTimeout: 10_000,
  })
  // what the channel's jobs were granted by reserve and what their vouchers covered, at every grant
  const granted = new Map<ProviderPaymentSession, bigint>()
  const sessions: ProviderPaymentSession[] = []
  let worstAhead = 0n
  const payments: ProviderPayments = {
    async openSession(...args) {
      const s = await inner.openSession(...args)
      sessions.push(s)
      return decorateProviderSession(s, {
        covered: () => s.covered?.() ?? 0n,
        async reserve(cost, signal) {
          await s.reserve(cost, signal)
          granted.set(s, cost > (granted.get(s) ?? 0n) ? cost : (granted.get(s) ?? 0n))
          const total = [...granted.values()].reduce((a, b) => a + b, 0n)
          const covered = sessions.reduce((a, x) => a + (x.covered?.() ?? 0n), 0n)
          if (total - covered > worstAhead) worstAhead = total - covered
        },
      })
    },
  }
  const provider = await startProvider(1000n, { payments })
  stops.push(() => provider.peer.stop())
  const client = await createLightNode({ gossip: false })
  stops.push(() => client.stop())
  const ctx = {
    ...contextFor(client.libp2p, [provider]),
    maxAttempts: 1,
    payments: clientPayments({
      store: cStore,
      key,
      channelFor: async () => ({ address: CHANNEL, deposit: 1_000_000n }),
    }),
  }
  const costs = await Promise.all(
    ['a', 'b', 'c'].map(async (id) => {
      const job = runLlmJob(ctx, { model: 'tiny', prompt: 'hi', maxTokens: 60, jobId: `shared-${id}` })
      let tokens = 0
      for await (const chunk of job) tokens += chunk.tokens
      expect(tokens).toBe(60)
      return (await job.usage).cost
    }),
  )
  const billed = costs.reduce((a, b) => a + b, 0n)
  expect(billed).toBe(3n * 70n) // 10 prompt + 60 completion tokens each
  expect(worstAhead).toBeGreaterThan(0n)
  expect(worstAhead).toBeLessThanOrEqual(WINDOW)
  // the final vouchers travel after the results
  await expect
    .poll(async () => (await pStore.providerChannel(CHANNEL))?.newest, { timeout: 10_000, interval: 20 })
    .toBe(billed)
})
