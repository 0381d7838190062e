/**
 * An operator sells a model served by an OpenAI-compatible server (vLLM's
 * API, a real HTTP server on 127.0.0.1 started here), configured only in
 * `config.jsonc`, through `cocoon node start --provide` as a spawned process
 * paid on the devnet. Next to it the same config names models that cannot
 * serve — an upstream that is down, one that answers garbage, a wrong API key,
 * a GGUF file that does not exist — and the node names each problem with its
 * fix, and sells the working model. A client job through the mesh reaches the
 * upstream and is billed the usage the upstream reported, claimed on chain.
 * Each model is quoted and billed at its own price from the config: the one
 * offer carries the node's prices and an entry for each model priced otherwise.
 */
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { channelLookup, createLightPeer } from '@cocoon-mesh/client'
import { llmCost, offerPricesFor } from '@cocoon-mesh/protocol'
import {
  clientPayments,
  openChannel,
  readChannel,
  sendFromWallet,
  TonChainClient,
  walletFromMnemonic,
} from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic, openVoucherStore } from '@cocoon-mesh/settlement/node'
import { toNano } from '@ton/core'
import { mnemonicNew } from '@ton/crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI, cocoon, ProcessGroup } from '../../test-support/cli-processes.ts'
import { startOpenAiUpstream } from '../../test-support/openai-upstream.ts'
import { useDevnetFixture } from './support/devnet-fixture.js'
import { waitForOffers } from './support/offers.js'

const MODEL = 'big'
const fx = useDevnetFixture('cocoon-upstream-provider-')
const procs = new ProcessGroup(90_000)

beforeAll(buildPeerDist, 180_000)
afterAll(() => procs.stopAll())

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

describe('a provider selling an OpenAI-compatible upstream, configured in config.jsonc', () => {
  it('serves and bills the working upstream, and names each broken model with its fix', async () => {
    const upstream = await startOpenAiUpstream({ model: 'meta-llama/Llama-3.3-70B', apiKey: 'sekret' })
    const small = await startOpenAiUpstream({ model: 'qwen-small' })
    const garbage = await startOpenAiUpstream({ model: 'x', garbage: true })
    fx.defer(
      () => upstream.close(),
      () => small.close(),
      () => garbage.close(),
    )
    const home = join(fx.dir, 'provider')
    await cocoon(['init', '--home', home])
    const models = [
      {
        id: MODEL,
        upstream: { baseUrl: upstream.url, model: 'meta-llama/Llama-3.3-70B', apiKeyEnv: 'UP_KEY' },
        maxConcurrency: 2,
        // completions of the big model cost twice the node's price
        prices: { perKCompletionTokens: '2000000000' },
      },
      {
        id: 'small',
        upstream: { baseUrl: `${small.url}/v1`, model: 'qwen-small' },
        // completions of the small model cost half the node's price
        prices: { perKCompletionTokens: '500000000' },
      },
      { id: 'down', upstream: { baseUrl: `http://127.0.0.1:${await closedPort()}` } },
      { id: 'garbage', upstream: { baseUrl: garbage.url, model: 'x' } },
      {
        id: 'badkey',
        upstream: { baseUrl: upstream.url, model: 'meta-llama/Llama-3.3-70B', apiKeyEnv: 'WRONG_KEY' },
      },
      { id: 'missing', source: join(fx.dir, 'no-such-model.gguf') },
      // no network here: the download fails as a broken one would
      { id: 'remote', source: 'hf:someone/some-model-GGUF:Q4_K_M' },
    ]
    // 1 TON per 1000 tokens; claims as soon as anything is unclaimed
    await writeFile(
      join(home, 'config.jsonc'),
      JSON.stringify({
        provide: {
          models,
          prices: { perKPromptTokens: '1000000000', perKCompletionTokens: '1000000000', perTensorGflop: '0' },
        },
        settlement: {
          creditWindow: '10000000',
          claimThreshold: '1000000000000',
          claimAfterMs: 0,
          claimMinimum: '1',
          claimCheckMs: 200,
          // test prices are below a claim's fee: claim anyway
          claimFeeMultiple: 0,
        },
      }),
    )
    const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 20_000 })
    const providerWallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(home)).mnemonic)
    const clientWallet = await walletFromMnemonic(await mnemonicNew(24))
    await fx.devnet.faucet(clientWallet.address, toNano('20'))
    await fx.devnet.faucet(providerWallet.address, toNano('2'))
    await sendFromWallet(chain, providerWallet, [
      { to: clientWallet.address, value: toNano('0.01'), bounce: false },
    ])

    const node = procs.spawn(
      'provider',
      [
        CLI,
        'node',
        'start',
        '--home',
        home,
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--provide',
        '--chain-endpoint',
        fx.devnet.endpoint,
      ],
      { UP_KEY: 'sekret', WRONG_KEY: 'nope' },
    )
    const addr = (await node.line(/^listening \/ip4\/127\.0\.0\.1\/tcp\/.*\/p2p\//)).split(' ')[1] as string
    const peerId = (await node.line(/^peer-id /)).split(' ')[1] as string
    const unavailable = (id: string): string =>
      node.lines.find((l) => l.startsWith(`model-unavailable ${id} `)) ??
      `(no model-unavailable line for ${id})`
    expect(unavailable('down')).toMatch(
      /is unreachable.*fix: Nothing answers at http:\/\/127\.0\.0\.1:\d+: start the server/,
    )
    expect(unavailable('garbage')).toMatch(/fix: .*does not speak the OpenAI streaming format/)
    expect(unavailable('badkey')).toMatch(
      /answered 401.*fix: .*refused the API key \(HTTP 401\).*"apiKeyEnv"/,
    )
    expect(unavailable('missing')).toMatch(/no-such-model\.gguf.*fix: No GGUF file at/)
    expect(node.lines).toContain('model-pull remote hf:someone/some-model-GGUF:Q4_K_M')
    expect(node.lines.find((l) => l.startsWith('model-pull-failed remote '))).toMatch(
      /Could not download hf:someone\/some-model-GGUF:Q4_K_M/,
    )
    expect(unavailable('remote')).toMatch(/fix: Run `cocoon models pull remote`/)
    expect(node.lines).toContain(
      `providing ${MODEL},small gpu=${(await node.line(/^providing /)).split('gpu=')[1]}`,
    )
    expect(node.lines.some((l) => l.startsWith(`benchmark ${MODEL} tokens/s=`))).toBe(true)

    // the client funds a channel to the provider and pays per chunk
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
      peerId,
    })
    const channel = address.toRawString()
    const client = await createLightPeer({
      bootstrap: [addr],
      payments: clientPayments({
        store: clientStore,
        key: clientWallet.signingKey,
        channelFor: channelLookup({ store: clientStore, chain }),
      }),
    })
    fx.defer(() => client.stop())
    await waitForOffers(client, MODEL, 1)
    const [ranked] = await client.offers(MODEL)
    expect(ranked?.offer.models).toEqual([MODEL, 'small'])
    expect(ranked?.offer.tokensPerSecond).toBeGreaterThan(0)
    // the node's own prices, and each model priced otherwise at its own (the down ones are not sold)
    const offer = ranked?.offer
    if (offer === undefined) throw new Error('no offer of the provider')
    const nodePrices = {
      perKPromptTokens: toNano('1'),
      perKCompletionTokens: toNano('1'),
      perTensorGflop: 0n,
    }
    expect(offer.prices).toEqual(nodePrices)
    const bigPrices = { ...nodePrices, perKCompletionTokens: toNano('2') }
    const smallPrices = { ...nodePrices, perKCompletionTokens: toNano('0.5') }
    expect(offer.modelPrices).toEqual([
      { model: MODEL, prices: bigPrices },
      { model: 'small', prices: smallPrices },
    ])
    expect(offerPricesFor(offer, MODEL)).toEqual(bigPrices)
    expect(offerPricesFor(offer, 'small')).toEqual(smallPrices)
    // a client ranking for the small model sees its own price, not the big model's
    await waitForOffers(client, 'small', 1)
    const [rankedSmall] = await client.offers('small')
    expect(rankedSmall?.prices).toEqual(smallPrices)

    const before = upstream.requests.length
    const prompt = 'Tell me a story about a GPU operator who sold inference over a mesh'
    const job = client.generate({ model: MODEL, prompt, maxTokens: 24 })
    let text = ''
    for await (const chunk of job) text += chunk.text
    const usage = await job.usage
    // the job reached the upstream with the operator's key and upstream model name
    const seen = upstream.requests.slice(before)
    expect(seen).toHaveLength(1)
    expect(seen[0]?.authorization).toBe('Bearer sekret')
    expect(seen[0]?.body.model).toBe('meta-llama/Llama-3.3-70B')
    expect(text).toBe(Array.from({ length: 24 }, (_, i) => `w${i} `).join(''))
    // billed by the usage the upstream reported, at the price the offer quotes for the model
    expect(usage.promptTokens).toBe(prompt.split(' ').length)
    expect(usage.completionTokens).toBe(24)
    const bigBill = usage.cost
    expect(bigBill).toBe(
      toNano('0.001') * BigInt(usage.promptTokens) + toNano('0.002') * BigInt(usage.completionTokens),
    )
    expect(bigBill).toBe(llmCost(bigPrices, usage))

    // the small model is billed at its own price, the one its offer entry quotes, however the
    // client spells the model (ids compare canonically on both sides)
    const smallJob = client.generate({ model: 'Small', prompt: 'two words', maxTokens: 10 })
    for await (const _ of smallJob) {
      // drain
    }
    const smallUsage = await smallJob.usage
    expect(small.requests.at(-1)?.body).toMatchObject({ model: 'qwen-small', max_tokens: 10 })
    expect(smallUsage.completionTokens).toBe(10)
    expect(smallUsage.cost).toBe(
      toNano('0.001') * BigInt(smallUsage.promptTokens) +
        toNano('0.0005') * BigInt(smallUsage.completionTokens),
    )
    expect(smallUsage.cost).toBe(llmCost(smallPrices, smallUsage))
    const billed = bigBill + smallUsage.cost
    const claimed = (): bigint =>
      node.lines
        .filter((l) => l.startsWith(`claimed ${channel} `))
        .reduce((sum, l) => sum + BigInt(l.split(' ')[2] ?? '0'), 0n)
    await node.until(() => claimed() >= billed, `claimed lines adding up to the ${billed} billed`)
    expect(claimed()).toBe(billed)
    expect((await readChannel(chain, channel))?.balances.claimed).toBe(billed)

    node.child.kill('SIGTERM')
    expect((await node.exited).code).toBe(0)
  }, 240_000)
})
