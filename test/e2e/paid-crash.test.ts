/**
 * Crashes around paid jobs, with every peer its own
 * process over TCP on 127.0.0.1 and one devnet (@ton/sandbox behind the
 * toncenter API) they all use:
 *
 * - the provider is `cocoon node start --provide --chain-endpoint` (the built
 *   CLI) serving a generated tiny GGUF, with its credit window and batched
 *   claim policy from the config's "settlement" section;
 * - the client's home is made with `cocoon init`, funded from the devnet
 *   faucet, and its channel opened with `cocoon channel open`; the paying
 *   client is `support/paying-client.ts` (the SDK's `createLightPeer` paying
 *   from that home's settlement store) in its own process.
 *
 * (a) a client that vanishes (SIGKILL) mid-job, owing its last credit window:
 *     the provider claims its newest voucher on chain by its claim policy, and
 *     exactly that;
 * (b) a provider SIGKILLed while vouchers stream in: after a restart with the
 *     same home every voucher the client saw acknowledged is in its store, it
 *     claims once, a second claim pays nothing, and the client, restarted
 *     against its store, continues above everything it ever signed.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readChannel, TonChainClient, verifyVoucher, walletFromMnemonic } from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic, openVoucherStore } from '@cocoon-mesh/settlement/node'
import { toNano } from '@ton/core'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI as cli, cocoon, ProcessGroup, stop } from '../../test-support/cli-processes.ts'
import { useDevnetFixture } from './support/devnet-fixture.js'
import { amounts, claimedBy, events, exitReport, MODEL, paidNodes } from './support/paid-nodes.js'

/** What one claim may cost the provider in fees at most (gas and forwarding). */
const FEE_BOUND = toNano('0.02')
/** Generous: two busy cores, several processes each loading libp2p and a model. */
const TEST_TIMEOUT = 300_000
const WAIT_LIMIT = 240_000

const fx = useDevnetFixture('cocoon-paid-crash-')
const procs = new ProcessGroup(WAIT_LIMIT)
const { makeProvider, startProvider, makeClient, startClient, clientSigned, earnings } = paidNodes(fx, procs)

beforeAll(() => {
  // the provider is the CLI as an operator runs it: the built binary (one build at a time
  // among the tests that spawn it); the client script imports the packages' dist/ too
  buildPeerDist()
  expect(existsSync(cli)).toBe(true)
}, 240_000)

afterEach(async () => {
  await procs.stopAll()
})

/** A provider home and a funded client home with a channel to it (`<name>-provider`, `<name>-client`), the provider node started. */
async function startedProviderAndClient(name: string) {
  const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 60_000 })
  const provider = await makeProvider(chain, `${name}-provider`)
  const { home: clientHome, channel } = await makeClient(provider, `${name}-client`)
  const balanceBefore = await chain.getBalance(provider.wallet.address)
  const run = await startProvider(provider)
  return { chain, provider, clientHome, channel, balanceBefore, run }
}

describe('paid jobs survive crashes (real processes, devnet)', () => {
  it(
    'a client that vanishes mid-job: the provider node claims its newest voucher on chain, exactly',
    async () => {
      const {
        chain,
        provider,
        clientHome,
        channel,
        balanceBefore,
        run: { node, address },
      } = await startedProviderAndClient('a')

      // the client pays 6 vouchers, then stops paying; it is killed once the provider
      // delivered more work after the 6th was written to the stream
      const client = startClient({
        home: clientHome,
        endpoint: fx.devnet.endpoint,
        bootstrap: [address],
        model: MODEL,
        prompt: 'Tell me a story about payment channels.',
        maxTokens: 400,
        stopPayingAfter: 6,
      })
      await client.until(
        () => events(client).some((e) => e.event === 'unpaid'),
        'work delivered after the 6th voucher',
      )
      await stop(client.child, 'SIGKILL')
      const signed = amounts(client, 'voucher')
      expect(signed).toHaveLength(6)
      const newest = signed[5] as bigint
      // the job was mid-way: the provider was still owed up to its credit window
      expect(events(client).some((e) => e.event === 'done')).toBe(false)
      expect(await clientSigned(clientHome, channel)).toBe(newest)

      // by its claim policy (2 s after the last voucher) the node claims everything it holds
      await node.until(
        () => claimedBy(node, channel).total >= newest,
        `claims of ${channel} reaching ${newest}`,
      )
      expect(claimedBy(node, channel).total).toBe(newest)
      expect((await readChannel(chain, channel))?.state.claimed).toBe(newest)
      expect(node.lines.some((l) => l.startsWith('claim-failed'))).toBe(false)

      // the node's own record agrees once it stopped (its store is single-process)
      await stop(node.child, 'SIGTERM')
      expect(await node.exited, exitReport(node)).toEqual({ code: 0, signal: null })
      expect(node.lines).toContain('stopped')
      const earned = await earnings(provider.home)
      expect(earned.channels).toEqual([
        { channel, vouchers: newest.toString(), claimed: newest.toString(), claimable: '0', closed: false },
      ])
      expect(BigInt(earned.unclaimed)).toBe(0n)

      // the provider's wallet rose by the claimed amount minus each claim's fees
      const claims = claimedBy(node, channel).claims
      const gained = (await chain.getBalance(provider.wallet.address)) - balanceBefore
      expect(gained).toBeLessThan(newest)
      expect(newest - gained).toBeLessThan(FEE_BOUND * BigInt(claims))
    },
    TEST_TIMEOUT,
  )

  it(
    'a provider killed with SIGKILL while vouchers stream in: after restart nothing signed is lost, nothing is paid twice',
    async () => {
      const {
        chain,
        provider,
        clientHome,
        channel,
        balanceBefore,
        run: run1,
      } = await startedProviderAndClient('b')

      // a long job; the provider dies once the client has seen 20 vouchers acknowledged
      const first = startClient({
        home: clientHome,
        endpoint: fx.devnet.endpoint,
        bootstrap: [run1.address],
        model: MODEL,
        prompt: 'Tell me a very long story about payment channels.',
        maxTokens: 1500,
      })
      await first.until(() => amounts(first, 'acked').length >= 20, '20 acknowledged vouchers')
      await stop(run1.node.child, 'SIGKILL')
      // the client's job fails (its only provider is gone) and it exits
      await first.exited
      expect(events(first).some((e) => e.event === 'done')).toBe(false)
      const acked = amounts(first, 'acked')
      const lastAcked = acked[acked.length - 1] as bigint
      const signed1 = await clientSigned(clientHome, channel)
      expect(signed1).toBe(amounts(first, 'voucher').at(-1))

      // nothing acknowledged is lost: the killed node's store holds a valid voucher at least that high
      const providerStore = await openVoucherStore(join(provider.home, 'settlement'))
      const held = await providerStore.providerChannel(channel).finally(() => providerStore.close())
      expect(held).toBeDefined()
      const newest1 = held?.newest ?? 0n
      expect(newest1).toBeGreaterThanOrEqual(lastAcked)
      expect(newest1).toBeLessThanOrEqual(signed1)
      const clientKey = (await walletFromMnemonic((await loadOrCreateWalletMnemonic(clientHome)).mnemonic))
        .signingKey.publicKey
      expect(
        verifyVoucher({
          voucher: { channel, amount: newest1, signature: Uint8Array.from(held?.signature ?? []), jobId: '' },
          clientKey,
          channel,
        }).amount,
      ).toBe(newest1)

      // restarted with the same home, the node claims what it holds, once
      const claimedAtRestart = (await readChannel(chain, channel))?.state.claimed ?? 0n
      const run2 = await startProvider(provider)
      if (claimedAtRestart < newest1) {
        await run2.node.until(
          () => claimedBy(run2.node, channel).total >= newest1 - claimedAtRestart,
          `the restarted node's claims reaching ${newest1}`,
        )
      }
      expect(claimedBy(run2.node, channel).total).toBe(newest1 - claimedAtRestart)
      expect((await readChannel(chain, channel))?.state.claimed).toBe(newest1)

      // the client, restarted against its store, pays above all it ever signed and the job completes
      const second = startClient({
        home: clientHome,
        endpoint: fx.devnet.endpoint,
        bootstrap: [run2.address],
        model: MODEL,
        prompt: 'And another one.',
        maxTokens: 40,
        held: newest1.toString(),
      })
      await second.until(
        () => events(second).some((e) => e.event === 'done' || e.event === 'error'),
        'the second job',
      )
      expect(await second.exited, exitReport(second)).toEqual({ code: 0, signal: null })
      const vouchers2 = amounts(second, 'voucher')
      expect(vouchers2.length).toBeGreaterThan(0)
      expect(vouchers2[0]).toBeGreaterThan(signed1)
      for (let i = 1; i < vouchers2.length; i++)
        expect(vouchers2[i]).toBeGreaterThan(vouchers2[i - 1] as bigint)
      const signed2 = await clientSigned(clientHome, channel)
      expect(signed2).toBe(vouchers2.at(-1))

      // the node claims the rest: on chain exactly the newest voucher, the client's last
      await run2.node.until(
        () => claimedBy(run2.node, channel).total >= signed2 - claimedAtRestart,
        `the restarted node's claims reaching ${signed2}`,
      )
      expect((await readChannel(chain, channel))?.state.claimed).toBe(signed2)
      await stop(run2.node.child, 'SIGTERM')
      expect(await run2.node.exited, exitReport(run2.node)).toEqual({ code: 0, signal: null })
      expect(run2.node.lines).toContain('stopped')

      // a second claim pays nothing more
      expect(
        await cocoon(['channel', 'claim', '--home', provider.home, '--endpoint', fx.devnet.endpoint]),
      ).toBe('nothing to claim\n')
      await cocoon([
        'channel',
        'claim',
        '--home',
        provider.home,
        '--endpoint',
        fx.devnet.endpoint,
        '--channel',
        channel,
      ])
      expect((await readChannel(chain, channel))?.state.claimed).toBe(signed2)
      const earned = await earnings(provider.home)
      expect(earned.channels).toEqual([
        { channel, vouchers: signed2.toString(), claimed: signed2.toString(), claimable: '0', closed: false },
      ])

      // and the provider's wallet rose by exactly that, minus each claim's fees (one may have
      // been sent by the killed node without being logged)
      const logged = claimedBy(run1.node, channel).claims + claimedBy(run2.node, channel).claims
      const unlogged = claimedAtRestart > claimedBy(run1.node, channel).total ? 1 : 0
      const gained = (await chain.getBalance(provider.wallet.address)) - balanceBefore
      expect(gained).toBeLessThan(signed2)
      expect(signed2 - gained).toBeLessThan(FEE_BOUND * BigInt(logged + unlogged))
    },
    TEST_TIMEOUT,
  )
})
