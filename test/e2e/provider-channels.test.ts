/**
 * A provider sees the channels clients open to it from other machines, read
 * from the chain, before any job arrives; `cocoon earnings` counts what was
 * claimed into its wallet even when its own store has no record of it. Every
 * `cocoon` command is the built CLI in its own process; the devnet (blocks
 * every 250 ms, like the chain) is the test's.
 */
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  channelNoticeBody,
  sendFromWallet,
  signVoucher,
  TonChainClient,
  walletFromMnemonic,
} from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic, openVoucherStore } from '@cocoon-mesh/settlement/node'
import { toNano } from '@ton/core'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI as cli, cocoon, ProcessGroup } from '../../test-support/cli-processes.ts'
import { useDevnetFixture } from './support/devnet-fixture.js'
import { paidNodes } from './support/paid-nodes.js'

const fx = useDevnetFixture('cocoon-provider-channels-')
const procs = new ProcessGroup(120_000)
const { makeProvider, makeClient, earnings } = paidNodes(fx, procs)

interface ListedChannel {
  role: string
  channel: string
  deposit: string
  claimed: string
}

beforeAll(() => {
  buildPeerDist()
  expect(existsSync(cli)).toBe(true)
}, 240_000)

afterEach(async () => {
  await procs.stopAll()
})

describe("a provider's channels, read from the chain", () => {
  it('lists a channel opened from another home before any job, and earnings count its claims without a local record', async () => {
    const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 60_000 })
    const provider = await makeProvider(chain, 'provider')
    const { home: clientHome, channel } = await makeClient(provider, 'client')
    const client = await walletFromMnemonic((await loadOrCreateWalletMnemonic(clientHome)).mnemonic)

    // a stranger's notice naming an account that is no channel of ours (the client's wallet) is ignored
    await sendFromWallet(chain, client, [
      {
        to: provider.wallet.address,
        value: toNano('0.005'),
        body: channelNoticeBody(client.address),
        bounce: false,
      },
    ])

    const list = async (): Promise<ListedChannel[]> =>
      JSON.parse(
        await cocoon([
          'channel',
          'list',
          '--home',
          provider.home,
          '--endpoint',
          fx.devnet.endpoint,
          '--json',
        ]),
      ) as ListedChannel[]
    const listed = await list()
    expect(listed.map((r) => [r.role, r.channel, r.deposit, r.claimed])).toEqual([
      ['provider', channel, toNano('5').toString(), '0'],
    ])
    const before = await earnings(provider.home)
    expect(before).toMatchObject({ earned: '0', claimed: '0', unclaimed: '0' })
    expect(before.channels.map((c) => c.channel)).toEqual([channel])

    // the provider is paid 0.3 TON on the channel and claims it
    const amount = toNano('0.3')
    const store = await openVoucherStore(join(provider.home, 'settlement'))
    try {
      await store.acceptVoucher(signVoucher({ key: client.signingKey, channel, amount, jobId: 'job' }))
    } finally {
      await store.close()
    }
    expect(
      await cocoon(['channel', 'claim', '--home', provider.home, '--endpoint', fx.devnet.endpoint]),
    ).toBe(`${channel}: claimed 0.3 TON (total 0.3 TON)\n`)

    // another machine of the same operator (same wallet, empty store) sees the channel and the claim
    await rm(join(provider.home, 'settlement'), { recursive: true, force: true })
    const after = await earnings(provider.home)
    expect(after).toMatchObject({ earned: amount.toString(), claimed: amount.toString(), unclaimed: '0' })
    expect(after.channels).toEqual([
      { channel, vouchers: '0', claimed: amount.toString(), claimable: '0', closed: false },
    ])
    expect((await list()).map((r) => [r.role, r.channel, r.claimed])).toEqual([
      ['provider', channel, amount.toString()],
    ])
  }, 300_000)
})
