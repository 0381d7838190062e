import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JobKind, type JobRequest, TrustTier, UNSIGNED_JOB_REQUEST } from '@cocoon-mesh/protocol'
import { Address } from '@ton/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { signChannelProof } from '../../src/policy/channel-proof.js'
import { decideClaim } from '../../src/policy/claim-policy.js'
import { clientPayments } from '../../src/policy/client-payments.js'
import { type ChannelTerms, providerPayments } from '../../src/policy/provider-payments.js'
import { openVoucherStore } from '../../src/store/level-store.js'
import type { VoucherStore } from '../../src/store/voucher-store.js'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher } from '../../src/voucher/voucher.js'
import { virtualTimers } from './channel-helpers.js'

const channel = new Address(0, randomBytes(32)).toRawString()
const clientKey = signingKeyFromSeed(randomBytes(32))
const price = { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }
/** This provider's peer id bytes (any bytes: the proof compares them). */
const providerId = randomBytes(38)
const NOW = 1_800_000_000_000
/** A JobRequest on `channel` carrying the channel proof signed by the client key. */
const request = (jobId: string): JobRequest =>
  signChannelProof(
    {
      version: 1,
      jobId,
      kind: JobKind.JOB_KIND_LLM,
      model: 'm',
      budget: 0n,
      channel,
      deadline: 0n,
      minTrustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
      ...UNSIGNED_JOB_REQUEST,
      provider: providerId,
      issuedAt: BigInt(NOW),
    },
    clientKey,
  )

let dir: string
let providerStore: VoucherStore
let clientStore: VoucherStore
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cocoon-policy-'))
  providerStore = await openVoucherStore(join(dir, 'p'))
  clientStore = await openVoucherStore(join(dir, 'c'))
})
afterEach(async () => {
  await providerStore.close()
  await clientStore.close()
  await rm(dir, { recursive: true, force: true })
})

const terms: ChannelTerms = {
  clientKey: clientKey.publicKey,
  deposit: 1000n,
  payableToUs: true,
  closed: false,
  exitStarted: false,
}

describe('payment policy', () => {
  it('streams a paid job: provider serves within the window, client pays delivered work only', async () => {
    const timers = virtualTimers()
    const provider = providerPayments({
      store: providerStore,
      channelTerms: async () => terms,
      creditWindow: 40n,
      voucherTimeout: 1000,
      now: () => NOW,
      timers: timers.timers,
    })
    const client = clientPayments({
      store: clientStore,
      key: clientKey,
      channelFor: async () => ({ address: channel, deposit: 1000n }),
    })
    const ps = await provider.openSession(request('j1'), price, new Uint8Array(), providerId)
    const cs = await client.openSession(new Uint8Array(), 'payout', ps.creditWindow, 'j1')
    expect(cs.channel).toBe(channel)
    for (let cost = 10n; cost <= 300n; cost += 10n) {
      await ps.reserve(cost) // never waits: the client keeps up
      const v = await cs.delivered(cost)
      if (v !== undefined) {
        expect(v.amount).toBeLessThanOrEqual(cost) // never more than delivered
        await ps.acceptVoucher(v)
      }
    }
    const last = await cs.finish(305n)
    if (last !== undefined) await ps.acceptVoucher(last)
    await ps.finish(305n)
    expect((await providerStore.providerChannel(channel))?.newest).toBe(305n)
    expect(await providerStore.job('provider', 'j1')).toMatchObject({
      paid: 305n,
      finalCost: 305n,
      finished: true,
    })
    expect(await clientStore.job('client', 'j1')).toMatchObject({
      paid: 305n,
      finalCost: 305n,
      finished: true,
    })
  })

  it('provider waits at the window edge, resumes on a voucher, and rejects when none comes', async () => {
    const timers = virtualTimers()
    const provider = providerPayments({
      store: providerStore,
      channelTerms: async () => terms,
      creditWindow: 40n,
      voucherTimeout: 1000,
      now: () => NOW,
      timers: timers.timers,
    })
    const ps = await provider.openSession(request('j2'), price, new Uint8Array(), providerId)
    await ps.reserve(40n)
    let resumed = false
    const waiting = ps.reserve(60n).then(() => {
      resumed = true
    })
    await new Promise((r) => setImmediate(r))
    expect(resumed).toBe(false) // 60 is 20 past the window with nothing paid
    await ps.acceptVoucher(signVoucher({ key: clientKey, channel, amount: 20n, jobId: 'j2' }))
    await waiting
    expect(resumed).toBe(true)
    const stuck = ps.reserve(100n)
    timers.fireAll()
    await expect(stuck).rejects.toMatchObject({ code: 'ERR_CREDIT_WINDOW_EXHAUSTED' })
    const controller = new AbortController()
    const aborted = ps.reserve(100n, controller.signal)
    controller.abort()
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_PAYMENT_ABORTED' })
  })

  it('refuses forged, replayed, out-of-order and over-budget vouchers without lowering the claimable amount', async () => {
    const provider = providerPayments({
      store: providerStore,
      channelTerms: async () => terms,
      creditWindow: 40n,
      voucherTimeout: 1000,
      now: () => NOW,
    })
    const ps = await provider.openSession(request('j3'), price, new Uint8Array(), providerId)
    await ps.acceptVoucher(signVoucher({ key: clientKey, channel, amount: 500n, jobId: 'j3' }))
    const mallory = signingKeyFromSeed(randomBytes(32))
    await expect(
      ps.acceptVoucher(signVoucher({ key: mallory, channel, amount: 600n, jobId: 'j3' })),
    ).rejects.toMatchObject({ code: 'ERR_VOUCHER_SIGNATURE' })
    await expect(
      ps.acceptVoucher(signVoucher({ key: clientKey, channel, amount: 500n, jobId: 'j3' })),
    ).rejects.toMatchObject({ code: 'ERR_VOUCHER_REPLAYED' })
    await expect(
      ps.acceptVoucher(signVoucher({ key: clientKey, channel, amount: 400n, jobId: 'j3' })),
    ).rejects.toMatchObject({ code: 'ERR_VOUCHER_OUT_OF_ORDER' })
    await expect(
      ps.acceptVoucher(signVoucher({ key: clientKey, channel, amount: 2000n, jobId: 'j3' })),
    ).rejects.toMatchObject({ code: 'ERR_VOUCHER_OVER_BUDGET' })
    const other = new Address(0, randomBytes(32)).toRawString()
    await expect(
      ps.acceptVoucher(signVoucher({ key: clientKey, channel: other, amount: 700n, jobId: 'j3' })),
    ).rejects.toMatchObject({ code: 'ERR_VOUCHER_WRONG_CHANNEL' })
    expect((await providerStore.providerChannel(channel))?.newest).toBe(500n)
  })

  it('refuses unusable channels and a client that would overspend', async () => {
    const provider = providerPayments({
      store: providerStore,
      channelTerms: async () => ({ ...terms, exitStarted: true, claimFee: 0n }),
      creditWindow: 40n,
      voucherTimeout: 1000,
      now: () => NOW,
    })
    await expect(
      provider.openSession(request('j4'), price, new Uint8Array(), providerId),
    ).rejects.toMatchObject({
      code: 'ERR_CHANNEL_UNUSABLE',
    })
    const client = clientPayments({
      store: clientStore,
      key: clientKey,
      channelFor: async () => ({ address: channel, deposit: 100n }),
    })
    const cs = await client.openSession(new Uint8Array(), 'payout', 40n, 'j4')
    await expect(cs.delivered(150n)).rejects.toMatchObject({ code: 'ERR_VOUCHER_OVER_BUDGET' })
    await expect(cs.finish(500n)).rejects.toMatchObject({ code: 'ERR_PAYMENT_ABORTED' })
    expect(await clientStore.clientChannel(channel)).toBeUndefined()
  })

  it('claims on threshold, timer, or exit', () => {
    const config = { threshold: 1000n, interval: 60_000, minClaim: 100n }
    expect(
      decideClaim({ unclaimed: 0n, lastClaimAt: 0, now: 1e9, exitStarted: true, claimFee: 0n }, config),
    ).toBeUndefined()
    expect(
      decideClaim({ unclaimed: 50n, lastClaimAt: 0, now: 0, exitStarted: true, claimFee: 0n }, config),
    ).toBe('exit')
    expect(
      decideClaim({ unclaimed: 1000n, lastClaimAt: 0, now: 0, exitStarted: false, claimFee: 0n }, config),
    ).toBe('threshold')
    expect(
      decideClaim({ unclaimed: 500n, lastClaimAt: 0, now: 59_999, exitStarted: false, claimFee: 0n }, config),
    ).toBeUndefined()
    expect(
      decideClaim({ unclaimed: 500n, lastClaimAt: 0, now: 60_000, exitStarted: false, claimFee: 0n }, config),
    ).toBe('timer')
    expect(
      decideClaim({ unclaimed: 50n, lastClaimAt: 0, now: 60_000, exitStarted: false, claimFee: 0n }, config),
    ).toBeUndefined()
  })

  it('claims only what is worth feeMultiple fees, and at exit only what pays its own fee', () => {
    const config = { threshold: 1000n, interval: 60_000, minClaim: 100n, feeMultiple: 5 }
    const at = (unclaimed: bigint, claimFee: bigint, exitStarted = false) =>
      decideClaim({ unclaimed, lastClaimAt: 0, now: 60_000, exitStarted, claimFee }, config)
    // over the threshold, but fees are high: 1000 < 5 × 300
    expect(at(1000n, 300n)).toBeUndefined()
    expect(at(1500n, 300n)).toBe('threshold')
    // the timer too waits until the amount is worth the fees
    expect(at(499n, 100n)).toBeUndefined()
    expect(at(500n, 100n)).toBe('timer')
    // at exit anything above one fee is claimed, nothing that would cost more than it brings
    expect(at(300n, 300n, true)).toBeUndefined()
    expect(at(301n, 300n, true)).toBe('exit')
    // feeMultiple 0: every unclaimed amount, whatever the fee (test prices on a devnet)
    expect(
      decideClaim(
        { unclaimed: 5n, lastClaimAt: 0, now: 60_000, exitStarted: false, claimFee: 300n },
        { ...config, minClaim: 1n, feeMultiple: 0 },
      ),
    ).toBe('timer')
    // the default multiple is 10
    expect(
      decideClaim(
        { unclaimed: 1000n, lastClaimAt: 0, now: 0, exitStarted: false, claimFee: 101n },
        { threshold: 1000n, interval: 60_000, minClaim: 100n },
      ),
    ).toBeUndefined()
  })
})
