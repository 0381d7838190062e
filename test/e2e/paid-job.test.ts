import { join } from 'node:path'
import { createLightNode, jobAttempt, llmStallLimits } from '@cocoon-mesh/client/internal'
import {
  Admission,
  type GenerateRequest,
  type GenerationResult,
  type GenerationStream,
  type TensorRequest,
  type TensorResult,
  UnknownModelError,
} from '@cocoon-mesh/gpu-runtime'
import { createPeer, type JobService, jobService } from '@cocoon-mesh/peer'
import {
  JOB_PROTOCOL,
  JobKind,
  noLlmConstraints,
  PROTOCOL_VERSION,
  type Prices,
  TrustTier,
  UNSIGNED_JOB_REQUEST,
} from '@cocoon-mesh/protocol'
import {
  chainChannelTerms,
  claimChannel,
  clientPayments,
  openChannel,
  providerPayments,
  readChannel,
  sendFromWallet,
  signChannelProof,
  TonChainClient,
  walletFromMnemonic,
} from '@cocoon-mesh/settlement'
import { openVoucherStore } from '@cocoon-mesh/settlement/node'
import { toNano } from '@ton/core'
import { mnemonicNew } from '@ton/crypto'
import { describe, expect, it } from 'vitest'
import { useDevnetFixture } from './support/devnet-fixture.js'

const fx = useDevnetFixture('cocoon-paid-job-')

/** A runtime that streams `maxTokens` one-token chunks. */
function countingRuntime() {
  const admission = new Admission({ limits: { tiny: { maxConcurrency: 4, maxQueue: 0 } } })
  return {
    models: () => ['tiny'],
    stats: () => admission.stats(),
    reserve: (key: string) => admission.reserve(key),
    runTensor: (_request: TensorRequest): Promise<TensorResult> =>
      Promise.reject(new UnknownModelError('this test runtime serves no tensor graphs')),
    generate(request: GenerateRequest): GenerationStream {
      const n = request.maxTokens ?? 16
      let resolveResult: (r: GenerationResult) => void = () => {}
      const result = new Promise<GenerationResult>((r) => {
        resolveResult = r
      })
      const usage = { promptTokens: 0, cachedTokens: 0, completionTokens: n, reasoningTokens: 0 }
      return {
        result,
        usage: result.then((r) => r.usage),
        finishReason: result.then((r) => r.finishReason),
        async *[Symbol.asyncIterator]() {
          for (let i = 0; i < n; i++) yield { text: `t${i} `, tokens: 1 }
          resolveResult({ usage, finishReason: 'length', backend: 'test' })
        },
      }
    },
  }
}

describe('a job paid through a TON payment channel on the devnet', () => {
  it('bills per chunk off chain and the provider claims exactly the billed usage', async () => {
    const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 20_000 })
    const clientWallet = await walletFromMnemonic(await mnemonicNew(24))
    const providerWallet = await walletFromMnemonic(await mnemonicNew(24))
    await fx.devnet.faucet(clientWallet.address, toNano('20'))
    await fx.devnet.faucet(providerWallet.address, toNano('2'))
    await sendFromWallet(chain, providerWallet, [
      { to: clientWallet.address, value: toNano('0.01'), bounce: false },
    ])

    const clientStore = await openVoucherStore(join(fx.dir, 'client'))
    const providerStore = await openVoucherStore(join(fx.dir, 'provider'))
    fx.defer(
      () => clientStore.close(),
      () => providerStore.close(),
    )
    const { address } = await openChannel({
      chain,
      wallet: clientWallet,
      store: clientStore,
      providerAddress: providerWallet.address,
      providerKey: providerWallet.signingKey.publicKey,
      deposit: toNano('5'),
      exitDelay: 3600,
    })
    const channel = address.toRawString()

    // 0.001 TON per completion token, a credit window of 20 tokens
    const price: Prices = { perKPromptTokens: 0n, perKCompletionTokens: toNano('1'), perTensorGflop: 0n }
    const provider = await createPeer<{ jobs: JobService }>({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      gossip: false,
      services: {
        jobs: jobService({
          runtime: countingRuntime(),
          prices: () => price,
          payments: providerPayments({
            store: providerStore,
            creditWindow: toNano('0.02'),
            voucherTimeout: 10_000,
            channelTerms: chainChannelTerms(chain, providerWallet.address),
          }),
        }),
      },
    })
    fx.defer(() => provider.stop())
    const client = await createLightNode({ gossip: false })
    fx.defer(() => client.stop())

    const stream = await client.libp2p.dialProtocol(provider.libp2p.getMultiaddrs(), JOB_PROTOCOL)
    const tokens = 500
    let received = 0
    let billed = 0n
    const payments = clientPayments({
      store: clientStore,
      key: clientWallet.signingKey,
      channelFor: async () => ({ address: channel, deposit: toNano('5') }),
    })
    for await (const event of jobAttempt({
      stream,
      // made out to this provider and signed with the channel's client key, as failover does
      request: signChannelProof(
        {
          version: PROTOCOL_VERSION,
          jobId: 'paid-1',
          kind: JobKind.JOB_KIND_LLM,
          model: 'tiny',
          maxPrice: price,
          budget: 0n,
          channel,
          deadline: 0n,
          minTrustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
          ...UNSIGNED_JOB_REQUEST,
          llm: {
            prompt: 'hi',
            messages: [],
            maxTokens: tokens,
            temperature: 0,
            seed: 0,
            continuation: '',
            ...noLlmConstraints(),
          },
          provider: provider.libp2p.peerId.toMultihash().bytes,
          issuedAt: BigInt(Date.now()),
        },
        clientWallet.signingKey,
      ),
      payments,
      provider: provider.libp2p.peerId.toMultihash().bytes,
      payoutAddress: providerWallet.address.toString(),
      offerPrice: price,
      limits: llmStallLimits({ tokensPerSecond: 0 }, 0, { firstTokenMs: 10_000, idleMs: 10_000 }),
      maxTensorBytes: 1 << 20,
    })) {
      if (event.type === 'token') received += event.tokens
      if (event.type === 'result') billed = event.result.usage?.cost ?? 0n
    }
    expect(received).toBe(tokens)
    expect(billed).toBe(toNano('0.5'))
    // the final voucher travels after the result: wait until the provider stored it
    await expect
      .poll(async () => (await providerStore.providerChannel(channel))?.newest, {
        timeout: 10_000,
        interval: 20,
        message: "the provider's newest stored voucher",
      })
      .toBe(billed)
    expect((await clientStore.clientChannel(channel))?.signed).toBe(billed)

    const before = await chain.getBalance(providerWallet.address)
    const { paid } = await claimChannel({ chain, wallet: providerWallet, store: providerStore, channel })
    expect(paid).toBe(billed)
    const gained = (await chain.getBalance(providerWallet.address)) - before
    expect(gained).toBeLessThan(billed) // minus the claim's fees...
    expect(billed - gained).toBeLessThan(toNano('0.02')) // ...which stay small
    expect((await readChannel(chain, channel))?.balances.claimed).toBe(billed)
  })
})
