import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI as cli, ProcessGroup } from '../../../../test-support/cli-processes.ts'

const MODEL = 'llama-3-8b'
/** A line a node should print that did not come within 50 s fails with every node's output. */
const procs = new ProcessGroup(50_000)
const homes: string[] = []

// the CLI is tested as a user runs it: the built binary
beforeAll(buildPeerDist, 120_000)

afterEach(() => procs.stopAll())

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

/** `cocoon <args>` as a long-running process. */
function start(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return procs.spawn(name, [cli, ...args], env)
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
    // the node sells only models that answer at start: the generated test model stands in for weights
    await mkdir(join(providerHome, 'models'))
    await writeTinyGguf(join(providerHome, 'models', `${MODEL}.gguf`))
    const provider = start(
      'provider',
      ['node', 'start', '--home', providerHome, '--listen', '/ip4/127.0.0.1/tcp/0', '--provide'],
      { COCOON_PROVIDE_MODELS: MODEL },
    )
    const providerId = (await provider.line(/^peer-id /)).split(' ')[1] as string
    const addr = (await provider.line(/^listening \/ip4\/127\.0\.0\.1\/tcp\//)).split(' ')[1] as string
    const relay = start('relay', [
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
    await relay.line(new RegExp(`^peer-joined ${providerId}`))
    await relay.line(new RegExp(`^offer-added ${providerId} models=${MODEL}`))

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
    const relayId = (await relay.line(/^peer-id /)).split(' ')[1]
    relay.child.kill('SIGINT')
    expect((await relay.exited).code).toBe(0)
    const relay2 = start('restarted relay', [
      'node',
      'start',
      '--home',
      relayHome,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--model',
      MODEL,
    ])
    expect(await relay2.line(/^peer-id /)).toBe(`peer-id ${relayId}`)
    await relay2.line(new RegExp(`^peer-joined ${providerId}`))
    await relay2.line(new RegExp(`^offer-added ${providerId} models=${MODEL}`))

    provider.child.kill('SIGTERM')
    await relay2.line(new RegExp(`^offer-removed ${providerId} .*reason=cancelled`))
    expect((await provider.exited).code).toBe(0)
    expect(provider.lines).toContain('stopped')
    status = JSON.parse(run(['status', '--home', relayHome, '--json']).stdout)
    expect(status.offers).toEqual([])
    relay2.child.kill('SIGINT')
    expect((await relay2.exited).code).toBe(0)
  }, 120_000)

  it('--log-format json prints one JSON object per event, with its fields', async () => {
    const home = await newHome()
    expect(run(['init', '--home', home]).code).toBe(0)
    const node = start('json node', [
      'node',
      'start',
      '--home',
      home,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--log-format',
      'json',
    ])
    const first = JSON.parse(await node.line(/"event":"peer-id"/)) as Record<string, unknown>
    expect(first.peerId).toMatch(/^12D3KooW/)
    expect(Number.isNaN(Date.parse(String(first.time)))).toBe(false)
    const listening = JSON.parse(await node.line(/"event":"listening"/)) as Record<string, unknown>
    expect(listening.address).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\//)
    node.child.kill('SIGINT')
    expect((await node.exited).code).toBe(0)
    const events = node.lines.map((l) => (JSON.parse(l) as { event: string }).event)
    expect(events.slice(-2)).toEqual(['stopping', 'stopped'])
    expect(run(['node', 'start', '--home', home, '--log-format', 'xml']).stderr).toMatch(/text, json/)
  }, 60_000)

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
