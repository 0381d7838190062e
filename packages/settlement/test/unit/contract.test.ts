import { beginCell, toNano } from '@ton/core'
import { internal } from '@ton/sandbox'
import { describe, expect, it } from 'vitest'
import {
  CHANNEL_MIN_TOPUP_FEE,
  CHANNEL_STORAGE_RESERVE,
  ChannelExitCode,
} from '../../src/contract/payment-channel.js'
import { channelFixture, channelTx, DEPOSIT, exitCode, payouts, succeeded } from './channel-helpers.js'

describe('payment channel contract', () => {
  it('opens with a deposit and tops up', async () => {
    const f = await channelFixture()
    const open = await f.channel.sendDeploy(f.client.getSender(), DEPOSIT)
    expect(succeeded(channelTx(open, f.channel.address))).toBe(true)
    let b = await f.channel.getBalances()
    expect(b.deposit).toBe(DEPOSIT)
    expect(b.claimed).toBe(0n)
    expect(b.remaining).toBe(DEPOSIT)
    expect(b.balance).toBeGreaterThanOrEqual(DEPOSIT)
    expect(b.balance).toBeLessThanOrEqual(DEPOSIT + CHANNEL_MIN_TOPUP_FEE)

    const top = await f.channel.sendTopUp(f.client.getSender(), toNano('2.5'))
    expect(succeeded(channelTx(top, f.channel.address))).toBe(true)
    b = await f.channel.getBalances()
    expect(b.deposit).toBe(DEPOSIT + toNano('2.5'))
    expect(b.remaining).toBe(DEPOSIT + toNano('2.5'))
    const state = await f.channel.getState()
    expect(state).toMatchObject({ channelId: 1n, exitRequestedAt: 0, exitDelay: 3600, closed: false })
    const parties = await f.channel.getParties()
    expect(parties.client.equals(f.client.address)).toBe(true)
    expect(Buffer.from(parties.clientKey).equals(Buffer.from(f.clientKey.publicKey))).toBe(true)
  })

  it('refuses a top-up from anyone but the client, and below the minimums', async () => {
    const f = await channelFixture()
    await f.channel.sendDeploy(f.client.getSender(), DEPOSIT)
    const stranger = await f.blockchain.treasury('stranger')
    const r1 = await f.channel.sendTopUp(stranger.getSender(), toNano('1'))
    expect(exitCode(channelTx(r1, f.channel.address))).toBe(ChannelExitCode.notClient)
    const r2 = await f.channel.sendTopUp(f.client.getSender(), toNano('1'), toNano('0.001'))
    expect(exitCode(channelTx(r2, f.channel.address))).toBe(ChannelExitCode.lowValue)
    const r3 = await f.channel.sendTopUp(f.client.getSender(), 1000n)
    expect(exitCode(channelTx(r3, f.channel.address))).toBe(ChannelExitCode.lowDeposit)
    expect((await f.channel.getBalances()).deposit).toBe(DEPOSIT)
  })

  it('pays the provider exactly the difference on each partial claim', async () => {
    const f = await channelFixture()
    await f.channel.sendDeploy(f.client.getSender(), DEPOSIT)
    for (const [amount, delta] of [
      [toNano('1'), toNano('1')],
      [toNano('1.25'), toNano('0.25')],
      [toNano('4'), toNano('2.75')],
    ] as const) {
      const before = await f.balance(f.channel.address)
      const r = await f.channel.sendClaim(f.provider.getSender(), f.voucher(amount))
      const tx = channelTx(r, f.channel.address)
      expect(succeeded(tx)).toBe(true)
      const [out] = payouts(tx)
      expect(out?.dest.equals(f.provider.address)).toBe(true)
      // the payout carries the delta plus what is left of the provider's own message value
      expect(out?.value).toBeGreaterThan(delta)
      expect(out?.value).toBeLessThan(delta + toNano('0.05'))
      expect(await f.balance(f.channel.address)).toBe(before - delta)
      const b = await f.channel.getBalances()
      expect(b.claimed).toBe(amount)
      expect(b.remaining).toBe(DEPOSIT - amount)
    }
  })

  it('refuses a replayed, lower, forged, or foreign-channel voucher without changing balances', async () => {
    const f = await channelFixture()
    await f.channel.sendDeploy(f.client.getSender(), DEPOSIT)
    await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('2')))
    const before = await f.balance(f.channel.address)

    const replay = await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('2')))
    expect(exitCode(channelTx(replay, f.channel.address))).toBe(ChannelExitCode.staleVoucher)
    const lower = await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('1')))
    expect(exitCode(channelTx(lower, f.channel.address))).toBe(ChannelExitCode.staleVoucher)
    const wrongKey = await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('3'), f.providerKey))
    expect(exitCode(channelTx(wrongKey, f.channel.address))).toBe(ChannelExitCode.badSignature)
    const other = await channelFixture(3600, 2n)
    const foreign = await f.channel.sendClaim(
      f.provider.getSender(),
      f.voucher(toNano('3'), f.clientKey, other.channel.address),
    )
    expect(exitCode(channelTx(foreign, f.channel.address))).toBe(ChannelExitCode.badSignature)
    const stranger = await f.blockchain.treasury('stranger')
    const notProvider = await f.channel.sendClaim(stranger.getSender(), f.voucher(toNano('3')))
    expect(exitCode(channelTx(notProvider, f.channel.address))).toBe(ChannelExitCode.notProvider)

    // refused claims bounce the sender's value back; the channel keeps what it had
    expect(await f.balance(f.channel.address)).toBeGreaterThanOrEqual(before)
    const b = await f.channel.getBalances()
    expect(b.claimed).toBe(toNano('2'))
    expect(b.remaining).toBe(DEPOSIT - toNano('2'))
  })

  it('caps an overspent voucher at the deposit and then refuses more', async () => {
    const f = await channelFixture()
    await f.channel.sendDeploy(f.client.getSender(), DEPOSIT)
    await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('3')))
    const before = await f.balance(f.channel.address)
    const over = await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('25')))
    expect(succeeded(channelTx(over, f.channel.address))).toBe(true)
    expect(await f.balance(f.channel.address)).toBe(before - (DEPOSIT - toNano('3')))
    let b = await f.channel.getBalances()
    expect(b.claimed).toBe(DEPOSIT)
    expect(b.remaining).toBe(0n)
    const again = await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('30')))
    expect(exitCode(channelTx(again, f.channel.address))).toBe(ChannelExitCode.nothingToClaim)
    // a top-up makes the rest of the overspent voucher claimable: nothing was locked
    await f.channel.sendTopUp(f.client.getSender(), toNano('5'))
    const after = await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('25')))
    expect(succeeded(channelTx(after, f.channel.address))).toBe(true)
    b = await f.channel.getBalances()
    expect(b.claimed).toBe(DEPOSIT + toNano('5'))
  })

  it('refuses an early withdrawal and lets the provider claim during the exit delay', async () => {
    const f = await channelFixture(3600)
    await f.channel.sendDeploy(f.client.getSender(), DEPOSIT)
    const early = await f.channel.sendWithdraw(f.client.getSender())
    expect(exitCode(channelTx(early, f.channel.address))).toBe(ChannelExitCode.exitNotStarted)
    const exit = await f.channel.sendStartExit(f.client.getSender())
    expect(succeeded(channelTx(exit, f.channel.address))).toBe(true)
    expect((await f.channel.getState()).exitRequestedAt).toBe(f.blockchain.now)
    const topUp = await f.channel.sendTopUp(f.client.getSender(), toNano('1'))
    expect(exitCode(channelTx(topUp, f.channel.address))).toBe(ChannelExitCode.exitStarted)

    f.blockchain.now = (f.blockchain.now ?? 0) + 3599
    const tooEarly = await f.channel.sendWithdraw(f.client.getSender())
    expect(exitCode(channelTx(tooEarly, f.channel.address))).toBe(ChannelExitCode.exitNotElapsed)
    const claim = await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('4')))
    expect(succeeded(channelTx(claim, f.channel.address))).toBe(true)
    expect((await f.channel.getBalances()).claimed).toBe(toNano('4'))

    f.blockchain.now = (f.blockchain.now ?? 0) + 1
    const balanceBefore = await f.balance(f.channel.address)
    const withdraw = await f.channel.sendWithdraw(f.client.getSender())
    const tx = channelTx(withdraw, f.channel.address)
    expect(succeeded(tx)).toBe(true)
    const [out] = payouts(tx)
    expect(out?.dest.equals(f.client.address)).toBe(true)
    // the client gets everything but the storage reserve (its message value included, minus gas)
    expect(out?.value).toBeGreaterThan(balanceBefore - CHANNEL_STORAGE_RESERVE)
    expect(await f.balance(f.channel.address)).toBe(CHANNEL_STORAGE_RESERVE)
    expect((await f.channel.getState()).closed).toBe(true)
    const late = await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('5')))
    expect(exitCode(channelTx(late, f.channel.address))).toBe(ChannelExitCode.closed)
  })

  it('lets the provider close: newest voucher to itself, the rest to the client', async () => {
    const f = await channelFixture()
    await f.channel.sendDeploy(f.client.getSender(), DEPOSIT)
    await f.channel.sendClaim(f.provider.getSender(), f.voucher(toNano('1')))
    const balanceBefore = await f.balance(f.channel.address)
    const close = await f.channel.sendClose(f.provider.getSender(), f.voucher(toNano('3.5')))
    const tx = channelTx(close, f.channel.address)
    expect(succeeded(tx)).toBe(true)
    const [toProvider, toClient] = payouts(tx)
    expect(toProvider?.dest.equals(f.provider.address)).toBe(true)
    expect(toProvider?.value).toBeGreaterThan(toNano('2.5'))
    expect(toProvider?.value).toBeLessThan(toNano('2.55'))
    expect(toClient?.dest.equals(f.client.address)).toBe(true)
    // mode 128 pays the forward fee (< 0.001 TON) out of the refund
    const refund = balanceBefore - toNano('2.5') - CHANNEL_STORAGE_RESERVE
    expect(toClient?.value).toBeLessThanOrEqual(refund)
    expect(toClient?.value).toBeGreaterThan(refund - toNano('0.001'))
    expect(await f.balance(f.channel.address)).toBe(CHANNEL_STORAGE_RESERVE)
    const b = await f.channel.getBalances()
    expect(b.claimed).toBe(toNano('3.5'))
    expect((await f.channel.getState()).closed).toBe(true)
  })

  it('lets the provider close with no newer voucher, refunding everything but the reserve', async () => {
    const f = await channelFixture()
    await f.channel.sendDeploy(f.client.getSender(), DEPOSIT)
    const balanceBefore = await f.balance(f.channel.address)
    const close = await f.channel.sendClose(f.provider.getSender(), {
      amount: 0n,
      signature: new Uint8Array(64),
    })
    const tx = channelTx(close, f.channel.address)
    expect(succeeded(tx)).toBe(true)
    const toClient = payouts(tx).find((p) => p.dest.equals(f.client.address))
    expect(toClient?.value).toBeLessThanOrEqual(balanceBefore - CHANNEL_STORAGE_RESERVE)
    expect(toClient?.value).toBeGreaterThan(balanceBefore - CHANNEL_STORAGE_RESERVE - toNano('0.001'))
    expect(await f.balance(f.channel.address)).toBe(CHANNEL_STORAGE_RESERVE)
    expect((await f.channel.getBalances()).claimed).toBe(0n)
  })

  it('bounces refused messages back and ignores bounced ones', async () => {
    const f = await channelFixture()
    await f.channel.sendDeploy(f.client.getSender(), DEPOSIT)
    const before = await f.channel.getBalances()
    const stranger = await f.blockchain.treasury('stranger')
    const strangerBefore = await f.balance(stranger.address)
    const refused = await f.channel.sendStartExit(stranger.getSender(), toNano('1'))
    const tx = channelTx(refused, f.channel.address)
    expect(exitCode(tx)).toBe(ChannelExitCode.notClient)
    const [bounce] = payouts(tx)
    expect(bounce?.dest.equals(stranger.address)).toBe(true)
    // the stranger lost only fees, not the 1 TON it sent
    expect(strangerBefore - (await f.balance(stranger.address))).toBeLessThan(toNano('0.05'))

    // a bounced message arriving at the channel changes no state
    const bounced = await f.blockchain.sendMessage(
      internal({
        from: stranger.address,
        to: f.channel.address,
        value: toNano('0.1'),
        bounce: false,
        bounced: true,
        body: beginCell().storeUint(0xffffffff, 32).storeUint(0x70c1a002, 32).endCell(),
      }),
    )
    expect(succeeded(channelTx(bounced, f.channel.address))).toBe(true)
    const after = await f.channel.getBalances()
    expect(after.deposit).toBe(before.deposit)
    expect(after.claimed).toBe(before.claimed)
    const unknown = await f.blockchain.sendMessage(
      internal({
        from: f.client.address,
        to: f.channel.address,
        value: toNano('0.1'),
        bounce: true,
        body: beginCell().storeUint(0x12345678, 32).endCell(),
      }),
    )
    expect(exitCode(channelTx(unknown, f.channel.address))).toBe(ChannelExitCode.unknownOp)
  })
})
