import { randomBytes } from 'node:crypto'
import { Address } from '@ton/core'
import { mnemonicNew, mnemonicToPrivateKey, sign as naclSign } from '@ton/crypto'
import { describe, expect, it } from 'vitest'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher, verifyVoucher } from '../../src/voucher/voucher.js'
import { voucherCell, voucherHash } from '../../src/voucher/voucher-hash.js'

const channel = new Address(0, randomBytes(32))
const other = new Address(-1, randomBytes(32))

describe('vouchers', () => {
  it('hashes exactly the cell the contract builds', () => {
    for (const address of [channel, other]) {
      for (const amount of [0n, 1n, 255n, 256n, 10n ** 9n, 123456789012345678n, (1n << 120n) - 1n]) {
        expect(Buffer.from(voucherHash(address, amount))).toEqual(voucherCell(address, amount).hash())
      }
      for (let i = 0; i < 200; i++) {
        const amount = BigInt(`0x${randomBytes(1 + (i % 15)).toString('hex')}`)
        expect(Buffer.from(voucherHash(address, amount))).toEqual(voucherCell(address, amount).hash())
      }
    }
  })

  it('signs like tweetnacl from a TON mnemonic, and verifies', async () => {
    const keyPair = await mnemonicToPrivateKey(await mnemonicNew(24))
    const key = signingKeyFromSeed(keyPair.secretKey.subarray(0, 32))
    expect(Buffer.from(key.publicKey)).toEqual(keyPair.publicKey)
    const v = signVoucher({ key, channel: channel.toString(), amount: 42n, jobId: 'j1' })
    expect(v.channel).toBe(channel.toRawString())
    expect(Buffer.from(v.signature)).toEqual(
      naclSign(Buffer.from(voucherHash(channel, 42n)), keyPair.secretKey),
    )
    expect(verifyVoucher({ voucher: v, clientKey: key.publicKey, channel: channel.toString() }).amount).toBe(
      42n,
    )
  })

  it('refuses forged, tampered, wrong-channel and malformed vouchers with typed errors', () => {
    const key = signingKeyFromSeed(randomBytes(32))
    const mallory = signingKeyFromSeed(randomBytes(32))
    const v = signVoucher({ key, channel: channel.toRawString(), amount: 100n, jobId: 'j' })
    expect(() => verifyVoucher({ voucher: { ...v, amount: 101n }, clientKey: key.publicKey })).toThrow(
      expect.objectContaining({ code: 'ERR_VOUCHER_SIGNATURE' }),
    )
    const forged = signVoucher({ key: mallory, channel: channel.toRawString(), amount: 100n, jobId: 'j' })
    expect(() => verifyVoucher({ voucher: forged, clientKey: key.publicKey })).toThrow(
      expect.objectContaining({ code: 'ERR_VOUCHER_SIGNATURE' }),
    )
    expect(() =>
      verifyVoucher({ voucher: v, clientKey: key.publicKey, channel: other.toRawString() }),
    ).toThrow(expect.objectContaining({ code: 'ERR_VOUCHER_WRONG_CHANNEL' }))
    expect(() =>
      verifyVoucher({ voucher: { ...v, channel: other.toRawString() }, clientKey: key.publicKey }),
    ).toThrow(expect.objectContaining({ code: 'ERR_VOUCHER_SIGNATURE' }))
    expect(() =>
      verifyVoucher({ voucher: { ...v, signature: new Uint8Array(3) }, clientKey: key.publicKey }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_VOUCHER' }))
    expect(() => verifyVoucher({ voucher: { ...v, channel: 'nope' }, clientKey: key.publicKey })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_SETTLEMENT_INPUT' }),
    )
  })
})
