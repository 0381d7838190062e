/**
 * A light client keeps its way into the mesh: when its bootstrap node goes
 * away and comes back, the client redials it, so after the provider it was
 * talking to dies it still finds another provider through the DHT. The
 * bootstrap node and the providers are real processes (the built CLI); the
 * client is the SDK in this process.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createLightPeer, type LightPeer } from '@cocoon-mesh/client/internal'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
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
let client: LightPeer | undefined

async function newHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'cocoon-redial-'))
  homes.push(home)
  await promisify(execFile)(process.execPath, [cli, 'init', '--home', home])
  return home
}

/**
 * Resolves once the client is (`connect`) or is no longer (`disconnect`)
 * connected to `peer`, on libp2p's event; rejects after 60 s with what it
 * waited for (a diagnosable failure, not a timed assertion).
 */
function connection(light: LightPeer, peer: PeerId, event: 'connect' | 'disconnect'): Promise<void> {
  const libp2p = light.peer.libp2p
  const holds = (): boolean => libp2p.getConnections(peer).length > 0 === (event === 'connect')
  if (holds()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      libp2p.removeEventListener(`peer:${event}`, onEvent)
      reject(new Error(`the client saw no peer:${event} of ${peer.toString()} within 60 s`))
    }, 60_000)
    const onEvent = (e: CustomEvent<PeerId>): void => {
      if (!e.detail.equals(peer)) return
      clearTimeout(timer)
      libp2p.removeEventListener(`peer:${event}`, onEvent)
      resolve()
    }
    libp2p.addEventListener(`peer:${event}`, onEvent)
  })
}

function startNode(name: string, home: string, listen: string, extra: string[] = [], env = {}) {
  return procs.spawn(name, [cli, 'node', 'start', '--home', home, '--listen', listen, ...extra], env)
}

beforeAll(buildPeerDist, 180_000)

afterAll(async () => {
  await client?.stop()
  await procs.stopAll()
  await Promise.all(homes.map((h) => rm(h, { recursive: true, force: true })))
})

describe('a light client keeps its bootstrap peer', () => {
  it('redials the bootstrap node after it restarts, and finds a new provider through it once the one it used left', async () => {
    const bootHome = await newHome()
    const boot = startNode('bootstrap', bootHome, '/ip4/127.0.0.1/tcp/0')
    const bootAddr = (await boot.line(/^listening \/ip4\/127\.0\.0\.1\/tcp\/.*\/p2p\//)).split(
      ' ',
    )[1] as string
    const bootId = peerIdFromString(bootAddr.split('/p2p/')[1] as string)
    const provider = async (name: string, bootstrap: Proc) => {
      const home = await newHome()
      // a node sells only the models that answer at start: give it the generated test model
      await mkdir(join(home, 'models'), { recursive: true })
      await writeTinyGguf(join(home, 'models', `${MODEL}.gguf`))
      const proc = startNode(name, home, '/ip4/127.0.0.1/tcp/0', ['--bootstrap', bootAddr, '--provide'], {
        COCOON_PROVIDE_MODELS: MODEL,
      })
      const id = (await proc.line(/^peer-id /)).split(' ')[1] as string
      await bootstrap.line(new RegExp(`^offer-added ${id}`))
      return { proc, id }
    }
    const first = await provider('first provider', boot)

    client = await createLightPeer({ bootstrap: [bootAddr], gossip: false, ping: false })
    const light = client
    await connection(light, bootId, 'connect')
    expect((await light.offers(MODEL)).map((r) => r.providerId)).toEqual([first.id])

    // the bootstrap node goes away and comes back on its address: the client redials it
    const gone = connection(light, bootId, 'disconnect')
    await stop(boot.child, 'SIGKILL')
    await gone
    const back = connection(light, bootId, 'connect')
    const bootAgain = startNode('bootstrap again', bootHome, bootAddr.split('/p2p/')[0] as string)
    await back

    // the provider the client used leaves (its cancel reaches the client), another one arrives
    const left = new Promise<void>((resolve) =>
      light.peer.orderBook.addEventListener('change', (e) => {
        if (e.detail.type === 'removed' && e.detail.provider === first.id) resolve()
      }),
    )
    await stop(first.proc.child, 'SIGTERM')
    await left
    const second = await provider('second provider', bootAgain)
    expect((await light.offers(MODEL)).map((r) => r.providerId)).toEqual([second.id])
  }, 240_000)
})
