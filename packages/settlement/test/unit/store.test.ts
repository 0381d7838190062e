import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Address } from '@ton/core'
import { MemoryDatastore } from 'datastore-core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { jobKey } from '../../src/store/key-layout.js'
import { openVoucherStore } from '../../src/store/level-store.js'
import { VoucherStore, type VoucherStoreInit } from '../../src/store/voucher-store.js'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher, verifyVoucher } from '../../src/voucher/voucher.js'

const channel = new Address(0, randomBytes(32)).toRawString()
const key = signingKeyFromSeed(randomBytes(32))
const voucher = (amount: bigint, jobId = 'j1') => signVoucher({ key, channel, amount, jobId })

let dir: string
let memory: MemoryDatastore
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cocoon-store-'))
  memory = new MemoryDatastore()
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/**
 * The same contract on LevelDB (opened by path, fsync per batch) and on an
 * injected MemoryDatastore (the browser's IndexedDB store takes the same
 * path); reopening is a fresh VoucherStore on what the last one wrote, so
 * nothing may live only in a store's memory.
 */
const backends: Array<[string, (init?: VoucherStoreInit) => Promise<VoucherStore>]> = [
  ['LevelDB', (init) => openVoucherStore(dir, init)],
  ['MemoryDatastore', async (init) => new VoucherStore(memory, init)],
]

describe.each(backends)('voucher store on %s', (_name, openStore) => {
  it('times claims from the first voucher or the last claim, however often the client pays', async () => {
    let clock = 1_000
    const store = await openStore({ now: () => clock })
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
    const store = await openStore()
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
    const store = await openStore()
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
    let store = await openStore()
    const sign = (amount: bigint) => voucher(amount, 'job-a')
    const signed: bigint[] = []
    for (let i = 0; i < 20; i++) {
      const v = await store.signNext(channel, 'job-a', 7n, sign)
      signed.push(v.amount)
      await store.acceptVoucher(v)
    }
    await store.close()

    store = await openStore()
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
    const store = await openStore()
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
    let store = await openStore()
    await pay(store, 'a', 1n)
    await pay(store, 'a', 2n)
    await pay(store, 'b', 10n)
    await pay(store, 'b', 20n)
    await pay(store, 'a', 100n)
    await store.close()

    store = await openStore()
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

    store = await openStore()
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

describe('voucher store on an injected datastore', () => {
  it('names job records as stores on disk already do (base64url of the job id, unpadded)', () => {
    for (const jobId of ['a', 'ab', 'job-ü-✓', '\u{1F600}', 'x'.repeat(101)])
      expect(jobKey('client', jobId).toString()).toBe(
        `/client/job/${Buffer.from(jobId).toString('base64url')}`,
      )
  })

  it('leaves the datastore open on close and runs onClose once writes settled', async () => {
    let closed = 0
    const store = new VoucherStore(memory, { onClose: async () => void closed++ })
    const pending = store.signNext(channel, 'j', 5n, (amount) => voucher(amount, 'j'))
    await store.close()
    expect((await pending).amount).toBe(5n)
    expect(closed).toBe(1)
    const reopened = new VoucherStore(memory)
    expect((await reopened.clientChannel(channel))?.signed).toBe(5n)
    await reopened.close()
  })

  it('writes every record through the commit it was given, and fails the write its commit fails', async () => {
    const committed: string[][] = []
    let fail = false
    const store = new VoucherStore(memory, {
      commit: async (entries) => {
        if (fail) throw new Error('quota exceeded')
        committed.push(entries.map((e) => e.key))
      },
    })
    const v = await store.signNext(channel, 'j', 5n, (amount) => voucher(amount, 'j'))
    expect(committed.flat().some((k) => k.startsWith('/client/channel/'))).toBe(true)
    fail = true
    await expect(store.acceptVoucher(v)).rejects.toThrow('quota exceeded')
    await store.close()
  })
})
