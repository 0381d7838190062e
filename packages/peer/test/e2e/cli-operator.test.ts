/**
 * A newcomer operator's first minutes, as spawned built CLI processes:
 * `cocoon init --try` sets up the generated test model, `cocoon node start
 * --provide` sells it (and says it is a test model), a client's `cocoon run`
 * is served; `cocoon models test` prints its figures; `cocoon models` names
 * what is wrong with bad input.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { walletFromMnemonic } from '@cocoon-mesh/settlement'
import { startDevnet } from '@cocoon-mesh/settlement/devnet'
import { loadOrCreateWalletMnemonic } from '@cocoon-mesh/settlement/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI, ProcessGroup } from '../../../../test-support/cli-processes.ts'

const procs = new ProcessGroup(60_000)
const homes: string[] = []

beforeAll(buildPeerDist, 180_000)
afterEach(() => procs.stopAll())
afterAll(async () => {
  await Promise.all(homes.map((h) => rm(h, { recursive: true, force: true })))
})

async function newHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'cocoon-operator-'))
  homes.push(home)
  return home
}

/** `cocoon <args>` to completion: its exit code and output (asynchronous, so servers of this process answer). */
async function cocoon(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('an operator with `cocoon init --try`', () => {
  it('sells the generated test model at once, and a client job is served', async () => {
    const home = await newHome()
    const init = await cocoon(['init', '--home', home, '--try'])
    expect(init.code).toBe(0)
    expect(init.stdout).toMatch(/^test-model cocoon-test-tiny \S+cocoon-test-tiny\.gguf$/m)
    expect(init.stdout).toMatch(/TEST model/)

    const listed = await cocoon(['models', 'list', '--home', home, '--json'])
    expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((m) => m.id)).toEqual([
      'cocoon-test-tiny',
    ])

    const tested = await cocoon(['models', 'test', 'cocoon-test-tiny', '--home', home, '--max-tokens', '16'])
    expect(tested.code).toBe(0)
    expect(tested.stdout).toMatch(/^model cocoon-test-tiny llama\.cpp\/\w+$/m)
    expect(tested.stdout).toMatch(/^time-to-first-token \d+ ms$/m)
    expect(tested.stdout).toMatch(/^tokens\/s \d+\.\d$/m)
    expect(tested.stdout).toMatch(/^tokens 16$/m)

    const node = procs.spawn('provider', [
      CLI,
      'node',
      'start',
      '--home',
      home,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--provide',
    ])
    const addr = (await node.line(/^listening \/ip4\/127\.0\.0\.1\/tcp\/.*\/p2p\//)).split(' ')[1] as string
    await node.line(/^providing cocoon-test-tiny /)
    expect(node.lines.some((l) => l.startsWith('test-model cocoon-test-tiny: a generated TEST model'))).toBe(
      true,
    )
    expect(node.lines.some((l) => /^benchmark cocoon-test-tiny tokens\/s=\d/.test(l))).toBe(true)

    const job = await cocoon([
      'run',
      '--bootstrap',
      addr,
      '--model',
      'cocoon-test-tiny',
      '--prompt',
      'hello mesh',
      '--max-tokens',
      '8',
      '--usage',
    ])
    expect(job.code).toBe(0)
    await node.line(/^job-finished \S+ cost=\d+ tokens=8 /)
    // the doctor dials the running node's advertised TCP address
    const doctor = await cocoon(['doctor', '--home', home])
    expect(doctor.code).toBe(0)
    expect(doctor.stdout).toContain(`ok    listening ${addr}: answers`)
    node.child.kill('SIGINT')
    expect((await node.exited).code).toBe(0)
  }, 180_000)

  it('`node start --provide` with no models says how to add one', async () => {
    const home = await newHome()
    expect((await cocoon(['init', '--home', home])).code).toBe(0)
    const r = await cocoon(['node', 'start', '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0', '--provide'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/no models to provide/)
    expect(r.stderr).toMatch(/cocoon models add <id>.*cocoon init --try/s)
  }, 60_000)

  it('names what is wrong with a model source that does not exist, an hf: download and a bad field', async () => {
    const home = await newHome()
    expect((await cocoon(['init', '--home', home])).code).toBe(0)
    expect((await cocoon(['models', 'add', 'gone', '/nowhere/model.gguf', '--home', home])).code).toBe(0)
    const gone = await cocoon(['models', 'test', 'gone', '--home', home])
    expect(gone.code).not.toBe(0)
    expect(gone.stderr).toMatch(/Model gone cannot serve: .*\/nowhere\/model\.gguf/)
    expect(gone.stderr).toMatch(/No GGUF file at \/nowhere\/model\.gguf/)

    expect(
      (await cocoon(['models', 'add', 'remote', 'hf:someone/some-model-GGUF:Q4_K_M', '--home', home])).code,
    ).toBe(0)
    // no network here: the download fails, and the message names the URI and the cause
    const pull = await cocoon(['models', 'pull', 'remote', '--home', home])
    expect(pull.code).not.toBe(0)
    expect(pull.stderr).toMatch(/Could not download hf:someone\/some-model-GGUF:Q4_K_M/)
    expect(pull.stderr).toMatch(/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/)
    expect(pull.stderr).toMatch(/run the pull again to resume/)

    const bad = await cocoon([
      'models',
      'add',
      'x',
      'http://127.0.0.1:1',
      '--api-key-env',
      'not a var',
      '--home',
      home,
    ])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/Invalid provide\.models\[2\]\.upstream\.apiKeyEnv/)
    const dup = await cocoon(['models', 'add', 'gone', '/x.gguf', '--home', home])
    expect(dup.stderr).toMatch(/already has a model "gone"/)
    const removed = await cocoon(['models', 'remove', 'gone', '--home', home])
    expect(removed.stdout).toMatch(/^removed gone$/m)
    const listed = await cocoon(['models', 'list', '--home', home, '--json'])
    expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((m) => m.id)).toEqual(['remote'])
  }, 120_000)

  it('`cocoon doctor` passes a healthy node and names each problem of a broken one', async () => {
    const devnet = await startDevnet({ port: 0 })
    try {
      const home = await newHome()
      expect((await cocoon(['init', '--home', home, '--try'])).code).toBe(0)
      const wallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(home)).mnemonic)
      await devnet.faucet(wallet.address, 2_000_000_000n) // 2 TON
      const healthy = await cocoon(['doctor', '--home', home, '--chain-endpoint', devnet.endpoint])
      expect(healthy.code).toBe(0)
      expect(healthy.stdout).toMatch(/^ok {4}model cocoon-test-tiny: answers on llama\.cpp\/\w+/m)
      expect(healthy.stdout).toMatch(/^ok {4}chain: /m)
      expect(healthy.stdout).toMatch(/^ok {4}wallet: \S+ holds 2 TON/m)
      expect(healthy.stdout).toMatch(/^ok {4}clock: within \d+ s/m)
      expect(healthy.stdout).toMatch(/^this node can sell$/m)

      // a model whose file is gone, and a chain endpoint nothing answers on
      expect((await cocoon(['models', 'add', 'gone', join(home, 'gone.gguf'), '--home', home])).code).toBe(0)
      await devnet.stop()
      const broken = await cocoon(['doctor', '--home', home, '--chain-endpoint', devnet.endpoint, '--json'])
      expect(broken.code).not.toBe(0)
      const report = JSON.parse(broken.stdout) as {
        canSell: boolean
        findings: Array<{ check: string; status: string; message: string; fix?: string }>
      }
      expect(report.canSell).toBe(false)
      const failed = report.findings.filter((f) => f.status === 'fail')
      expect(failed.map((f) => f.check)).toEqual(['model gone', 'chain'])
      expect(failed[0]?.fix).toMatch(/No GGUF file at .*gone\.gguf/)
      expect(failed[1]?.message).toMatch(/is unreachable/)
      expect(report.findings.find((f) => f.check === 'model cocoon-test-tiny')?.status).toBe('ok')
      expect(broken.stderr).toMatch(/cannot sell yet: 2 problem\(s\): model gone, chain/)
    } finally {
      await devnet.stop()
    }
  }, 180_000)
})
