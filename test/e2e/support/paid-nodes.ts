import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import {
  type NodeWallet,
  sendFromWallet,
  type TonChainClient,
  walletFromMnemonic,
} from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic, openVoucherStore } from '@cocoon-mesh/settlement/node'
import { toNano } from '@ton/core'
import { expect } from 'vitest'
import { CLI as cli, cocoon, type Proc, type ProcessGroup } from '../../../test-support/cli-processes.ts'
import type { DevnetFixture } from './devnet-fixture.js'
import type { PayingClientArgs, PayingClientEvent } from './paying-client.js'

const CLIENT_SCRIPT = join(import.meta.dirname, 'paying-client.ts')
export const MODEL = 'tiny'
/** 1 TON per 1000 tokens: one token is 0.001 TON. */
export const PER_K = toNano('1')
export const PER_TOKEN = PER_K / 1000n
/** The provider serves 10 tokens ahead of a covering voucher; the client pays every 5. */
export const CREDIT_WINDOW = 10n * PER_TOKEN

/** The paying client's events so far. */
export function events(proc: Proc): PayingClientEvent[] {
  return proc.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as PayingClientEvent)
}

/** What a process said before it exited: its last stdout lines and its stderr, for an assertion message. */
export function exitReport(proc: Proc): string {
  return `last lines:\n${proc.lines.slice(-15).join('\n')}\nstderr:\n${proc.stderr().slice(-3000)}`
}

export function amounts(proc: Proc, kind: 'voucher' | 'acked'): bigint[] {
  return events(proc).flatMap((e) => (e.event === kind ? [BigInt(e.amount)] : []))
}

/** Sum of the `claimed <channel> <nanoTON>` lines a node printed. */
export function claimedBy(node: Proc, channel: string): { total: bigint; claims: number } {
  const claims = node.lines.filter((l) => l.startsWith(`claimed ${channel} `))
  return { total: claims.reduce((sum, l) => sum + BigInt(l.split(' ')[2] ?? '0'), 0n), claims: claims.length }
}

export interface Provider {
  home: string
  peerId: string
  wallet: NodeWallet
}

export interface Earnings {
  earned: string
  claimed: string
  unclaimed: string
  channels: Array<{ channel: string; vouchers: string; claimed: string; claimable: string }>
}

/**
 * Provider and client homes as an operator makes them with the `cocoon` CLI on
 * the fixture's devnet, and their processes (spawned in `procs`).
 */
export function paidNodes(fx: DevnetFixture, procs: ProcessGroup) {
  /** A provider home as an operator makes it: `cocoon init`, config, model weights, a funded and deployed wallet. */
  async function makeProvider(chain: TonChainClient, name: string): Promise<Provider> {
    const home = join(fx.dir, name)
    const init = await cocoon(['init', '--home', home])
    const peerId = /^peer-id (\S+)$/m.exec(init)?.[1] ?? ''
    expect(peerId).not.toBe('')
    await writeFile(
      join(home, 'config.jsonc'),
      JSON.stringify({
        listen: ['/ip4/127.0.0.1/tcp/0'],
        provide: {
          models: [MODEL],
          prices: {
            perKPromptTokens: PER_K.toString(),
            perKCompletionTokens: PER_K.toString(),
            perTensorGflop: '0',
          },
          maxConcurrency: 1,
        },
        // claims are batched: nothing while vouchers stream in, everything unclaimed 2 s after the last voucher
        settlement: {
          creditWindow: CREDIT_WINDOW.toString(),
          voucherTimeoutMs: 60_000,
          claimThreshold: toNano('1000').toString(),
          claimAfterMs: 2_000,
          claimMinimum: '1',
          claimCheckMs: 200,
          // the test prices (0.001 TON a token) are below a claim's fee: claim every voucher anyway
          claimFeeMultiple: 0,
        },
      }),
    )
    await mkdir(join(home, 'models'), { recursive: true })
    await writeTinyGguf(join(home, 'models', `${MODEL}.gguf`))
    const wallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(home)).mnemonic)
    await fx.devnet.faucet(wallet.address, toNano('2'))
    // deploys the provider's wallet now, so its balance later moves by claims only
    await sendFromWallet(chain, wallet, [{ to: wallet.address, value: toNano('0.01'), bounce: false }])
    return { home, peerId, wallet }
  }

  /**
   * Starts `cocoon node start --provide` (with `extraArgs`) on the provider's home;
   * resolves once it listens with payments on.
   */
  async function startProvider(
    provider: Provider,
    extraArgs: string[] = [],
  ): Promise<{ node: Proc; address: string }> {
    const node = procs.spawn(`node ${provider.home}`, [
      cli,
      'node',
      'start',
      '--home',
      provider.home,
      '--provide',
      '--chain-endpoint',
      fx.devnet.endpoint,
      ...extraArgs,
    ])
    await node.until((ls) => ls.some((l) => l.startsWith('listening /ip4/127.0.0.1/tcp/')), 'listening')
    expect(node.lines).toContain(
      `payments on via ${fx.devnet.endpoint}; payout ${provider.wallet.address.toString()} settlement-key ${Buffer.from(provider.wallet.signingKey.publicKey).toString('hex')}`,
    )
    const address = node.lines.find((l) => l.startsWith('listening /ip4/127.0.0.1/tcp/'))?.split(' ')[1] ?? ''
    return { node, address }
  }

  /** A client home (`cocoon init`), funded, with a channel to the provider opened by `cocoon channel open`. */
  async function makeClient(provider: Provider, name: string): Promise<{ home: string; channel: string }> {
    const home = join(fx.dir, name)
    await cocoon(['init', '--home', home])
    const wallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(home)).mnemonic)
    await fx.devnet.faucet(wallet.address, toNano('20'))
    const opened = JSON.parse(
      await cocoon([
        'channel',
        'open',
        '--home',
        home,
        '--endpoint',
        fx.devnet.endpoint,
        '--provider',
        provider.peerId,
        '--deposit',
        '5',
        '--payout',
        provider.wallet.address.toString(),
        '--provider-key',
        Buffer.from(provider.wallet.signingKey.publicKey).toString('hex'),
        '--exit-delay',
        '3600',
        '--json',
      ]),
    ) as { channel: string; deposit: string }
    expect(opened.deposit).toBe(toNano('5').toString())
    return { home, channel: opened.channel }
  }

  function startClient(args: PayingClientArgs): Proc {
    return procs.spawn(`client ${args.home}`, [CLIENT_SCRIPT, JSON.stringify(args)])
  }

  /** The client's persisted high-water mark (its process must have exited: the store is single-process). */
  async function clientSigned(home: string, channel: string): Promise<bigint> {
    const store = await openVoucherStore(join(home, 'settlement'))
    try {
      return (await store.clientChannel(channel))?.signed ?? 0n
    } finally {
      await store.close()
    }
  }

  async function earnings(home: string): Promise<Earnings> {
    return JSON.parse(
      await cocoon(['earnings', '--home', home, '--endpoint', fx.devnet.endpoint, '--json']),
    ) as Earnings
  }

  return { makeProvider, startProvider, makeClient, startClient, clientSigned, earnings }
}
