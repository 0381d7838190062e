import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

const pkg = resolve(import.meta.dirname, '../..')
const cli = join(pkg, 'dist/cli/index.js')
const MODEL = 'llama-3-8b'
const children: ChildProcess[] = []
const homes: string[] = []

beforeAll(() => {
  // the CLI is tested as a user runs it: the built binary
  try {
    execFileSync(join(pkg, '../../node_modules/.bin/tsc'), ['-b', pkg], { stdio: 'pipe' })
  } catch {
    // type errors elsewhere in the workspace still emit; the check below is what matters
  }
  expect(existsSync(cli)).toBe(true)
}, 120_000)

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await new Promise((r) => child.once('exit', r))
    }
  }
})

afterAll(async () => {
  await Promise.all(homes.map((h) => rm(h, { recursive: true, force: true })))
})

async function newHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'cocoon-cli-'))
  homes.push(home)
  return home
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // a hung command fails its assertion with its output instead of hanging the file
      timeout: 60_000,
    })
    return { code: 0, stdout, stderr: '' }
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string }
    return { code: e.status, stdout: e.stdout, stderr: e.stderr }
  }
}

interface Spawned {
  child: ChildProcess
  lines: string[]
  /** Resolves with the first stdout line matching `re` (past or future). */
  waitFor(re: RegExp): Promise<string>
  exited: Promise<number | null>
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const lines: string[] = []
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = []
  let buffer = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk
    let i = buffer.indexOf('\n')
    while (i !== -1) {
      const line = buffer.slice(0, i)
      buffer = buffer.slice(i + 1)
      lines.push(line)
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(line)
        }
      }
      i = buffer.indexOf('\n')
    }
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return {
    child,
    lines,
    exited,
    waitFor: (re) => {
      const found = lines.find((l) => re.test(l))
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        // name the line that never came, so a hang is diagnosable from the CI log
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no line matching ${re} within 50 s; last lines:\n${lines.slice(-15).join('\n')}`),
            ),
          50_000,
        )
        waiters.push({
          re,
          resolve: (line) => {
            clearTimeout(timer)
            resolve(line)
          },
        })
        void exited.then((code) => {
          clearTimeout(timer)
          reject(new Error(`exited ${code} before ${re}: ${stderr}`))
        })
      })
    },
  }
}

describe('cocoon CLI', () => {
  it('init creates a 0600 identity and a commented config, and refuses to overwrite', async () => {
    const home = await newHome()
    const first = run(['init', '--home', home])
    expect(first.code).toBe(0)
    const peerId = /^peer-id (\S+)$/m.exec(first.stdout)?.[1]
    expect(peerId).toMatch(/^12D3KooW/)
    expect((await stat(join(home, 'identity.key'))).mode & 0o777).toBe(0o600)
    expect(first.stdout).toMatch(/^wallet \S+/m)
    const again = run(['init', '--home', home])
    expect(again.code).not.toBe(0)
    expect(again.stderr).toMatch(/already exists/)
    // COCOON_HOME is honoured
    const viaEnv = run(['node', 'start', '--listen', 'not-a-multiaddr'], { COCOON_HOME: home })
    expect(viaEnv.code).not.toBe(0)
    expect(viaEnv.stderr).toMatch(/Invalid --listen/)
  })

  it('runs a provider and a relay: offers arrive, status and offers report them, SIGTERM cancels', async () => {
    const providerHome = await newHome()
    const relayHome = await newHome()
    expect(run(['init', '--home', providerHome]).code).toBe(0)
    expect(run(['init', '--home', relayHome]).code).toBe(0)
    const provider = start(
      ['node', 'start', '--home', providerHome, '--listen', '/ip4/127.0.0.1/tcp/0', '--provide'],
      {
        COCOON_PROVIDE_MODELS: MODEL,
      },
    )
    const providerId = (await provider.waitFor(/^peer-id /)).split(' ')[1] as string
    const addr = (await provider.waitFor(/^listening \/ip4\/127\.0\.0\.1\/tcp\//)).split(' ')[1] as string
    const relay = start([
      'node',
      'start',
      '--home',
      relayHome,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--bootstrap',
      addr,
      '--model',
      MODEL,
    ])
    await relay.waitFor(new RegExp(`^peer-joined ${providerId}`))
    await relay.waitFor(new RegExp(`^offer-added ${providerId} models=${MODEL}`))

    // status reads the running node's state file
    let status = JSON.parse(run(['status', '--home', relayHome, '--json']).stdout) as {
      connectedPeers: string[]
      offers: Array<{ provider: string }>
    }
    expect(status.connectedPeers).toContain(providerId)
    const providerStatus = run(['status', '--home', providerHome])
    expect(providerStatus.stdout).toMatch(/^providing yes$/m)

    // offers joins as a light peer and prints what it sees
    const offers = run(['offers', '--bootstrap', addr, '--model', MODEL, '--json'])
    expect(offers.code).toBe(0)
    expect((JSON.parse(offers.stdout) as Array<{ provider: string }>).map((o) => o.provider)).toEqual([
      providerId,
    ])
    expect(run(['offers', '--bootstrap', addr]).stdout).toContain(providerId)

    // a restarted relay keeps its identity and finds the provider again from
    // the peers remembered in its datastore (no --bootstrap this time)
    const relayId = (await relay.waitFor(/^peer-id /)).split(' ')[1]
    relay.child.kill('SIGINT')
    expect(await relay.exited).toBe(0)
    const relay2 = start([
      'node',
      'start',
      '--home',
      relayHome,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--model',
      MODEL,
    ])
    expect(await relay2.waitFor(/^peer-id /)).toBe(`peer-id ${relayId}`)
    await relay2.waitFor(new RegExp(`^peer-joined ${providerId}`))
    await relay2.waitFor(new RegExp(`^offer-added ${providerId} models=${MODEL}`))

    provider.child.kill('SIGTERM')
    await relay2.waitFor(new RegExp(`^offer-removed ${providerId} .*reason=cancelled`))
    expect(await provider.exited).toBe(0)
    expect(provider.lines).toContain('stopped')
    status = JSON.parse(run(['status', '--home', relayHome, '--json']).stdout)
    expect(status.offers).toEqual([])
    relay2.child.kill('SIGINT')
    expect(await relay2.exited).toBe(0)
  }, 120_000)

  it('explains bad input: corrupt key, malformed config, unreachable bootstrap, port in use', async () => {
    const home = await newHome()
    expect(run(['init', '--home', home]).code).toBe(0)

    await writeFile(join(home, 'config.jsonc'), '{ "listen": [ }')
    let r = run(['node', 'start', '--home', home])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/not valid JSON/)
    await writeFile(join(home, 'config.jsonc'), '{ "provide": { "maxConcurrency": "lots" } }')
    r = run(['node', 'start', '--home', home])
    expect(r.stderr).toMatch(/provide\.maxConcurrency/)
    await writeFile(join(home, 'config.jsonc'), '// ok\n{ "listen": ["/ip4/127.0.0.1/tcp/0"], }')

    r = run([
      'node',
      'start',
      '--home',
      home,
      '--bootstrap',
      '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWL6bSCrYFJDqretA3bZ28zKaPLHdQCDPcjc1yuyn4GtmV',
    ])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/None of the bootstrap peers could be reached/)

    const server: Server = createServer()
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    const port = (server.address() as { port: number }).port
    try {
      r = run(['node', 'start', '--home', home, '--listen', `/ip4/127.0.0.1/tcp/${port}`])
      expect(r.code).not.toBe(0)
      expect(r.stderr).toMatch(/already in use/)
    } finally {
      server.close()
    }

    r = run(['status', '--home', home])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/No node is running/)

    await writeFile(join(home, 'identity.key'), 'garbage')
    r = run(['node', 'start', '--home', home])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/corrupt/)
  }, 120_000)
})
