/**
 * [payments, issue 6] Crashes around paid jobs, with every peer its own
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
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import {
  loadOrCreateWalletMnemonic,
  type NodeWallet,
  readChannel,
  sendFromWallet,
  TonChainClient,
  VoucherStore,
  verifyVoucher,
  walletFromMnemonic,
} from '@cocoon-mesh/settlement'
import { toNano } from '@ton/core'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useDevnetFixture } from './support/devnet-fixture.js'
import type { PayingClientArgs, PayingClientEvent } from './support/paying-client.js'

const root = resolve(import.meta.dirname, '../..')
const peerPkg = join(root, 'packages/peer')
const cli = join(peerPkg, 'dist/cli/index.js')
const clientScript = join(import.meta.dirname, 'support/paying-client.ts')
const MODEL = 'tiny'
/** 1 TON per 1000 tokens: one token is 0.001 TON. */
const PER_K = toNano('1')
const PER_TOKEN = PER_K / 1000n
/** The provider serves 10 tokens ahead of a covering voucher; the client pays every 5. */
const CREDIT_WINDOW = 10n * PER_TOKEN
/** What one claim may cost the provider in fees at most (gas and forwarding). */
const FEE_BOUND = toNano('0.02')
/** Generous: two busy cores, several processes each loading libp2p and a model. */
const TEST_TIMEOUT = 300_000
const WAIT_LIMIT = 240_000

const fx = useDevnetFixture('cocoon-paid-crash-')
const children: ChildProcess[] = []
/** Every process of the running test, for failure messages. */
const running: Array<{ name: string; lines: string[]; stderr(): string }> = []

beforeAll(() => {
  // the provider is the CLI as an operator runs it: the built binary (one build at a time
  // among the tests that spawn it); the client script imports the packages' dist/ too
  try {
    execFileSync(
      'flock',
      ['/tmp/cocoon-peer-dist-build.lock', join(root, 'node_modules/.bin/tsc'), '-b', peerPkg],
      { stdio: 'pipe' },
    )
  } catch {
    // type errors elsewhere in the workspace still emit; the check below is what matters
  }
  expect(existsSync(cli)).toBe(true)
}, 240_000)

afterEach(async () => {
  running.splice(0)
  await Promise.all(children.splice(0).map((child) => stop(child, 'SIGKILL')))
})

/** Sends `signal` (if the process still runs) and waits for it to exit. */
async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill(signal)
  await exited
}

/** A spawned process's stdout lines, with waits for a matching line that fail when it exits first. */
interface Proc {
  child: ChildProcess
  lines: string[]
  stderr(): string
  /** Resolves once `done(lines)` holds (checked on each new line); rejects if the process exits before. */
  until(done: (lines: string[]) => boolean, what: string): Promise<void>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function spawnProc(name: string, args: string[]): Proc {
  // COCOON_E2E_DEBUG=cocoon:* passes DEBUG to the processes (their stderr is in failure messages)
  const debug = process.env.COCOON_E2E_DEBUG
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(debug === undefined ? {} : { DEBUG: debug }) },
  })
  children.push(child)
  const lines: string[] = []
  const listeners = new Set<() => void>()
  let buffer = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    lines.push(...parts)
    for (const l of [...listeners]) l()
  })
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  )
  running.push({ name, lines, stderr: () => stderr })
  const describeEnd = (what: string, why: string): Error =>
    new Error(
      `${name}: ${why} before ${what}\n${running
        .map(
          (p) =>
            `--- ${p.name}: last lines:\n${p.lines.slice(-20).join('\n')}\n--- ${p.name}: stderr:\n${p.stderr().slice(-3000)}`,
        )
        .join('\n')}`,
    )
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    until(done, what) {
      if (done(lines)) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        // a diagnosable failure instead of the bare test timeout; not a timed assertion
        const timer = setTimeout(
          () => finish(describeEnd(what, `nothing within ${WAIT_LIMIT} ms`)),
          WAIT_LIMIT,
        )
        const check = (): void => {
          if (done(lines)) finish(undefined)
        }
        const finish = (error: Error | undefined): void => {
          clearTimeout(timer)
          listeners.delete(check)
          if (error === undefined) resolve()
          else reject(error)
        }
        listeners.add(check)
        void exited.then(({ code, signal }) => {
          if (listeners.has(check)) {
            check()
            if (listeners.has(check)) finish(describeEnd(what, `exited (${code ?? signal})`))
          }
        })
      })
    },
  }
}

/**
 * Runs a CLI command to completion and returns its stdout (rejects with its
 * stderr on failure). Asynchronous: the devnet answers from this process.
 */
async function cocoon(args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
    })
    return stdout
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    throw new Error(`cocoon ${args.join(' ')} exited ${e.code}: ${e.stderr}${e.stdout}`)
  }
}

/** The paying client's events so far. */
function events(proc: Proc): PayingClientEvent[] {
  return proc.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as PayingClientEvent)
}

function amounts(proc: Proc, kind: 'voucher' | 'acked'): bigint[] {
  return events(proc).flatMap((e) => (e.event === kind ? [BigInt(e.amount)] : []))
}

/** Sum of the `claimed <channel> <nanoTON>` lines a node printed. */
function claimedBy(node: Proc, channel: string): { total: bigint; claims: number } {
  const claims = node.lines.filter((l) => l.startsWith(`claimed ${channel} `))
  return { total: claims.reduce((sum, l) => sum + BigInt(l.split(' ')[2] ?? '0'), 0n), claims: claims.length }
}

interface Provider {
  home: string
  peerId: string
  wallet: NodeWallet
}

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

/** Starts `cocoon node start --provide` on the provider's home; resolves once it listens with payments on. */
async function startProvider(provider: Provider): Promise<{ node: Proc; address: string }> {
  const node = spawnProc(`node ${provider.home}`, [
    cli,
    'node',
    'start',
    '--home',
    provider.home,
    '--provide',
    '--chain-endpoint',
    fx.devnet.endpoint,
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
  return spawnProc(`client ${args.home}`, [clientScript, JSON.stringify(args)])
}

/** The client's persisted high-water mark (its process must have exited: the store is single-process). */
async function clientSigned(home: string, channel: string): Promise<bigint> {
  const store = await VoucherStore.open(join(home, 'settlement'))
  try {
    return (await store.clientChannel(channel))?.signed ?? 0n
  } finally {
    await store.close()
  }
}

interface Earnings {
  earned: string
  claimed: string
  unclaimed: string
  channels: Array<{ channel: string; vouchers: string; claimed: string; claimable: string }>
}

async function earnings(home: string): Promise<Earnings> {
  return JSON.parse(
    await cocoon(['earnings', '--home', home, '--endpoint', fx.devnet.endpoint, '--json']),
  ) as Earnings
}

describe('paid jobs survive crashes (real processes, devnet)', () => {
  it(
    'a client that vanishes mid-job: the provider node claims its newest voucher on chain, exactly',
    async () => {
      const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 60_000 })
      const provider = await makeProvider(chain, 'a-provider')
      const { home: clientHome, channel } = await makeClient(provider, 'a-client')
      const balanceBefore = await chain.getBalance(provider.wallet.address)
      const { node, address } = await startProvider(provider)

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
      expect(await node.exited).toEqual({ code: 0, signal: null })
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
      const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 60_000 })
      const provider = await makeProvider(chain, 'b-provider')
      const { home: clientHome, channel } = await makeClient(provider, 'b-client')
      const balanceBefore = await chain.getBalance(provider.wallet.address)
      const run1 = await startProvider(provider)

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
      const providerStore = await VoucherStore.open(join(provider.home, 'settlement'))
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
      expect(await second.exited).toEqual({ code: 0, signal: null })
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
      expect(await run2.node.exited).toEqual({ code: 0, signal: null })
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
