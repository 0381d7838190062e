import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Address } from '@ton/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { VoucherStore } from '../../src/store/voucher-store.js'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher, verifyVoucher } from '../../src/voucher/voucher.js'

const channel = new Address(0, randomBytes(32)).toRawString()
const key = signingKeyFromSeed(randomBytes(32))
const voucher = (amount: bigint, jobId = 'j1') => signVoucher({ key, channel, amount, jobId })

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cocoon-store-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('voucher store', () => {
  it('times claims from the first voucher or the last claim, however often the client pays', async () => {
    let clock = 1_000
    const store = await VoucherStore.open(dir, { now: () => clock })
    try {
      await store.acceptVoucher(voucher(10n))
      for (let amount = 20n; amount <= 100n; amount += 10n) {
        clock += 30_000
        await store.acceptVoucher(voucher(amount))
      }
      expect((await store.providerChannel(channel))?.lastClaimAt).toBe(1_000)
      clock += 1
      await store.recordClaimed(channel, 100n)
      const claimedAt = clock
      clock += 30_000
      await store.acceptVoucher(voucher(110n))
      expect((await store.providerChannel(channel))?.lastClaimAt).toBe(claimedAt)
    } finally {
      await store.close()
    }
  })

  it('keeps the newest voucher per channel and refuses replayed or lower ones', async () => {
    const store = await VoucherStore.open(dir)
    try {
      expect((await store.acceptVoucher(voucher(100n))).credited).toBe(100n)
      expect((await store.acceptVoucher(voucher(250n))).credited).toBe(150n)
      await expect(store.acceptVoucher(voucher(250n))).rejects.toMatchObject({ code: 'ERR_VOUCHER_REPLAYED' })
      await expect(store.acceptVoucher(voucher(200n))).rejects.toMatchObject({
        code: 'ERR_VOUCHER_OUT_OF_ORDER',
      })
      const record = await store.providerChannel(channel)
      expect(record?.newest).toBe(250n)
      expect((await store.job('provider', 'j1'))?.paid).toBe(250n)
      await store.recordClaimed(channel, 100n)
      await store.recordClaimed(channel, 50n)
      expect((await store.providerChannel(channel))?.claimed).toBe(100n)
    } finally {
      await store.close()
    }
  })

  it('serializes concurrent vouchers on a channel: the newest wins, nothing is lost', async () => {
    const store = await VoucherStore.open(dir)
    try {
      const results = await Promise.allSettled(
        [1n, 2n, 3n, 4n, 5n].map((n) => store.acceptVoucher(voucher(n * 10n))),
      )
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
      expect((await store.providerChannel(channel))?.newest).toBe(50n)
    } finally {
      await store.close()
    }
  })

  it('after a restart the provider keeps every voucher and the client never signs lower or the same', async () => {
    let store = await VoucherStore.open(dir)
    const sign = (amount: bigint) => voucher(amount, 'job-a')
    const signed: bigint[] = []
    for (let i = 0; i < 20; i++) {
      const v = await store.signNext(channel, 'job-a', 7n, sign)
      signed.push(v.amount)
      await store.acceptVoucher(v)
    }
    await store.close()

    store = await VoucherStore.open(dir)
    try {
      expect((await store.providerChannel(channel))?.newest).toBe(140n)
      expect((await store.clientChannel(channel))?.signed).toBe(140n)
      const next = await store.signNext(channel, 'job-b', 1n, (amount) => voucher(amount, 'job-b'))
      expect(next.amount).toBe(141n)
      expect(signed.includes(next.amount)).toBe(false)
      expect(verifyVoucher({ voucher: next, clientKey: key.publicKey }).amount).toBe(141n)
      await expect(store.acceptVoucher(voucher(140n))).rejects.toMatchObject({ code: 'ERR_VOUCHER_REPLAYED' })
      expect((await store.job('client', 'job-a'))?.paid).toBe(140n)
      expect((await store.job('client', 'job-b'))?.paid).toBe(1n)
      expect((await store.clientChannels()).length).toBe(1)
    } finally {
      await store.close()
    }
  })

  it('does not sign when the limit refuses the new total', async () => {
    const store = await VoucherStore.open(dir)
    try {
      await expect(
        store.signNext(channel, 'j', 10n, voucher, () => {
          throw new Error('over')
        }),
      ).rejects.toThrow('over')
      expect(await store.clientChannel(channel)).toBeUndefined()
      await expect(store.signNext(channel, 'j', 0n, voucher)).rejects.toMatchObject({
        code: 'ERR_INVALID_SETTLEMENT_INPUT',
      })
    } finally {
      await store.close()
    }
  })

  it('keeps exact per-job receipts when jobs alternate on a channel, across restarts', async () => {
    const paidBy = async (store: VoucherStore, role: 'provider' | 'client') =>
      Object.fromEntries((await store.jobs(role)).map((j) => [j.jobId, j.paid]))
    const pay = async (store: VoucherStore, jobId: string, delta: bigint) => {
      const v = await store.signNext(channel, jobId, delta, (amount) => voucher(amount, jobId))
      await store.acceptVoucher(v)
    }
    let store = await VoucherStore.open(dir)
    await pay(store, 'a', 1n)
    await pay(store, 'a', 2n)
    await pay(store, 'b', 10n)
    await pay(store, 'b', 20n)
    await pay(store, 'a', 100n)
    await store.close()

    store = await VoucherStore.open(dir)
    try {
      for (const role of ['provider', 'client'] as const) {
        expect(await paidBy(store, role)).toEqual({ a: 103n, b: 30n })
        expect((await store.job(role, 'a'))?.paid).toBe(103n)
        expect((await store.job(role, 'b'))?.paid).toBe(30n)
      }
      await store.finishJob('provider', 'a', channel, 103n)
      await pay(store, 'a', 5n) // a late voucher for a finished job still counts
      await pay(store, 'c', 1000n)
    } finally {
      await store.close()
    }

    store = await VoucherStore.open(dir)
    try {
      expect(await paidBy(store, 'provider')).toEqual({ a: 108n, b: 30n, c: 1000n })
      expect(await paidBy(store, 'client')).toEqual({ a: 108n, b: 30n, c: 1000n })
      expect(await store.job('provider', 'a')).toMatchObject({ paid: 108n, finished: true, finalCost: 103n })
      expect((await store.providerChannel(channel))?.newest).toBe(1138n)
    } finally {
      await store.close()
    }
  })
})
