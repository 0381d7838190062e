import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JobKind, type JobRequest, type Timers, TrustTier, UNSIGNED_JOB_REQUEST } from '@cocoon-mesh/protocol'
import { Address } from '@ton/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ChannelProofError,
  type ChannelProofReason,
  CreditWindowExhaustedError,
  PaymentRequiredError,
} from '../../src/errors.js'
import { JobReplayCache, signChannelProof, verifyChannelProof } from '../../src/policy/channel-proof.js'
import { clientPayments } from '../../src/policy/client-payments.js'
import { type ChannelTerms, providerPayments } from '../../src/policy/provider-payments.js'
import { openVoucherStore } from '../../src/store/level-store.js'
import type { VoucherStore } from '../../src/store/voucher-store.js'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher } from '../../src/voucher/voucher.js'
import { virtualTimers } from './channel-helpers.js'

const channel = new Address(0, randomBytes(32)).toRawString()
const clientKey = signingKeyFromSeed(randomBytes(32))
const attackerKey = signingKeyFromSeed(randomBytes(32))
const providerId = randomBytes(38)
const NOW = 1_800_000_000_000
const price = { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }

function unsigned(jobId: string, over: Partial<JobRequest> = {}): JobRequest {
  return {
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
    ...over,
  }
}

const signed = (jobId: string, over: Partial<JobRequest> = {}): JobRequest =>
  signChannelProof(unsigned(jobId, over), clientKey)

function proofFailure(request: JobRequest): ChannelProofReason | undefined {
  try {
    verifyChannelProof({
      request,
      channel,
      channelClientKey: clientKey.publicKey,
      provider: providerId,
      now: NOW,
    })
    return undefined
  } catch (error) {
    if (error instanceof ChannelProofError) return error.reason
    throw error
  }
}

describe('verifyChannelProof', () => {
  it('accepts a request signed by the channel client key for this provider, now', () => {
    expect(proofFailure(signed('ok'))).toBeUndefined()
    expect(proofFailure(signed('skewed', { issuedAt: BigInt(NOW - 29_000) }))).toBeUndefined()
  })

  it('names each missing or wrong proof', () => {
    expect(proofFailure(unsigned('none'))).toBe('unsigned')
    expect(proofFailure({ ...signed('nosig'), clientSignature: new Uint8Array() })).toBe('unsigned')
    expect(proofFailure(signed('other', { provider: randomBytes(38) }))).toBe('wrong-provider')
    expect(proofFailure(signed('old', { issuedAt: BigInt(NOW - 31_000) }))).toBe('stale')
    expect(proofFailure(signed('future', { issuedAt: BigInt(NOW + 31_000) }))).toBe('stale')
    expect(proofFailure(signed('zero', { issuedAt: 0n }))).toBe('stale')
    // the attacker's own key, honestly signed: not the key the channel holds
    expect(proofFailure(signChannelProof(unsigned('mine'), attackerKey))).toBe('wrong-client-key')
    // the channel's key claimed, signed by the attacker
    const forged = {
      ...signChannelProof(unsigned('forged'), attackerKey),
      clientKey: Uint8Array.from(clientKey.publicKey),
    }
    expect(proofFailure(forged)).toBe('bad-signature')
    // a signed request altered afterwards (here its budget)
    expect(proofFailure({ ...signed('altered'), budget: 1n })).toBe('bad-signature')
    expect(proofFailure({ ...signed('short'), clientSignature: new Uint8Array(10) })).toBe('bad-signature')
  })

  it('says which proof failed in the message', () => {
    const forged = {
      ...signChannelProof(unsigned('f'), attackerKey),
      clientKey: Uint8Array.from(clientKey.publicKey),
    }
    expect(() =>
      verifyChannelProof({
        request: forged,
        channel,
        channelClientKey: clientKey.publicKey,
        provider: providerId,
        now: NOW,
      }),
    ).toThrow(`JobRequest.clientSignature does not verify against channel ${channel}'s client key`)
  })
})

describe('JobReplayCache', () => {
  it('refuses a (channel, job id) pair seen within its freshness window, and forgets it after', () => {
    let now = NOW
    const cache = new JobReplayCache({ now: () => now, maxDriftMs: 1000 })
    cache.claim(channel, 'j', BigInt(now))
    expect(() => cache.claim(channel, 'j', BigInt(now))).toThrow(ChannelProofError)
    cache.claim('other', 'j', BigInt(now)) // another channel: a different pair
    now += 1001
    cache.claim(channel, 'j', BigInt(now))
  })

  it('holds at most maxEntries pairs', () => {
    const cache = new JobReplayCache({ now: () => NOW, maxEntries: 100 })
    for (let i = 0; i < 1000; i++) cache.claim(channel, `j${i}`, BigInt(NOW))
    expect(cache.size).toBe(100)
  })
})

describe('provider payments: proof and per-channel credit window', () => {
  let dir: string
  let store: VoucherStore
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cocoon-proof-'))
    store = await openVoucherStore(join(dir, 'p'))
  })
  afterEach(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  const terms: ChannelTerms = {
    clientKey: clientKey.publicKey,
    deposit: 10_000n,
    payableToUs: true,
    closed: false,
    exitStarted: false,
  }

  function provider(timers?: Timers) {
    return providerPayments({
      store,
      channelTerms: async () => terms,
      creditWindow: 40n,
      voucherTimeout: 1000,
      now: () => NOW,
      ...(timers === undefined ? {} : { timers }),
    })
  }

  it('opens no session without the proof, and none twice for one job', async () => {
    const payments = provider()
    await expect(
      payments.openSession(unsigned('a'), price, new Uint8Array(), providerId),
    ).rejects.toMatchObject({
      reason: 'unsigned',
    })
    await expect(
      payments.openSession(signChannelProof(unsigned('b'), attackerKey), price, new Uint8Array(), providerId),
    ).rejects.toMatchObject({ reason: 'wrong-client-key' })
    await payments.openSession(signed('c'), price, new Uint8Array(), providerId)
    await expect(
      payments.openSession(signed('c'), price, new Uint8Array(), providerId),
    ).rejects.toMatchObject({
      reason: 'replayed',
    })
  })

  it('two concurrent jobs on one channel share one window, not two', async () => {
    const timers = virtualTimers()
    const payments = provider(timers.timers)
    const a = await payments.openSession(signed('a'), price, new Uint8Array(), providerId)
    const b = await payments.openSession(signed('b'), price, new Uint8Array(), providerId)
    await a.reserve(30n)
    expect(b.creditLeft?.(0n)).toBe(10n)
    await b.reserve(10n) // the window's last 10
    let bMore = false
    const waitingB = b.reserve(20n).then(() => {
      bMore = true
    })
    const waitingA = a.reserve(31n)
    await new Promise((r) => setImmediate(r))
    expect(bMore).toBe(false)
    // a voucher on either job frees the channel's window for both: 10 covered leaves room for b's 10, not a's 1 more
    await a.acceptVoucher(signVoucher({ key: clientKey, channel, amount: 10n, jobId: 'a' }))
    await waitingB
    expect(bMore).toBe(true)
    timers.fireAll()
    await expect(waitingA).rejects.toBeInstanceOf(CreditWindowExhaustedError)
  })

  it("a new job waits while a finished job's unpaid work holds the window", async () => {
    const timers = virtualTimers()
    const payments = provider(timers.timers)
    const a = await payments.openSession(signed('a'), price, new Uint8Array(), providerId)
    await a.reserve(40n)
    await a.finish(40n) // the final voucher has not come
    const b = await payments.openSession(signed('b'), price, new Uint8Array(), providerId)
    const waiting = b.reserve(1n)
    await new Promise((r) => setImmediate(r))
    // the late final voucher of job a covers the channel again
    await a.acceptVoucher(signVoucher({ key: clientKey, channel, amount: 40n, jobId: 'a' }))
    await waiting
    const stuck = b.reserve(42n)
    timers.fireAll()
    await expect(stuck).rejects.toBeInstanceOf(CreditWindowExhaustedError)
  })

  it('refuses a job without a channel unless free jobs are on', async () => {
    const paidOnly = provider()
    await expect(
      paidOnly.openSession(unsigned('free', { channel: '' }), price, new Uint8Array(), providerId),
    ).rejects.toBeInstanceOf(PaymentRequiredError)
    const free = providerPayments({
      store,
      channelTerms: async () => terms,
      creditWindow: 40n,
      voucherTimeout: 1000,
      freeJobs: true,
    })
    const session = await free.openSession(
      unsigned('free', { channel: '' }),
      price,
      new Uint8Array(),
      providerId,
    )
    expect(session.creditWindow).toBe(0n)
  })

  it("a concurrent job's lower voucher is superseded, not an error", async () => {
    const payments = provider()
    const a = await payments.openSession(signed('a'), price, new Uint8Array(), providerId)
    const b = await payments.openSession(signed('b'), price, new Uint8Array(), providerId)
    await a.reserve(20n)
    await b.reserve(20n)
    // the client signed 10 for a, then 25 for b; b's arrived first on its own stream
    await b.acceptVoucher(signVoucher({ key: clientKey, channel, amount: 25n, jobId: 'b' }))
    await a.acceptVoucher(signVoucher({ key: clientKey, channel, amount: 10n, jobId: 'a' }))
    expect((await store.providerChannel(channel))?.newest).toBe(25n)
    // a forged one is still refused
    await expect(
      a.acceptVoucher(signVoucher({ key: attackerKey, channel, amount: 5n, jobId: 'a' })),
    ).rejects.toMatchObject({ code: 'ERR_VOUCHER_SIGNATURE' })
  })

  it("an ended job's unpaid work is written off after the voucher timeout", async () => {
    const timers = virtualTimers()
    const payments = provider(timers.timers)
    const a = await payments.openSession(signed('a'), price, new Uint8Array(), providerId)
    await a.reserve(40n)
    a.close?.() // the job failed: no finish, no voucher
    const b = await payments.openSession(signed('b'), price, new Uint8Array(), providerId)
    let served = false
    const waiting = b.reserve(10n).then(() => {
      served = true
    })
    await new Promise((r) => setImmediate(r))
    expect(served).toBe(false)
    timers.fireAll() // b's own wait and a's write-off are both due: the write-off frees the window first
    await waiting
    expect(served).toBe(true)
    expect(await b.reserve(40n).then(() => 'granted')).toBe('granted')
  })

  it("the client signs once the channel's open jobs together reach the threshold", async () => {
    const client = clientPayments({
      store,
      key: clientKey,
      channelFor: async () => ({ address: channel, deposit: 1000n }),
    })
    // window 30, threshold 15: three jobs 6 behind each are 18 behind together
    const sessions = await Promise.all(
      ['x', 'y', 'z'].map((id) => client.openSession(new Uint8Array(), 'payout', 30n, id)),
    )
    expect(await sessions[0]?.delivered(6n)).toBeUndefined()
    expect(await sessions[1]?.delivered(6n)).toBeUndefined()
    const voucher = await sessions[2]?.delivered(6n)
    expect(voucher?.amount).toBe(6n)
  })

  it('the client signs the proof with its channel key', async () => {
    const client = clientPayments({
      store,
      key: clientKey,
      channelFor: async () => ({ address: channel, deposit: 1000n }),
    })
    const request = client.authorize?.(unsigned('x'))
    expect(request).toBeDefined()
    if (request !== undefined) expect(proofFailure(request)).toBeUndefined()
  })
})
