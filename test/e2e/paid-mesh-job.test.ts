/**
 * A job over the mesh paid through a TON payment channel on
 * the devnet, end to end through the real code paths: the provider is the node
 * `cocoon node start --provide --chain-endpoint` runs (`runNode`: gpu-runtime
 * with a generated tiny GGUF, signed offers carrying its wallet as payout
 * address and settlement key, `providerPayments`, `runClaims` on a timer); the
 * client is the SDK (`createLightPeer`) finding the offer in its gossip order
 * book and paying with `clientPayments` whose channel comes from its own
 * settlement store (`channelLookup`). Real peers over TCP on 127.0.0.1. The
 * provider's claimed on-chain balance rises by exactly the billed usage, minus
 * the claims' fees.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { channelLookup, createLightPeer } from '@cocoon-mesh/client'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { createIdentity, DEFAULT_CONFIG, type NodeConfig, type RunningNode, runNode } from '@cocoon-mesh/peer'
import {
  ChannelOp,
  clientPayments,
  openChannel,
  readChannel,
  sendFromWallet,
  TonChainClient,
  walletFromMnemonic,
} from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic, openVoucherStore } from '@cocoon-mesh/settlement/node'
import { Address, toNano } from '@ton/core'
import { mnemonicNew } from '@ton/crypto'
import { describe, expect, it } from 'vitest'
import { LineLog } from '../../test-support/wait.ts'
import { useDevnetFixture } from './support/devnet-fixture.js'
import { waitForOffers } from './support/offers.js'

const MODEL = 'tiny'
const fx = useDevnetFixture('cocoon-paid-mesh-job-')

describe('a mesh job paid through a payment channel (runNode provider, SDK client, devnet)', () => {
  it('pays per chunk off chain and the node claims exactly the billed usage on chain', async () => {
    const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 20_000 })

    // the provider's home: identity, wallet (as `cocoon init` makes them) and the model weights
    const home = join(fx.dir, 'provider')
    await mkdir(join(home, 'models'), { recursive: true })
    const privateKey = await createIdentity(home)
    const providerWallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(home)).mnemonic)
    await writeTinyGguf(join(home, 'models', `${MODEL}.gguf`))

    const clientWallet = await walletFromMnemonic(await mnemonicNew(24))
    await fx.devnet.faucet(clientWallet.address, toNano('20'))
    await fx.devnet.faucet(providerWallet.address, toNano('2'))
    // deploys the provider's wallet, so its balance below moves by claims only
    await sendFromWallet(chain, providerWallet, [
      { to: clientWallet.address, value: toNano('0.01'), bounce: false },
    ])

    // 1 TON per 1000 prompt or completion tokens; 10 tokens of credit, so the prompt alone exceeds it
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
    const node: RunningNode = await runNode({
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
    expect(log.lines).toContain(
      `payments on via ${fx.devnet.endpoint}; payout ${providerWallet.address.toString()} settlement-key ${Buffer.from(providerWallet.signingKey.publicKey).toString('hex')}`,
    )

    // the client funds a channel to the provider's payout address; its store remembers it
    const clientStore = await openVoucherStore(join(fx.dir, 'client'))
    fx.defer(() => clientStore.close())
    const { address } = await openChannel({
      chain,
      wallet: clientWallet,
      store: clientStore,
      providerAddress: providerWallet.address,
      providerKey: providerWallet.signingKey.publicKey,
      deposit: toNano('5'),
      exitDelay: 3600,
      peerId: node.peer.libp2p.peerId.toString(),
    })
    const channel = address.toRawString()
    const balanceBefore = await chain.getBalance(providerWallet.address)

    const client = await createLightPeer({
      bootstrap: node.peer.libp2p.getMultiaddrs().map(String),
      payments: clientPayments({
        store: clientStore,
        key: clientWallet.signingKey,
        channelFor: channelLookup({ store: clientStore, chain }),
      }),
    })
    fx.defer(() => client.stop())
    await waitForOffers(client, MODEL, 1)
    const [ranked] = await client.offers(MODEL)
    expect(Address.parse(ranked?.offer.payoutAddress ?? '').equals(providerWallet.address)).toBe(true)
    expect(ranked?.offer.settlementKey).toEqual(providerWallet.signingKey.publicKey)

    const job = client.generate({
      model: MODEL,
      prompt: 'Tell me a long story about payment channels, vouchers and the TON blockchain, please.',
      maxTokens: 48,
    })
    let received = 0
    for await (const chunk of job) received += chunk.tokens
    const usage = await job.usage
    expect(received).toBe(48)
    expect(usage.parts.map((p) => p.outcome)).toEqual(['completed'])
    const billed = usage.cost
    // the bill is prompt + completion at the offer's price, and the prompt alone is above the window
    expect(billed).toBe(toNano('0.001') * BigInt(usage.promptTokens + usage.completionTokens))
    expect(toNano('0.001') * BigInt(usage.promptTokens)).toBeGreaterThan(toNano('0.01'))
    expect((await clientStore.clientChannel(channel))?.signed).toBe(billed)

    // the node's claim timer moves every voucher on chain (one batch or more while the job ran)
    const claimed = (): bigint =>
      log.lines
        .filter((l) => l.startsWith(`claimed ${channel} `))
        .reduce((sum, l) => sum + BigInt(l.split(' ')[2] ?? '0'), 0n)
    await log.until(() => claimed() >= billed, { what: `claimed lines adding up to the ${billed} billed` })
    expect(claimed()).toBe(billed)
    expect((await readChannel(chain, channel))?.balances.claimed).toBe(billed)
    const claims = log.lines.filter((l) => l.startsWith(`claimed ${channel} `)).length
    const gained = (await chain.getBalance(providerWallet.address)) - balanceBefore
    expect(gained).toBeLessThan(billed) // minus each claim's fees...
    expect(billed - gained).toBeLessThan(toNano('0.02') * BigInt(claims)) // ...which stay small
    expect(log.lines.some((l) => l.startsWith('claim-failed'))).toBe(false)

    // the chain's history of the channel holds each claim the node logged, succeeded, with its fee
    const history = await chain.client.getTransactions(Address.parse(channel), { limit: 50, archival: true })
    const onChainClaims = history.filter(
      (tx) => tx.inMessage?.body.beginParse().loadUint(32) === ChannelOp.claim,
    )
    expect(onChainClaims).toHaveLength(claims)
    for (const tx of onChainClaims) {
      const d = tx.description
      expect(d.type === 'generic' && d.computePhase.type === 'vm' ? d.computePhase.exitCode : -1).toBe(0)
      expect(tx.totalFees.coins).toBeGreaterThan(0n)
    }

    // the node's Prometheus metrics saw the same money: vouchers off chain, claims on chain
    const url = log.lines.find((l) => l.startsWith('metrics '))?.split(' ')[1] ?? ''
    const metrics = await (await fetch(url)).text()
    const value = (name: string): number =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN)
    expect(value('cocoon_voucher_credited_nanoton_total')).toBe(Number(billed))
    expect(value('cocoon_claimed_nanoton_total')).toBe(Number(billed))
    expect(value('cocoon_billed_nanoton_total')).toBe(Number(billed))
    expect(value('cocoon_vouchers_accepted_total')).toBeGreaterThan(0)
    expect(metrics).toContain(`cocoon_claims_total{reason=`)
  })
})
