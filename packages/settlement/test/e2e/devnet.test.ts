import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JobKind, TrustTier, UNSIGNED_JOB_REQUEST } from '@cocoon-mesh/protocol'
import { Address, toNano } from '@ton/core'
import { mnemonicNew } from '@ton/crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordingLogger } from '../../../../test-support/recording-logger.ts'
import { openOn, sendFromWallet, walletSender } from '../../src/chain/chain-client.js'
import { type Devnet, devnetCall, startDevnet } from '../../src/chain/devnet.js'
import { TonChainClient } from '../../src/chain/ton-chain-client.js'
import { claimChannel, closeChannel, openChannel, readChannel } from '../../src/channel/channels.js'
import { CLAIM_CHAIN_FEE_ALLOWANCE, estimateClaimFee } from '../../src/channel/claim-fees.js'
import { runClaims } from '../../src/channel/claim-runner.js'
import {
  CHANNEL_OP_VALUE,
  ChannelExitCode,
  ChannelOp,
  PaymentChannel,
} from '../../src/contract/payment-channel.js'
import { ChainTransactionFailedError, InsufficientFeeBalanceError } from '../../src/errors.js'
import { signChannelProof } from '../../src/policy/channel-proof.js'
import { clientPayments } from '../../src/policy/client-payments.js'
import { providerPayments } from '../../src/policy/provider-payments.js'
import { openVoucherStore } from '../../src/store/level-store.js'
import type { VoucherStore } from '../../src/store/voucher-store.js'
import { signVoucher } from '../../src/voucher/voucher.js'
import { type NodeWallet, walletFromMnemonic } from '../../src/wallet/wallet.js'

let devnet: Devnet
let dir: string
let chain: TonChainClient
let client: NodeWallet
let provider: NodeWallet
let clientStore: VoucherStore
let providerStore: VoucherStore

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  dir = await mkdtemp(join(tmpdir(), 'cocoon-devnet-'))
  chain = new TonChainClient({ endpoint: devnet.endpoint, pollInterval: 20, timeout: 20_000 })
  client = await walletFromMnemonic(await mnemonicNew(24))
  provider = await walletFromMnemonic(await mnemonicNew(24))
  clientStore = await openVoucherStore(join(dir, 'client'))
  providerStore = await openVoucherStore(join(dir, 'provider'))
})

afterAll(async () => {
  await clientStore?.close()
  await providerStore?.close()
  await devnet?.stop()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

/** The channel's transactions from the chain, oldest first: inbound op, compute exit code, fees. */
async function channelOps(channel: string): Promise<{ op: number; exitCode: number; fee: bigint }[]> {
  const txs = await chain.client.getTransactions(Address.parse(channel), { limit: 20, archival: true })
  return txs.reverse().map((tx) => {
    const d = tx.description
    const exitCode = d.type === 'generic' && d.computePhase.type === 'vm' ? d.computePhase.exitCode : -1
    return { op: tx.inMessage?.body.beginParse().loadUint(32) ?? -1, exitCode, fee: tx.totalFees.coins }
  })
}

describe('devnet over the toncenter HTTP API', () => {
  it('drives a channel through TonClient: fund, open, pay off chain, batch-claim, close', async () => {
    await devnetCall(devnet.endpoint, 'cocoonFaucet', {
      address: client.address.toString(),
      amount: toNano('100').toString(),
    })
    await devnet.faucet(provider.address, toNano('5'))
    expect(await chain.getBalance(client.address)).toBe(toNano('100'))
    expect(await chain.getStatus(client.address)).toBe('uninit')

    // the provider wallet deploys itself on its first message
    await sendFromWallet(chain, provider, [{ to: client.address, value: toNano('0.1'), bounce: false }])
    expect(await chain.getStatus(provider.address)).toBe('active')

    const { address } = await openChannel({
      chain,
      wallet: client,
      store: clientStore,
      providerAddress: provider.address,
      providerKey: provider.signingKey.publicKey,
      deposit: toNano('10'),
      exitDelay: 60,
    })
    const channel = address.toRawString()
    expect((await readChannel(chain, channel))?.balances.deposit).toBe(toNano('10'))
    expect((await clientStore.channelMetas('client')).map((m) => m.address)).toEqual([channel])

    // 1000 micropayments of 0.001 TON off chain
    for (let i = 0; i < 1000; i++) {
      const v = await clientStore.signNext(channel, 'job-1', toNano('0.001'), (amount) =>
        signVoucher({ key: client.signingKey, channel, amount, jobId: 'job-1' }),
      )
      await providerStore.acceptVoucher(v)
    }
    expect((await providerStore.providerChannel(channel))?.newest).toBe(toNano('1'))

    // below threshold and before the timer: no claim; over threshold: one claim
    const config = { threshold: toNano('2'), interval: 3_600_000, minClaim: toNano('0.05') }
    expect(await runClaims({ chain, wallet: provider, store: providerStore, config })).toEqual([])
    const providerBefore = await chain.getBalance(provider.address)
    const outcomes = await runClaims({
      chain,
      wallet: provider,
      store: providerStore,
      config: { ...config, threshold: toNano('1') },
    })
    expect(outcomes).toEqual([{ channel, reason: 'threshold', paid: toNano('1'), fee: expect.any(BigInt) }])
    const view = await readChannel(chain, channel)
    expect(view?.balances.claimed).toBe(toNano('1'))
    expect(view?.balances.remaining).toBe(toNano('9'))
    const gained = (await chain.getBalance(provider.address)) - providerBefore
    expect(gained).toBeLessThan(toNano('1'))
    expect(gained).toBeGreaterThan(toNano('1') - toNano('0.05'))
    expect((await providerStore.providerChannel(channel))?.claimed).toBe(toNano('1'))

    // more vouchers, then the provider closes: newest to itself, the rest back to the client
    const v = await clientStore.signNext(channel, 'job-2', toNano('0.5'), (amount) =>
      signVoucher({ key: client.signingKey, channel, amount, jobId: 'job-2' }),
    )
    await providerStore.acceptVoucher(v)
    const clientBefore = await chain.getBalance(client.address)
    const closed = await closeChannel({ chain, wallet: provider, store: providerStore, channel })
    expect(closed).toEqual({ claimed: toNano('1.5'), paid: toNano('0.5') })
    const refund = (await chain.getBalance(client.address)) - clientBefore
    expect(refund).toBeGreaterThan(toNano('8.5'))
    expect(refund).toBeLessThanOrEqual(toNano('8.5') + toNano('0.02'))
    expect((await readChannel(chain, channel))?.state.closed).toBe(true)

    // the chain's history of the channel: each claim and the close, with fees and exit code 0
    const ops = await channelOps(channel)
    expect(ops.map((o) => o.op)).toEqual([ChannelOp.topUp, ChannelOp.claim, ChannelOp.close])
    for (const o of ops) {
      expect(o.exitCode).toBe(0)
      expect(o.fee).toBeGreaterThan(0n)
    }
  })

  it('a claim the channel refuses fails with its exit code, and the chain records it', async () => {
    await devnet.faucet(client.address, toNano('5'))
    const { address } = await openChannel({
      chain,
      wallet: client,
      store: clientStore,
      providerAddress: provider.address,
      providerKey: provider.signingKey.publicKey,
      deposit: toNano('1'),
      exitDelay: 60,
    })
    const channel = address.toRawString()
    const voucher = signVoucher({ key: client.signingKey, channel, amount: toNano('0.2'), jobId: 'refused' })
    await providerStore.acceptVoucher(voucher)
    expect(await claimChannel({ chain, wallet: provider, store: providerStore, channel })).toEqual({
      claimed: toNano('0.2'),
      paid: toNano('0.2'),
    })
    // the same voucher again is stale (exit 104): the send says so instead of waiting out the timeout
    const opened = openOn(chain, PaymentChannel.createFromAddress(address))
    const stale = opened.sendClaim(walletSender(chain, provider), {
      amount: toNano('0.2'),
      signature: voucher.signature,
    })
    await expect(stale).rejects.toBeInstanceOf(ChainTransactionFailedError)
    await expect(stale).rejects.toMatchObject({ exitCode: ChannelExitCode.staleVoucher })
    const ops = await channelOps(channel)
    expect(ops.map((o) => [o.op, o.exitCode])).toEqual([
      [ChannelOp.topUp, 0],
      [ChannelOp.claim, 0],
      [ChannelOp.claim, ChannelExitCode.staleVoucher],
    ])
    expect(ops.every((o) => o.fee > 0n)).toBe(true)
  })

  it('a provider whose wallet cannot pay the claim fees gets a typed error naming its balance and the need', async () => {
    const poor = await walletFromMnemonic(await mnemonicNew(24))
    await devnet.faucet(poor.address, toNano('0.03'))
    await devnet.faucet(client.address, toNano('3'))
    const { address } = await openChannel({
      chain,
      wallet: client,
      store: clientStore,
      providerAddress: poor.address,
      providerKey: poor.signingKey.publicKey,
      deposit: toNano('1'),
      exitDelay: 60,
    })
    const channel = address.toRawString()
    const store = await openVoucherStore(join(dir, 'poor'))
    try {
      await store.acceptVoucher(
        signVoucher({ key: client.signingKey, channel, amount: toNano('0.5'), jobId: 'p' }),
      )
      const fee = await estimateClaimFee(chain, poor)
      // the wallet's part (estimated by the chain) plus the channel's allowance; a claim costs about 0.0055 TON
      expect(fee).toBeGreaterThan(CLAIM_CHAIN_FEE_ALLOWANCE)
      expect(fee).toBeLessThan(toNano('0.02'))
      const balance = await chain.getBalance(poor.address)
      const claim = claimChannel({ chain, wallet: poor, store, channel, claimFee: fee })
      await expect(claim).rejects.toBeInstanceOf(InsufficientFeeBalanceError)
      await expect(claim).rejects.toMatchObject({ balance, needed: CHANNEL_OP_VALUE + fee })
      // nothing was sent: the voucher is still all claimable
      expect((await readChannel(chain, channel))?.state.claimed).toBe(0n)
      // an operator's reserve raises the need
      await devnet.faucet(poor.address, toNano('1'))
      const reserve = toNano('5')
      await expect(
        claimChannel({ chain, wallet: poor, store, channel, claimFee: fee, minFeeBalance: reserve }),
      ).rejects.toMatchObject({ needed: reserve })
      expect(await claimChannel({ chain, wallet: poor, store, channel, claimFee: fee })).toEqual({
        claimed: toNano('0.5'),
        paid: toNano('0.5'),
      })
    } finally {
      await store.close()
    }
  })

  it('a client that vanishes mid-job: the provider stops at its credit window and claims the newest voucher', async () => {
    await devnet.faucet(client.address, toNano('20'))
    const { address } = await openChannel({
      chain,
      wallet: client,
      store: clientStore,
      providerAddress: provider.address,
      providerKey: provider.signingKey.publicKey,
      deposit: toNano('5'),
      exitDelay: 60,
    })
    const channel = address.toRawString()
    const view = await readChannel(chain, channel)
    const parties = { clientKey: client.signingKey.publicKey, deposit: view?.state.deposit ?? 0n }
    const timers = new Set<() => void>()
    /** The provider's peer id bytes (any bytes: the channel proof compares them). */
    const providerPeer = new Uint8Array(38).fill(7)
    const providerSide = providerPayments({
      store: providerStore,
      channelTerms: async () => ({ ...parties, payableToUs: true, closed: false, exitStarted: false }),
      creditWindow: toNano('0.1'),
      voucherTimeout: 1000,
      timers: {
        schedule: (fn) => {
          timers.add(fn)
          return () => {
            timers.delete(fn)
          }
        },
      },
    })
    const clientSide = clientPayments({
      store: clientStore,
      key: client.signingKey,
      channelFor: async () => ({ address: channel, deposit: parties.deposit }),
    })
    const request = signChannelProof(
      {
        version: 1,
        jobId: 'vanish',
        kind: JobKind.JOB_KIND_LLM,
        model: 'm',
        budget: 0n,
        channel,
        deadline: 0n,
        minTrustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
        ...UNSIGNED_JOB_REQUEST,
        provider: providerPeer,
        issuedAt: BigInt(Date.now()),
      },
      client.signingKey,
    )
    const ps = await providerSide.openSession(
      request,
      { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n },
      new Uint8Array(),
      providerPeer,
    )
    const cs = await clientSide.openSession(
      new Uint8Array(),
      provider.address.toString(),
      ps.creditWindow,
      'vanish',
    )
    // 0.01 TON per chunk; the client pays as chunks arrive, then disappears after 1 TON of work
    let cost = 0n
    for (; cost < toNano('1'); ) {
      cost += toNano('0.01')
      await ps.reserve(cost)
      const v = await cs.delivered(cost)
      if (v !== undefined) await ps.acceptVoucher(v)
    }
    const paidBefore = (await providerStore.providerChannel(channel))?.newest ?? 0n
    expect(paidBefore).toBeGreaterThan(cost - ps.creditWindow)
    // the client is gone: the provider serves up to the window, then stops (well before
    // 1000 more chunks, 10 TON of work, where the loop gives up so the expect below fails)
    let served = cost
    for (let chunk = 0; chunk < 1000; chunk++) {
      const next = served + toNano('0.01')
      const waiting = ps.reserve(next)
      for (const fire of [...timers]) fire()
      if (
        await waiting.then(
          () => true,
          () => false,
        )
      )
        served = next
      else break
    }
    expect(served - paidBefore).toBeLessThanOrEqual(ps.creditWindow)
    const closed = await closeChannel({ chain, wallet: provider, store: providerStore, channel })
    expect(closed.claimed).toBe(paidBefore)
    expect((await readChannel(chain, channel))?.state.closed).toBe(true)
  })

  it('a chain endpoint that is down delays claims but loses no voucher', async () => {
    const down = new TonChainClient({
      endpoint: 'http://127.0.0.1:1/jsonRPC',
      pollInterval: 10,
      timeout: 100,
    })
    const store = await openVoucherStore(join(dir, 'down'))
    try {
      const channel = `0:${'ab'.repeat(32)}`
      await store.acceptVoucher(signVoucher({ key: client.signingKey, channel, amount: 5n, jobId: 'j' }))
      const { logger, lines } = recordingLogger()
      const outcomes = await runClaims({ chain: down, wallet: provider, store, logger })
      expect(outcomes).toHaveLength(1)
      expect(lines).toContainEqual({
        component: 'cocoon:settlement:claims',
        format: 'claim on %s failed, will retry: %s',
      })
      expect(outcomes[0]?.error).toMatchObject({ code: 'ERR_CHAIN' })
      expect((await store.providerChannel(channel))?.newest).toBe(5n)
    } finally {
      await store.close()
    }
  })
})
