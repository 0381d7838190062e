/**
 * Discovery from a cold start, with the built CLI as a user runs it: a
 * one-shot `cocoon offers --model` finds a provider through the DHT right
 * after it announced; a plain bootstrap node (no models configured) holds the
 * offers of every topic its peers follow; a node that subscribes late gets
 * the existing offers at once; connections between healthy nodes do not flap.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { decodeOrderBookMessage, OFFERS_PUSH_PROTOCOL, orderBookTopic } from '@cocoon-mesh/protocol'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { base58btc } from 'multiformats/bases/base58'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildPeerDist,
  CLI as cli,
  type Proc,
  ProcessGroup,
  stop,
} from '../../../../test-support/cli-processes.ts'

const MODEL = 'tiny'
const procs = new ProcessGroup(60_000)
const homes: string[] = []
/** The node logs the tests read: the offer publisher's announces, the ping responder's answered pings. */
const NODE_DEBUG = '*cocoon:offer-publisher*,*cocoon:ping-responder*'

let boot: { proc: Proc; addr: string; id: string }
let provider: { proc: Proc; id: string }

async function newHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'cocoon-discovery-'))
  homes.push(home)
  await promisify(execFile)(process.execPath, [cli, 'init', '--home', home])
  return home
}

/** Resolves once `count` lines of the process's stderr match `re`; rejects when it exits first or after 90 s. */
function stderrLines(proc: Proc, re: RegExp, count: number, what: string): Promise<void> {
  const enough = (): boolean =>
    proc
      .stderr()
      .split('\n')
      .filter((l) => re.test(l)).length >= count
  if (enough()) return Promise.resolve()
  return new Promise<void>((resolve, reject) => {
    // a diagnosable failure instead of the bare test timeout; not a timed assertion
    const timer = setTimeout(
      () => done(new Error(`no ${what} within 90 s:\n${proc.stderr().slice(-3000)}`)),
      90_000,
    )
    const check = (): void => {
      if (enough()) done(undefined)
    }
    const done = (error: Error | undefined): void => {
      clearTimeout(timer)
      proc.child.stderr?.off('data', check)
      if (error === undefined) resolve()
      else reject(error)
    }
    proc.child.stderr?.on('data', check)
    void proc.exited.then(() => done(new Error(`exited before ${what}:\n${proc.stderr().slice(-3000)}`)))
  })
}

/** Runs `cocoon offers ... --json` with the discovery log on; its offers and its stderr. */
async function offers(args: string[]): Promise<{ providers: string[]; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [cli, 'offers', '--bootstrap', boot.addr, '--json', ...args],
    { encoding: 'utf8', timeout: 60_000, env: { ...process.env, DEBUG: '*cocoon:discovery*' } },
  )
  const listed = JSON.parse(stdout) as Array<{ provider: string }>
  return { providers: listed.map((o) => o.provider), stderr }
}

beforeAll(async () => {
  buildPeerDist()
  const bootHome = await newHome()
  const providerHome = await newHome()
  // a node sells only the models that answer at start: give it the generated test model
  await mkdir(join(providerHome, 'models'), { recursive: true })
  await writeTinyGguf(join(providerHome, 'models', `${MODEL}.gguf`))
  // a plain bootstrap node: no models configured
  const bootProc = procs.spawn(
    'bootstrap',
    [cli, 'node', 'start', '--home', bootHome, '--listen', '/ip4/127.0.0.1/tcp/0'],
    { DEBUG: NODE_DEBUG },
  )
  const addr = (await bootProc.line(/^listening \/ip4\/127\.0\.0\.1\/tcp\/.*\/p2p\//)).split(' ')[1] as string
  boot = { proc: bootProc, addr, id: addr.split('/p2p/')[1] as string }
  const providerProc = procs.spawn(
    'provider',
    [
      cli,
      'node',
      'start',
      '--home',
      providerHome,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--bootstrap',
      addr,
      '--provide',
    ],
    { COCOON_PROVIDE_MODELS: MODEL, DEBUG: NODE_DEBUG },
  )
  provider = { proc: providerProc, id: (await providerProc.line(/^peer-id /)).split(' ')[1] as string }
  await providerProc.line(new RegExp(`^peer-joined ${boot.id}`))
}, 180_000)

afterAll(async () => {
  await procs.stopAll()
  await Promise.all(homes.map((h) => rm(h, { recursive: true, force: true })))
})

describe('discovery from a cold start (real processes)', () => {
  it('`cocoon offers --model` finds the provider through the DHT right after it announced, every time', async () => {
    await stderrLines(provider.proc, /announced provider record for tiny/, 1, 'provider announce')
    for (let i = 0; i < 4; i++) {
      const found = await offers(['--model', MODEL])
      expect(found.providers).toContain(provider.id)
      // the provider itself answered the direct fetch: the DHT lookup found it
      expect(found.stderr).toMatch(
        new RegExp(`provider ${provider.id} found in the DHT answered with 1 offers`),
      )
    }
  }, 240_000)

  it('a bootstrap node with no models configured holds and answers the offers of every topic its peers follow', async () => {
    await boot.proc.line(new RegExp(`^offer-added ${provider.id} models=${MODEL}`))
    const all = await offers([])
    expect(all.providers).toEqual([provider.id])
  }, 120_000)

  it('a node that subscribes late holds the existing offers at once', async () => {
    const late = procs.spawn('late subscriber', [
      cli,
      'node',
      'start',
      '--home',
      await newHome(),
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--bootstrap',
      boot.addr,
      '--model',
      MODEL,
    ])
    await late.line(new RegExp(`^peer-joined ${boot.id}`))
    const joinedAt = Date.now()
    await late.line(new RegExp(`^offer-added ${provider.id} models=${MODEL}`))
    // reported, not asserted: the issue's bound is 1 s, far below the providers' republish
    process.stdout.write(
      `late subscriber held the existing offer ${Date.now() - joinedAt} ms after joining\n`,
    )
  }, 120_000)

  it('a subscriber that runs none of this code and only listens gets the existing offers pushed on subscribe', async () => {
    // a plain js-libp2p node: gossipsub and a handler of the push protocol, no order book, no pull
    const plain = await createLibp2p({
      addresses: { listen: [] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub() },
    })
    try {
      const pushed = new Promise<string>((resolve) => {
        void plain.handle(OFFERS_PUSH_PROTOCOL, async (stream) => {
          const message = decodeOrderBookMessage((await lpStream(stream).read()).subarray())
          await stream.close()
          const offer = message.offer
          if (offer !== undefined) resolve(base58btc.encode(offer.provider).slice(1))
        })
      })
      await plain.dial(multiaddr(boot.addr))
      const subscribedAt = Date.now()
      plain.services.pubsub.subscribe(orderBookTopic(MODEL))
      expect(await pushed).toBe(provider.id)
      process.stdout.write(
        `a listening subscriber got the existing offer ${Date.now() - subscribedAt} ms after subscribing\n`,
      )
    } finally {
      await plain.stop()
    }
  }, 120_000)

  it('no connection between healthy nodes flaps: no peer-left while each side answers four monitor pings', async () => {
    // kad-dht pings a new contact once, libp2p's connection monitor every 10 s: five pings each way span 30 s and more
    const pingsFrom = (id: string): RegExp => new RegExp(`answered a ping stream from ${id}`)
    await Promise.all([
      stderrLines(boot.proc, pingsFrom(provider.id), 5, 'five pings from the provider'),
      stderrLines(provider.proc, pingsFrom(boot.id), 5, 'five pings from the bootstrap node'),
    ])
    expect(boot.proc.lines.filter((l) => l === `peer-left ${provider.id}`)).toEqual([])
    expect(provider.proc.lines.filter((l) => l === `peer-left ${boot.id}`)).toEqual([])
  }, 150_000)

  it('once the provider is gone, the DHT stops returning it: its records are dropped', async () => {
    await stop(provider.proc.child, 'SIGTERM')
    await boot.proc.line(new RegExp(`^offer-removed ${provider.id} .*reason=cancelled`))
    const after = await offers(['--model', MODEL])
    expect(after.providers).toEqual([])
    // the lookup ran and found no provider to ask: the stopped one is not tried
    expect(after.stderr).toMatch(/no provider of tiny found/)
    expect(after.stderr).not.toContain(`asking provider ${provider.id}`)
  }, 120_000)
})
