/**
 * A web app's payment flow on the devnet, end to end: the SDK client
 * (`createLightPeer`) reads a provider's offer from its order book (a
 * `runNode` provider serving the generated tiny GGUF), builds the channel's
 * TON Connect request from the offer's payout address and settlement key
 * with its own voucher key, the user's wallet (a W5 wallet contract that
 * signs exactly the request's messages, as a TON Connect wallet app does)
 * sends it, the client waits for that channel, keeps it in its store and
 * pays a real job through it; the node claims the billed usage on chain.
 */
import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { channelLookup, createLightPeer } from '@cocoon-mesh/client'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { createIdentity, DEFAULT_CONFIG, type NodeConfig, runNode } from '@cocoon-mesh/peer'
import {
  channelOpenTransaction,
  clientPayments,
  openOn,
  PaymentChannel,
  readChannel,
  signingKeyFromSeed,
  TON_CONNECT_NETWORKS,
  TonChainClient,
  waitForChannelOpen,
  walletFromMnemonic,
} from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic, openVoucherStore } from '@cocoon-mesh/settlement/node'
import { Address, toNano } from '@ton/core'
import { describe, expect, it } from 'vitest'
import { TonConnectTestWallet } from '../../test-support/tonconnect-wallet.ts'
import { LineLog } from '../../test-support/wait.ts'
import { useDevnetFixture } from './support/devnet-fixture.js'
import { waitForOffers } from './support/offers.js'

const MODEL = 'tiny'
const fx = useDevnetFixture('cocoon-wallet-channel-')

describe('a channel opened from the user wallet through TON Connect pays a mesh job', () => {
  it('the channel the request creates is the one the job pays and the provider claims through', async () => {
    const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 20_000 })
    const home = join(fx.dir, 'provider')
    await mkdir(join(home, 'models'), { recursive: true })
    const privateKey = await createIdentity(home)
    const providerWallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(home)).mnemonic)
    await writeTinyGguf(join(home, 'models', `${MODEL}.gguf`))
    await fx.devnet.faucet(providerWallet.address, toNano('2'))
    const user = await TonConnectTestWallet.create(chain)
    await fx.devnet.faucet(user.address, toNano('10'))

    const config: NodeConfig = {
      ...DEFAULT_CONFIG,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      provide: {
        ...DEFAULT_CONFIG.provide,
        models: [MODEL],
        prices: { perKPromptTokens: toNano('1'), perKCompletionTokens: toNano('1'), perTensorGflop: 0n },
      },
    }
    const log = new LineLog()
    const node = await runNode({
      home,
      privateKey,
      config,
      provide: true,
      chainEndpoint: fx.devnet.endpoint,
      metricsPort: 0,
      settlement: {
        creditWindow: toNano('0.01'),
        voucherTimeoutMs: 20_000,
        // feeMultiple 0: the test prices are below a claim's fee; claim every voucher anyway
        claimPolicy: { threshold: toNano('1000'), interval: 0, minClaim: 1n, feeMultiple: 0 },
        claimIntervalMs: 100,
      },
      log: log.log,
    })
    fx.defer(() => node.shutdown())

    // the page: its own voucher key and store, the offer from the order book
    const voucherKey = signingKeyFromSeed(randomBytes(32))
    const store = await openVoucherStore(join(fx.dir, 'page'))
    fx.defer(() => store.close())
    const client = await createLightPeer({
      bootstrap: node.peer.libp2p.getMultiaddrs().map(String),
      payments: clientPayments({ store, key: voucherKey, channelFor: channelLookup({ store, chain }) }),
    })
    fx.defer(() => client.stop())
    await waitForOffers(client, MODEL, 1)
    const [ranked] = await client.offers(MODEL)
    if (ranked === undefined) throw new Error('no offer')

    const { request, channel } = channelOpenTransaction({
      clientKey: voucherKey.publicKey,
      providerKey: ranked.offer.settlementKey,
      provider: ranked.offer.payoutAddress,
      deposit: toNano('2'),
      wallet: user.address.toRawString(),
      network: TON_CONNECT_NETWORKS.devnet,
    })
    const answer = await user.sendTransaction(request)
    const live = await waitForChannelOpen({ chain, channel, answer, pollInterval: 20, timeout: 30_000 })
    expect(live.channel).toEqual({ address: channel.address, deposit: toNano('2') })
    await store.putChannelMeta({ ...channel.meta, createdAt: store.now(), peerId: ranked.providerId })
    const parties = await openOn(
      chain,
      PaymentChannel.createFromAddress(Address.parse(channel.address)),
    ).getParties()
    // the wallet is the channel's client (its refunds go there), the page's key signs its vouchers
    expect(parties.client.equals(user.address)).toBe(true)
    expect(parties.clientKey).toEqual(voucherKey.publicKey)
    expect(parties.provider.equals(providerWallet.address)).toBe(true)

    const job = client.generate({
      model: MODEL,
      prompt: 'Tell me a long story about wallets, payment channels and vouchers, please.',
      maxTokens: 32,
    })
    let received = 0
    for await (const chunk of job) received += chunk.tokens
    const usage = await job.usage
    expect(received).toBe(32)
    expect(usage.parts.map((p) => p.outcome)).toEqual(['completed'])
    const billed = usage.cost
    expect(billed).toBe(toNano('0.001') * BigInt(usage.promptTokens + usage.completionTokens))
    // the job paid through the wallet's channel, and no other
    expect((await store.clientChannels()).map((c) => [c.channel, c.signed])).toEqual([
      [channel.address, billed],
    ])

    const claimed = (): bigint =>
      log.lines
        .filter((l) => l.startsWith(`claimed ${channel.address} `))
        .reduce((sum, l) => sum + BigInt(l.split(' ')[2] ?? '0'), 0n)
    await log.until(() => claimed() >= billed, { what: `claimed lines adding up to the ${billed} billed` })
    expect(claimed()).toBe(billed)
    expect((await readChannel(chain, channel.address))?.balances.claimed).toBe(billed)
  })
})
