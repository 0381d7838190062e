/**
 * `channelLookup`: which of the client's channels (from its
 * settlement store, checked on a devnet chain) pays for a job at an offer's
 * payout address.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type NodeWallet,
  openChannel,
  startChannelExit,
  TonChainClient,
  walletFromMnemonic,
} from '@cocoon-mesh/settlement'
import { type Devnet, startDevnet } from '@cocoon-mesh/settlement/devnet'
import { loadOrCreateWalletMnemonic, openVoucherStore } from '@cocoon-mesh/settlement/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCleanups } from '../../../../test-support/cleanup.ts'
import { createLightPeer } from '../../src/sdk/light-peer.js'
import { channelLookup } from '../../src/sdk/payments.js'

const TON = 1_000_000_000n
const cleanups: Array<() => Promise<unknown>> = []
let devnet: Devnet
let dir: string
afterAll(async () => {
  await runCleanups(cleanups)
})
beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  cleanups.push(() => devnet.stop())
  dir = await mkdtemp(join(tmpdir(), 'cocoon-channel-lookup-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
})

async function wallet(name: string): Promise<NodeWallet> {
  return walletFromMnemonic((await loadOrCreateWalletMnemonic(join(dir, name))).mnemonic)
}

describe('channelLookup', () => {
  it("picks the client's open channel with the most left for the payout address", async () => {
    const chain = new TonChainClient({ endpoint: devnet.endpoint, pollInterval: 20, timeout: 20_000 })
    const client = await wallet('client')
    const a = await wallet('provider-a')
    const b = await wallet('provider-b')
    const stranger = await wallet('stranger')
    await devnet.faucet(client.address, 20n * TON)
    const store = await openVoucherStore(join(dir, 'store'), { durable: false })
    cleanups.push(() => store.close())
    const open = async (to: NodeWallet, deposit: bigint): Promise<string> =>
      (
        await openChannel({
          chain,
          wallet: client,
          store,
          providerAddress: to.address,
          providerKey: to.signingKey.publicKey,
          deposit,
          exitDelay: 3600,
        })
      ).address.toRawString()
    const small = await open(a, 1n * TON)
    const large = await open(a, 3n * TON)
    const toB = await open(b, 1n * TON)
    const key = new Uint8Array()

    const lookup = channelLookup({ store, chain })
    expect(await lookup(key, a.address.toString())).toEqual({ address: large, deposit: 3n * TON })
    expect((await lookup(key, b.address.toRawString()))?.address).toBe(toB)
    expect(await lookup(key, stranger.address.toString())).toBeUndefined()
    expect(await lookup(key, '')).toBeUndefined()
    expect(await lookup(key, 'not an address')).toBeUndefined()
    // --channel: that one only, and only for the provider it pays
    const only = channelLookup({ store, chain, channel: small })
    expect((await only(key, a.address.toString()))?.address).toBe(small)
    expect(await only(key, b.address.toString())).toBeUndefined()
    // a channel whose exit started is not used for new jobs
    await startChannelExit(chain, client, large)
    expect((await lookup(key, a.address.toString()))?.address).toBe(small)
  })

  it("createLightPeer({ pay }) holds the home's voucher store until stop()", async () => {
    const home = join(dir, 'client')
    await loadOrCreateWalletMnemonic(home)
    const client = await createLightPeer({ gossip: false, pay: { home, endpoint: devnet.endpoint } })
    cleanups.push(() => client.stop())
    // single-process store: another opener fails while the client holds it
    await expect(openVoucherStore(join(home, 'settlement'))).rejects.toThrow()
    await client.stop()
    const reopened = await openVoucherStore(join(home, 'settlement'))
    await reopened.close()
  })
})
