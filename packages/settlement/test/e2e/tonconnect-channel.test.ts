import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JobKind, TrustTier, UNSIGNED_JOB_REQUEST } from '@cocoon-mesh/protocol'
import { Address, toNano } from '@ton/core'
import { mnemonicNew } from '@ton/crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TonConnectTestWallet } from '../../../../test-support/tonconnect-wallet.ts'
import { openOn } from '../../src/chain/chain-client.js'
import { type Devnet, startDevnet } from '../../src/chain/devnet.js'
import { TonChainClient } from '../../src/chain/ton-chain-client.js'
import { chainChannelTerms, claimChannel, closeChannel, readChannel } from '../../src/channel/channels.js'
import { discoverProviderChannels } from '../../src/channel/discovery.js'
import { ChannelExitCode, PaymentChannel } from '../../src/contract/payment-channel.js'
import {
  ChainTimeoutError,
  ChainTransactionFailedError,
  ChannelStateMismatchError,
  InvalidSettlementInputError,
} from '../../src/errors.js'
import { signChannelProof } from '../../src/policy/channel-proof.js'
import { clientPayments } from '../../src/policy/client-payments.js'
import { providerPayments } from '../../src/policy/provider-payments.js'
import { openVoucherStore } from '../../src/store/level-store.js'
import type { VoucherStore } from '../../src/store/voucher-store.js'
import {
  type ChannelOpenTarget,
  channelOpenTransaction,
} from '../../src/tonconnect/channel-open-transaction.js'
import { waitForChannelOpen } from '../../src/tonconnect/wait-for-channel.js'
import { checkWalletSent, parseWalletAnswer } from '../../src/tonconnect/wallet-transaction.js'
import { type SigningKey, signingKeyFromSeed } from '../../src/voucher/keys.js'
import { type NodeWallet, walletFromMnemonic } from '../../src/wallet/wallet.js'

let devnet: Devnet
let dir: string
let chain: TonChainClient
let user: TonConnectTestWallet
let provider: NodeWallet
let voucherKey: SigningKey
let clientStore: VoucherStore
let providerStore: VoucherStore

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockInterval: 100 })
  dir = await mkdtemp(join(tmpdir(), 'cocoon-tonconnect-'))
  chain = new TonChainClient({ endpoint: devnet.endpoint, pollInterval: 20, timeout: 20_000 })
  user = await TonConnectTestWallet.create(chain)
  provider = await walletFromMnemonic(await mnemonicNew(24))
  // the page's own voucher key: the wallet's key never leaves the wallet app
  voucherKey = signingKeyFromSeed(randomBytes(32))
  clientStore = await openVoucherStore(join(dir, 'client'))
  providerStore = await openVoucherStore(join(dir, 'provider'))
  await devnet.faucet(user.address, toNano('20'))
  await devnet.faucet(provider.address, toNano('2'))
})

afterAll(async () => {
  await clientStore?.close()
  await providerStore?.close()
  await devnet?.stop()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

/** A channel request from the user's wallet to the provider, on the devnet (signed as testnet). */
function openRequest(deposit: bigint) {
  return channelOpenTransaction({
    clientKey: voucherKey.publicKey,
    providerKey: provider.signingKey.publicKey,
    provider: provider.address.toString({ testOnly: true }),
    deposit,
    // TON Connect's account.address is raw
    wallet: user.address.toRawString(),
    network: '-3',
    exitDelay: 60,
  })
}

/** One paid job through `channel`: the client signs vouchers as work is delivered, the provider accepts them. */
async function payJob(channel: { address: string; deposit: bigint }, jobId: string, cost: bigint) {
  const clientSide = clientPayments({ store: clientStore, key: voucherKey, channelFor: async () => channel })
  const providerSide = providerPayments({
    store: providerStore,
    channelTerms: chainChannelTerms(chain, provider.address),
    creditWindow: toNano('0.1'),
    voucherTimeout: 10_000,
  })
  const providerPeer = new Uint8Array(38).fill(9)
  const request = signChannelProof(
    {
      version: 1,
      jobId,
      kind: JobKind.JOB_KIND_LLM,
      model: 'm',
      budget: 0n,
      channel: channel.address,
      deadline: 0n,
      minTrustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
      ...UNSIGNED_JOB_REQUEST,
      provider: providerPeer,
      issuedAt: BigInt(Date.now()),
    },
    voucherKey,
  )
  const prices = { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }
  const ps = await providerSide.openSession(request, prices, new Uint8Array(), providerPeer)
  const cs = await clientSide.openSession(
    new Uint8Array(),
    provider.address.toString(),
    ps.creditWindow,
    jobId,
  )
  for (let delivered = toNano('0.01'); delivered <= cost; delivered += toNano('0.01')) {
    await ps.reserve(delivered)
    const voucher = await cs.delivered(delivered)
    if (voucher !== undefined) await ps.acceptVoucher(voucher)
  }
  const last = await cs.finish(cost)
  if (last !== undefined) await ps.acceptVoucher(last)
  await ps.finish(cost)
}

describe('a channel opened from a TON Connect wallet', () => {
  it('the request, sent by the wallet, creates exactly the channel the client then pays through', async () => {
    const deposit = toNano('3')
    const { request, channel } = openRequest(deposit)
    const deployTo = Address.parseFriendly(request.messages[0]?.address ?? '')
    expect(deployTo.address.toRawString()).toBe(channel.address)
    expect(await chain.getStatus(deployTo.address)).not.toBe('active')

    const answer = await user.sendTransaction(request)
    const { boc } = answer
    const live = await waitForChannelOpen({ chain, channel, answer, pollInterval: 20, timeout: 20_000 })
    expect(live.channel).toEqual({ address: channel.address, deposit })

    // on chain: the channel the request named, holding the client's voucher key and the wallet as its client
    const parties = await openOn(chain, PaymentChannel.createFromAddress(deployTo.address)).getParties()
    expect(Buffer.from(parties.clientKey).equals(Buffer.from(voucherKey.publicKey))).toBe(true)
    expect(Buffer.from(parties.providerKey).equals(Buffer.from(provider.signingKey.publicKey))).toBe(true)
    expect(parties.client.equals(user.address)).toBe(true)
    expect(parties.provider.equals(provider.address)).toBe(true)
    const view = await readChannel(chain, channel.address)
    expect(view?.state).toMatchObject({
      channelId: channel.config.channelId,
      deposit,
      claimed: 0n,
      exitDelay: 60,
    })
    // the wallet's answer locates its transaction, which sent both messages
    const walletTx = await user.transactionOf(boc)
    expect(walletTx?.outMessagesCount).toBe(2)
    // the notice lets the provider find the channel in its wallet's history
    const found = await discoverProviderChannels({
      chain,
      provider: provider.address,
      providerKey: provider.signingKey.publicKey,
    })
    expect(found.map((f) => f.view.address)).toContain(channel.address)

    await clientStore.putChannelMeta({ ...channel.meta, createdAt: clientStore.now() })
    expect((await clientStore.channelMetas('client')).map((m) => m.address)).toContain(channel.address)
    await payJob(live.channel, 'wallet-job', toNano('0.5'))
    expect((await providerStore.providerChannel(channel.address))?.newest).toBe(toNano('0.5'))
    expect(
      await claimChannel({ chain, wallet: provider, store: providerStore, channel: channel.address }),
    ).toEqual({ claimed: toNano('0.5'), paid: toNano('0.5') })
    expect((await readChannel(chain, channel.address))?.balances.remaining).toBe(deposit - toNano('0.5'))

    // a closed channel is no longer the channel asked for
    await closeChannel({ chain, wallet: provider, store: providerStore, channel: channel.address })
    await expect(
      waitForChannelOpen({ chain, channel, pollInterval: 20, timeout: 5_000 }),
    ).rejects.toBeInstanceOf(ChannelStateMismatchError)
  })

  it('a contract at the address that holds another state is refused, not paid through', async () => {
    const { request, channel } = openRequest(toNano('1'))
    await user.sendTransaction(request)
    await waitForChannelOpen({ chain, channel, pollInterval: 20, timeout: 20_000 })
    const otherDelay: ChannelOpenTarget = { ...channel, config: { ...channel.config, exitDelay: 61 } }
    await expect(
      waitForChannelOpen({ chain, channel: otherDelay, pollInterval: 20, timeout: 5_000 }),
    ).rejects.toThrow(/exit delay 60 s, expected 61 s/)
    const otherKey: ChannelOpenTarget = {
      ...channel,
      config: { ...channel.config, clientKey: signingKeyFromSeed(randomBytes(32)).publicKey },
    }
    await expect(
      waitForChannelOpen({ chain, channel: otherKey, pollInterval: 20, timeout: 5_000 }),
    ).rejects.toBeInstanceOf(ChannelStateMismatchError)
    // the user's wallet is active but runs no channel code
    const notAChannel: ChannelOpenTarget = { ...channel, address: user.address.toRawString() }
    await expect(
      waitForChannelOpen({ chain, channel: notAChannel, pollInterval: 20, timeout: 5_000 }),
    ).rejects.toThrow(/does not run the payment-channel code/)
  })

  it('a request the wallet never sent runs out of time, and an aborted wait stops at once', async () => {
    const { channel } = openRequest(toNano('1'))
    const timedOut = waitForChannelOpen({ chain, channel, pollInterval: 20, timeout: 300 })
    await expect(timedOut).rejects.toBeInstanceOf(ChainTimeoutError)
    await expect(timedOut).rejects.toThrow(/not deployed/)
    const controller = new AbortController()
    const waiting = waitForChannelOpen({
      chain,
      channel,
      signal: controller.signal,
      pollInterval: 20,
      timeout: 60_000,
    })
    const reason = new Error('the page closed')
    controller.abort(reason)
    await expect(waiting).rejects.toBe(reason)
  })

  it('a wallet holding less than the request sends no channel into being', async () => {
    const poor = await TonConnectTestWallet.create(chain)
    await devnet.faucet(poor.address, toNano('0.5'))
    const { request, channel, total } = channelOpenTransaction({
      clientKey: voucherKey.publicKey,
      providerKey: provider.signingKey.publicKey,
      provider: provider.address,
      deposit: toNano('1'),
      wallet: poor.address,
      network: '-3',
    })
    const answer = await poor.sendTransaction(request)
    // with the wallet's answer the wait reads the wallet's transaction and fails once it ran, long before its timeout
    const waiting = waitForChannelOpen({ chain, channel, answer, pollInterval: 20, timeout: 60_000 })
    await expect(waiting).rejects.toBeInstanceOf(ChainTransactionFailedError)
    await expect(waiting).rejects.toThrow(/without the channel deploy/)
    const tx = await poor.transactionOf(answer.boc)
    // the wallet skipped the deploy it could not pay (send mode IGNORE_ERRORS, as wallets send);
    // only the notice went out, naming a channel that discovery finds not deployed
    const sent = [...(tx?.outMessages.values() ?? [])].map((m) =>
      m.info.type === 'internal' ? m.info.dest : undefined,
    )
    expect(sent.map((a) => a?.toRawString())).toEqual([provider.address.toRawString()])
    expect(await chain.getStatus(Address.parse(channel.address))).not.toBe('active')
    expect(request.messages.reduce((sum, m) => sum + BigInt(m.amount), 0n)).toBe(total)
    expect(total).toBeGreaterThan(await chain.getBalance(poor.address))
  })

  it('the request sent from another account than its `from`: the channel refuses it, and the answer says so', async () => {
    const other = await TonConnectTestWallet.create(chain)
    await devnet.faucet(other.address, toNano('5'))
    const { request, channel } = openRequest(toNano('1'))
    const { from: _pinned, ...anyAccount } = request
    const answer = await other.sendTransaction(anyAccount)
    // the answer is another account's message: not the channel's client
    await expect(
      waitForChannelOpen({ chain, channel, answer, pollInterval: 20, timeout: 5_000 }),
    ).rejects.toThrow(InvalidSettlementInputError)
    // on chain the channel refused the top-up from a sender that is not its client (the value bounced)
    const sent = parseWalletAnswer(answer.boc, other.address)
    let refusal: unknown
    await chain.waitFor(async () => {
      try {
        await checkWalletSent(chain, other.address, sent, Address.parse(channel.address))
        return false
      } catch (error) {
        if (!(error instanceof ChainTransactionFailedError)) throw error
        refusal = error
        return true
      }
    }, 'the channel refusing the deploy')
    expect(refusal).toMatchObject({ exitCode: ChannelExitCode.notClient })
    // the state init still deployed it, empty: a channel nobody funded, which no wait accepts
    expect((await readChannel(chain, channel.address))?.state.deposit).toBe(0n)
    await expect(waitForChannelOpen({ chain, channel, pollInterval: 20, timeout: 300 })).rejects.toThrow(
      /funded with 0 of 1000000000 nanoTON/,
    )
  })
})
