/**
 * The job protocol wired to the settlement seam: runJob asks
 * the client's payments for a channel before sending the JobRequest, opens the
 * session with the job id, and reports the cumulative billed cost (prompt
 * included) to delivered() before settling, so a prompt cost above the credit
 * window is paid instead of refused.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import {
  AllProvidersFailedError,
  createLightNode,
  JobFailedError,
  runLlmJob,
  runTensorJob,
} from '@cocoon-mesh/client/internal'
import { JobErrorCode, type JobRequest, type Voucher } from '@cocoon-mesh/protocol'
import {
  type ClientPayments,
  clientPayments,
  type ProviderPayments,
  signingKeyFromSeed,
  VoucherSignatureError,
} from '@cocoon-mesh/settlement'
import { openVoucherStore } from '@cocoon-mesh/settlement/node'
import { afterEach, describe, expect, it } from 'vitest'
import { runCleanups } from '../../../../test-support/cleanup.ts'
import { contextFor, startProvider, type TestProvider } from '../fixtures/mesh.js'

const CHANNEL = `0:${'ab'.repeat(32)}`
const stops: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await runCleanups(stops)
})

async function provider(payments: ProviderPayments): Promise<TestProvider> {
  const p = await startProvider(1000n, { payments })
  stops.push(() => p.peer.stop())
  return p
}

async function client(): Promise<CocoonPeer> {
  const c = await createLightNode({ gossip: false })
  stops.push(() => c.stop())
  return c
}

/** Provider payments that accept every voucher and record what they saw. */
function recordingProvider(creditWindow: bigint) {
  const requests: JobRequest[] = []
  const vouchers: bigint[] = []
  const finals: bigint[] = []
  let onVoucher: (amount: bigint) => void = () => {}
  const payments: ProviderPayments = {
    async openSession(request) {
      requests.push(request)
      return {
        creditWindow,
        async reserve() {},
        async acceptVoucher(voucher: Voucher) {
          vouchers.push(voucher.amount)
          onVoucher(voucher.amount)
        },
        async finish(finalCost) {
          finals.push(finalCost)
        },
      }
    },
  }
  const voucherFor = (amount: bigint): Promise<void> =>
    new Promise((resolve) => {
      if (vouchers.includes(amount)) return resolve()
      onVoucher = (a) => {
        if (a === amount) resolve()
      }
    })
  return { payments, requests, vouchers, finals, voucherFor }
}

describe('paid jobs through runJob', () => {
  it('asks channelFor before the request, passes the job id, and reports the billed cost incl. prompt', async () => {
    const p = recordingProvider(1000n)
    const prov = await provider(p.payments)
    const c = await client()
    const calls: { channelFor: Array<[Uint8Array, string]>; open: unknown[][]; delivered: bigint[] } = {
      channelFor: [],
      open: [],
      delivered: [],
    }
    const finals: bigint[] = []
    const payments: ClientPayments = {
      async channelFor(providerKey, payout) {
        calls.channelFor.push([providerKey, payout])
        return CHANNEL
      },
      async openSession(...args) {
        calls.open.push(args)
        return {
          channel: CHANNEL,
          async delivered(cost) {
            calls.delivered.push(cost)
            return undefined
          },
          async finish(cost) {
            finals.push(cost)
            return undefined
          },
        }
      },
    }
    const job = runLlmJob(
      { ...contextFor(c.libp2p, [prov]), payments },
      { model: 'tiny', prompt: 'hi', maxTokens: 5, jobId: 'job-42' },
    )
    for await (const _ of job) {
      // drain
    }
    const usage = await job.usage
    expect(usage.cost).toBe(15n) // 10 prompt + 5 completion tokens at 1000 per 1k
    expect(calls.channelFor).toHaveLength(1)
    expect(calls.channelFor[0]?.[0]).toEqual(prov.offer.provider)
    expect(p.requests[0]?.channel).toBe(CHANNEL)
    expect(calls.open[0]?.[3]).toBe('job-42')
    expect(calls.open[0]?.[2]).toBe(1000n) // the provider's credit window
    // per chunk: completion only (the prompt size is known at the end), rising with each
    // chunk (the provider may batch tokens into one chunk); then the whole bill
    expect(calls.delivered[0]).toBe(1n) // the first token is never held back
    expect(calls.delivered.slice(-2)).toEqual([5n, 15n])
    for (let i = 1; i < calls.delivered.length; i++)
      expect(calls.delivered[i]).toBeGreaterThan(calls.delivered[i - 1] ?? 0n)
    expect(finals).toEqual([15n])
    expect(p.finals).toEqual([15n])
  })

  it('pays a final bill whose prompt cost exceeds the credit window (real clientPayments)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cocoon-job-payments-'))
    stops.push(() => rm(dir, { recursive: true, force: true }))
    const store = await openVoucherStore(join(dir, 'client'), { durable: false })
    stops.push(() => store.close())
    const p = recordingProvider(4n) // prompt alone costs 10n > window 4n
    const prov = await provider(p.payments)
    const c = await client()
    const payments = clientPayments({
      store,
      key: signingKeyFromSeed(new Uint8Array(32).fill(7)),
      channelFor: async () => ({ address: CHANNEL, deposit: 1_000_000n }),
    })
    const job = runLlmJob(
      { ...contextFor(c.libp2p, [prov]), payments },
      { model: 'tiny', prompt: 'hi', maxTokens: 5 },
    )
    for await (const _ of job) {
      // drain
    }
    const usage = await job.usage
    expect(usage.cost).toBe(15n)
    await p.voucherFor(15n) // the last voucher travels after the result
    expect(p.vouchers.at(-1)).toBe(15n)
    expect((await store.clientChannel(CHANNEL))?.signed).toBe(15n)
  })

  it('pays a tensor job whose cost exceeds the credit window (real clientPayments)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cocoon-job-payments-'))
    stops.push(() => rm(dir, { recursive: true, force: true }))
    const store = await openVoucherStore(join(dir, 'client'), { durable: false })
    stops.push(() => store.close())
    const p = recordingProvider(0n) // nothing on credit: the whole GFLOP bill is above the window
    const prov = await provider(p.payments)
    const c = await client()
    const payments = clientPayments({
      store,
      key: signingKeyFromSeed(new Uint8Array(32).fill(9)),
      channelFor: async () => ({ address: CHANNEL, deposit: 1_000_000n }),
    })
    const v = new Float32Array([1, 2, 3, 4])
    const m = { name: 'm', dtype: 'float32' as const, shape: [2, 2], data: new Uint8Array(v.buffer) }
    const { usage } = await runTensorJob(
      { ...contextFor(c.libp2p, [prov]), payments },
      { model: 'tiny', op: 'matmul', inputs: [m, { ...m, name: 'n' }] },
    )
    expect(usage.cost).toBe(1n) // 16 flop at 1000 nanoTON per GFLOP, rounded up
    await p.voucherFor(1n)
    expect(p.requests[0]?.channel).toBe(CHANNEL)
    expect((await store.clientChannel(CHANNEL))?.signed).toBe(1n)
  })

  it('runs unpaid when the client has no channel to that provider and the provider is free', async () => {
    const p = recordingProvider(0n)
    const prov = await provider(p.payments)
    const c = await client()
    let opened = 0
    const payments: ClientPayments = {
      async channelFor() {
        return undefined
      },
      async openSession() {
        opened++
        throw new Error('must not open a session without a channel')
      },
    }
    const job = runLlmJob(
      { ...contextFor(c.libp2p, [prov]), payments },
      { model: 'tiny', prompt: 'hi', maxTokens: 3 },
    )
    for await (const _ of job) {
      // drain
    }
    expect((await job.usage).cost).toBe(13n)
    expect(p.requests[0]?.channel).toBe('')
    expect(opened).toBe(0)
  })

  it('a refused voucher fails the job with the voucher error, not an abort', async () => {
    let reserved = 0
    const payments: ProviderPayments = {
      async openSession() {
        return {
          creditWindow: 1n,
          // the first chunk goes out; later ones wait for a voucher until the job stops
          async reserve(_cost, signal) {
            if (reserved++ === 0) return
            await new Promise((_, reject) => {
              signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
            })
          },
          async acceptVoucher() {
            throw new VoucherSignatureError('voucher signature does not verify', {
              details: "the signature over (channel X, amount 1) does not match the channel's client key",
            })
          },
          async finish() {},
        }
      },
    }
    const prov = await provider(payments)
    const c = await client()
    const clientPays: ClientPayments = {
      async channelFor() {
        return CHANNEL
      },
      async openSession() {
        return {
          channel: CHANNEL,
          async delivered(cost) {
            return { channel: CHANNEL, amount: cost, jobId: 'j', signature: new Uint8Array(64) }
          },
          async finish() {
            return undefined
          },
        }
      },
    }
    const job = runLlmJob(
      { ...contextFor(c.libp2p, [prov]), payments: clientPays, maxAttempts: 1 },
      { model: 'tiny', prompt: 'hi', maxTokens: 50 },
    )
    const error = await (async () => {
      for await (const _ of job) {
        // drain
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(AllProvidersFailedError)
    const failed = (error as AllProvidersFailedError).walk((e) => e instanceof JobFailedError)
    expect(failed).toBeInstanceOf(JobFailedError)
    expect((failed as JobFailedError).jobErrorCode).toBe(JobErrorCode.JOB_ERROR_CODE_PAYMENT)
    expect((failed as JobFailedError).details).toMatch(
      /provider refused the voucher for \d+ nanoTON: voucher signature does not verify/,
    )
    expect((failed as JobFailedError).details).toContain("does not match the channel's client key")
  })
})
