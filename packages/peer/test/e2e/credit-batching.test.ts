/**
 * A paid LLM job with the default client policy (sign once half the credit
 * window is unpaid) must never stall on the provider's token batching: a
 * batch may not cost more than the credit the client's vouchers leave.
 * Window 10 tokens; the provider produces 9 tokens at once (batched 1 + 8,
 * the client signs 9), then 4 (the client is 4 behind: no voucher yet), then
 * 9 at once: a 9-token frame would need 12 covered with 9 paid and wait for a
 * voucher the client has no reason to sign.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLightNode, runLlmJob } from '@cocoon-mesh/client/internal'
import {
  Admission,
  type GenerateRequest,
  type GenerationResult,
  type GenerationStream,
  type TokenChunk,
} from '@cocoon-mesh/gpu-runtime'
import {
  clientPayments,
  decorateProviderSession,
  providerPayments,
  signingKeyFromSeed,
} from '@cocoon-mesh/settlement'
import { openVoucherStore } from '@cocoon-mesh/settlement/node'
import { afterEach, expect, it } from 'vitest'
import { runCleanups } from '../../../../test-support/cleanup.ts'
import { waitForEvent } from '../../../../test-support/wait.ts'
import { contextFor, startProvider } from '../fixtures/mesh.js'

const CHANNEL = `0:${'ab'.repeat(32)}`
const stops: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await runCleanups(stops)
})

it('a paid job with the default client payments never stalls on token batching', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-stall-'))
  stops.push(() => rm(dir, { recursive: true, force: true }))
  const key = signingKeyFromSeed(new Uint8Array(32).fill(3))
  const pStore = await openVoucherStore(join(dir, 'p'), { durable: false })
  const cStore = await openVoucherStore(join(dir, 'c'), { durable: false })
  stops.push(
    () => pStore.close(),
    () => cStore.close(),
  )
  // 'voucher' when the provider accepts one, 'chunk' when the client receives tokens
  const progress = new EventTarget()
  let accepted = 0n
  let received = 0
  const inner = providerPayments({
    store: pStore,
    channelTerms: async () => ({
      clientKey: key.publicKey,
      deposit: 1_000_000n,
      payableToUs: true,
      closed: false,
      exitStarted: false,
    }),
    creditWindow: 10n, // 10 tokens at 1000 nanoTON per 1k
    voucherTimeout: 3000,
  })
  const payments = {
    async openSession(...args: Parameters<typeof inner.openSession>) {
      const s = await inner.openSession(...args)
      return decorateProviderSession(s, {
        covered: () => s.covered?.() ?? 0n,
        async acceptVoucher(v) {
          await s.acceptVoucher(v)
          accepted = v.amount
          progress.dispatchEvent(new Event('voucher'))
        },
      })
    },
  }
  // single-token chunks, as llama.cpp produces them, released in three groups
  const groups: Array<[number, () => Promise<void>]> = [
    [9, async () => {}],
    [
      4,
      () =>
        waitForEvent(progress, 'voucher', () => accepted >= 9n, {
          what: 'a voucher for the first 9 tokens',
          timeoutMs: 10_000,
        }),
    ],
    [
      9,
      () =>
        waitForEvent(progress, 'chunk', () => received >= 13, {
          what: 'the client receiving the first 13 tokens',
          timeoutMs: 10_000,
        }),
    ],
  ]
  const admission = new Admission({ limits: { tiny: { maxConcurrency: 4, maxQueue: 0 } } })
  const runtime = {
    models: () => ['tiny'],
    stats: () => admission.stats(),
    reserve: (key: string) => admission.reserve(key),
    runTensor: () => Promise.reject(new Error('no tensors')),
    generate(request: GenerateRequest): GenerationStream {
      let done!: (r: GenerationResult) => void
      const result = new Promise<GenerationResult>((r) => {
        done = r
      })
      return {
        result,
        usage: result.then((r) => r.usage),
        finishReason: result.then((r) => r.finishReason),
        async *[Symbol.asyncIterator](): AsyncGenerator<TokenChunk> {
          let n = 0
          for (const [tokens, gate] of groups) {
            await gate()
            if (request.signal?.aborted === true) throw request.signal.reason
            for (let i = 0; i < tokens; i++) {
              n++
              yield { text: 'x', tokens: 1 }
            }
          }
          done({
            usage: { promptTokens: 0, cachedTokens: 0, completionTokens: n, reasoningTokens: 0 },
            finishReason: 'length',
            backend: 'test',
          })
        },
      }
    },
  }
  const provider = await startProvider(1000n, { runtime: runtime as never, payments })
  stops.push(() => provider.peer.stop())
  const client = await createLightNode({ gossip: false })
  stops.push(() => client.stop())
  const job = runLlmJob(
    {
      ...contextFor(client.libp2p, [provider]),
      maxAttempts: 1,
      payments: clientPayments({
        store: cStore,
        key,
        channelFor: async () => ({ address: CHANNEL, deposit: 1_000_000n }),
      }),
    },
    { model: 'tiny', prompt: 'hi', maxTokens: 22 },
  )
  for await (const chunk of job) {
    received += chunk.tokens
    progress.dispatchEvent(new Event('chunk'))
  }
  expect(received).toBe(22)
}, 30_000)
