/**
 * `cocoon offers` shows where each provider is paid (payout
 * address and settlement key, from its signed offer): what a client passes to
 * `cocoon channel open --payout ... --provider-key ...`. Spawned built CLI, as
 * a user runs it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { loadOrCreateWalletMnemonic, walletFromMnemonic } from '@cocoon-mesh/settlement'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const pkg = resolve(import.meta.dirname, '../..')
const cli = join(pkg, 'dist/cli/index.js')
const MODEL = 'payout-test-model'
let home: string | undefined
let node: ChildProcess | undefined

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cocoon-offers-payout-'))
  try {
    // one build at a time among the tests that spawn the built CLI with this lock
    execFileSync(
      'flock',
      ['/tmp/cocoon-peer-dist-build.lock', join(pkg, '../../node_modules/.bin/tsc'), '-b', pkg],
      {
        stdio: 'pipe',
      },
    )
  } catch {
    // type errors elsewhere in the workspace still emit; the check below is what matters
  }
  expect(existsSync(cli)).toBe(true)
}, 180_000)

afterAll(async () => {
  if (node !== undefined && node.exitCode === null && node.signalCode === null) {
    const exited = new Promise((r) => node?.once('exit', r))
    node.kill('SIGKILL')
    await exited
  }
  if (home !== undefined) await rm(home, { recursive: true, force: true })
})

function cocoon(args: string[]): string {
  return execFileSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  })
}

/** Resolves with the first stdout line of `child` matching `re`; rejects if it exits first. */
function lineOf(child: ChildProcess, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = ''
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString()
      const found = buffer.split('\n').find((l) => re.test(l))
      if (found !== undefined) resolve(found)
    })
    child.once('exit', (code) => reject(new Error(`exited ${code} before ${re}: ${stderr}`)))
  })
}

describe('cocoon offers: payout address and settlement key', () => {
  it("prints each offer's payout address and settlement key in the table and in --json", async () => {
    const dir = home as string
    cocoon(['init', '--home', dir])
    const wallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(dir)).mnemonic)
    const payout = wallet.address.toString()
    const key = Buffer.from(wallet.signingKey.publicKey).toString('hex')

    // without a chain endpoint the node serves for free but still names its wallet in its offer
    const child = spawn(
      process.execPath,
      [cli, 'node', 'start', '--home', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--provide'],
      { env: { ...process.env, COCOON_PROVIDE_MODELS: MODEL }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    node = child
    const addr = (await lineOf(child, /^listening \/ip4\/127\.0\.0\.1\/tcp\/.*\/p2p\//)).split(
      ' ',
    )[1] as string

    const listed = JSON.parse(cocoon(['offers', '--bootstrap', addr, '--model', MODEL, '--json'])) as Array<{
      models: string[]
      payoutAddress: string
      settlementKey: string
    }>
    expect(listed).toHaveLength(1)
    expect(listed[0]?.models).toEqual([MODEL])
    expect(listed[0]?.payoutAddress).toBe(payout)
    expect(listed[0]?.settlementKey).toBe(key)

    const table = cocoon(['offers', '--bootstrap', addr, '--model', MODEL])
    expect(table).toMatch(/^PROVIDER +MODELS/)
    expect(table).toContain(`payout ${payout}  settlement-key ${key}`)
  })
})
