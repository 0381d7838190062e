import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Address } from '@ton/core'
import { LevelDatastore } from 'datastore-level'
import { Key } from 'interface-datastore'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  BINARY_MAGIC,
  decodeRecord,
  encodeClientChannel,
  encodeJob,
  encodeProviderChannel,
  encodeRecord,
} from '../../src/store/codec.js'
import { openVoucherStore } from '../../src/store/level-store.js'
import type {
  ClientChannelRecord,
  JobPaymentRecord,
  ProviderChannelRecord,
} from '../../src/store/voucher-store.js'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher, verifyVoucher } from '../../src/voucher/voucher.js'

const channel = new Address(0, randomBytes(32)).toRawString()
const bytes64 = () => Uint8Array.from(randomBytes(64))
const amounts = [0n, 1n, 255n, 256n, 0xffffffffffffn, 0x1000000000000n, 10n ** 18n, (1n << 120n) - 1n]

describe('store codec', () => {
  it('round-trips the hot records in binary, with and without optional fields', () => {
    for (const amount of amounts) {
      const provider: ProviderChannelRecord = {
        channel,
        newest: amount,
        signature: bytes64(),
        jobId: 'jöb-✓',
        claimed: amount / 2n,
        updatedAt: 1_763_000_000_123,
      }
      const withClaim: ProviderChannelRecord = { ...provider, lastClaimAt: 1_763_000_000_999.5 }
      const client: ClientChannelRecord = {
        channel,
        signed: amount,
        signature: bytes64(),
        jobId: '',
        updatedAt: 0,
      }
      const job: JobPaymentRecord = {
        jobId: 'j',
        channel,
        role: 'client',
        paid: amount,
        finished: false,
        updatedAt: 7,
      }
      const done: JobPaymentRecord = { ...job, role: 'provider', finished: true, finalCost: amount + 1n }
      for (const [record, bytes] of [
        [provider, encodeProviderChannel(provider)],
        [withClaim, encodeProviderChannel(withClaim)],
        [client, encodeClientChannel(client)],
        [job, encodeJob(job)],
        [done, encodeJob(done)],
      ] as const) {
        expect(bytes[0]).toBe(BINARY_MAGIC)
        const decoded = decodeRecord<Record<string, unknown>>(bytes)
        expect(decoded).toEqual(record)
        expect(Object.keys(decoded).sort()).toEqual(Object.keys(record).sort())
        // the binary form is much smaller than the JSON one
        expect(bytes.length).toBeLessThan(encodeRecord(record).length)
      }
    }
  })

  it('still reads JSON records, and refuses damaged binary ones with a typed error', () => {
    const legacy: ProviderChannelRecord = {
      channel,
      newest: 5n,
      signature: bytes64(),
      jobId: 'j',
      claimed: 0n,
      updatedAt: 3,
    }
    expect(decodeRecord(encodeRecord(legacy))).toEqual(legacy)
    const bytes = encodeProviderChannel(legacy)
    for (const cut of [2, 10, bytes.length - 1])
      expect(() => decodeRecord(bytes.subarray(0, cut))).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_SETTLEMENT_INPUT' }),
      )
    expect(() => decodeRecord(Uint8Array.of(BINARY_MAGIC, 99, 0))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_SETTLEMENT_INPUT' }),
    )
  })
})

describe('store with records written by the JSON version', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cocoon-codec-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('continues above JSON-stored amounts on both sides and rewrites them in binary', async () => {
    const key = signingKeyFromSeed(randomBytes(32))
    const old = signVoucher({ key, channel, amount: 500n, jobId: 'old-job' })
    // a store as the previous version left it: JSON records under the same keys
    const ds = new LevelDatastore(dir)
    await ds.open()
    const jobKey = (role: string, id: string) =>
      new Key(`/${role}/job/${Buffer.from(id).toString('base64url')}`)
    await ds.put(
      new Key(`/provider/channel/${channel}`),
      encodeRecord({
        channel,
        newest: 500n,
        signature: old.signature,
        jobId: 'old-job',
        claimed: 100n,
        lastClaimAt: 42,
        updatedAt: 43,
      }),
    )
    await ds.put(
      jobKey('provider', 'old-job'),
      encodeRecord({
        jobId: 'old-job',
        channel,
        role: 'provider',
        paid: 500n,
        finished: false,
        updatedAt: 43,
      }),
    )
    await ds.put(
      new Key(`/client/channel/${channel}`),
      encodeRecord({ channel, signed: 500n, signature: old.signature, jobId: 'old-job', updatedAt: 43 }),
    )
    await ds.put(
      jobKey('client', 'old-job'),
      encodeRecord({ jobId: 'old-job', channel, role: 'client', paid: 500n, finished: false, updatedAt: 43 }),
    )
    await ds.close()

    let store = await openVoucherStore(dir)
    try {
      const record = await store.providerChannel(channel)
      expect(record?.newest).toBe(500n)
      expect(verifyVoucher({ voucher: { ...old }, clientKey: key.publicKey }).amount).toBe(500n)
      await expect(store.acceptVoucher(old)).rejects.toMatchObject({ code: 'ERR_VOUCHER_REPLAYED' })
      const next = await store.signNext(channel, 'old-job', 10n, (amount) =>
        signVoucher({ key, channel, amount, jobId: 'old-job' }),
      )
      expect(next.amount).toBe(510n)
      expect((await store.acceptVoucher(next)).credited).toBe(10n)
    } finally {
      await store.close()
    }
    store = await openVoucherStore(dir)
    try {
      const record = await store.providerChannel(channel)
      expect(record).toMatchObject({ newest: 510n, claimed: 100n, lastClaimAt: 42 })
      expect((await store.clientChannel(channel))?.signed).toBe(510n)
      expect((await store.job('provider', 'old-job'))?.paid).toBe(510n)
      expect((await store.job('client', 'old-job'))?.paid).toBe(510n)
      expect((await store.jobs('client')).map((j) => j.paid)).toEqual([510n])
    } finally {
      await store.close()
    }
    const raw = new LevelDatastore(dir)
    await raw.open()
    try {
      for (const key of [
        new Key(`/provider/channel/${channel}`),
        new Key(`/client/channel/${channel}`),
        jobKey('provider', 'old-job'),
        jobKey('client', 'old-job'),
      ])
        expect((await raw.get(key))[0]).toBe(BINARY_MAGIC)
    } finally {
      await raw.close()
    }
  })
})
