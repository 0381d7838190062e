/**
 * A provider behind a home router that offers UPnP (miniupnpd, the daemon
 * of OpenWrt and many home routers, with its nftables backend) maps its
 * listen port there through libp2p's UPnP client and is dialled directly:
 * the job's connection has no `/p2p-circuit` in it, though the client sits
 * behind a second NAT and the provider carries no jobs over relays.
 *
 * The public side is in ROUTABLE_WAN, since miniupnpd maps nothing on a
 * reserved WAN address; the bootstrap node there is a plain `cocoon node
 * start`. The client's router offers no UPnP.
 */
import { join } from 'node:path'
import { readNodeState } from '@cocoon-mesh/peer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, cocoon, ProcessGroup } from '../../../test-support/cli-processes.ts'
import { useScratchHome } from '../support/scratch-home.js'
import {
  createNatNetwork,
  miniupnpdCommand,
  type NatNetwork,
  natUnsupported,
  ROUTABLE_WAN,
  removeStaleNamespaces,
} from './support/nat-network.js'
import { type NatNode, natNodes } from './support/nat-nodes.js'

/** A wait that fails names what it waited for before the test's own limit. */
const WAIT_LIMIT = 45_000
const TEST_LIMIT = 120_000
const unsupported = natUnsupported(['ip', 'nft', 'miniupnpd'])
if (unsupported !== undefined) console.warn(`UPnP e2e skipped: ${unsupported}`)

const procs = new ProcessGroup(WAIT_LIMIT)
const scratch = useScratchHome('cocoon-upnp-')
let net: NatNetwork | undefined
const nodes = natNodes({ procs, root: () => scratch.home, env: {}, net: () => net as NatNetwork })

it.runIf(unsupported !== undefined)('has root, ip, nft and miniupnpd in CI', () => {
  expect(process.env.CI, `CI must run the UPnP test (see .ci/run): ${unsupported}`).toBeUndefined()
})

describe.skipIf(unsupported !== undefined)('a provider behind a router with UPnP', () => {
  let boot: NatNode
  let bootAddr: string
  let provider: NatNode
  let mapped: string

  beforeAll(async () => {
    buildPeerDist()
    removeStaleNamespaces()
    net = createNatNetwork({ wan: ROUTABLE_WAN, homes: ['cone', 'symmetric'] })
    const [providerHome] = net.homes
    if (providerHome === undefined) throw new Error('the network has two homes')
    procs.spawnCommand('miniupnpd', miniupnpdCommand(net, providerHome, scratch.home))
    boot = await nodes.startNode(net.pub, 'boot', ['--listen', `/ip4/${net.pubIp}/tcp/0`])
    bootAddr = (await boot.proc.line(/^listening \/ip4\/11\.0\.0\.1\//)).slice('listening '.length)
    provider = await nodes.startProvider(providerHome.host, 'tiny', bootAddr, {
      relay: { jobs: { enabled: false } },
    })
    // the router's WAN address and the port it mapped, announced once the router confirmed the mapping
    const wan = providerHome.wanIp.replaceAll('.', '\\.')
    mapped =
      (await provider.proc.line(new RegExp(`^public-address /ip4/${wan}/tcp/\\d+`))).split(' ')[1] ?? ''
  }, 120_000)

  afterAll(async () => {
    await procs.stopAll()
    net?.destroy()
  })

  it('offers the mapped address and no LAN address', { timeout: TEST_LIMIT }, async () => {
    const bare = mapped.replace(/\/p2p\/\w+$/, '')
    await expect
      .poll(
        async () => {
          const state = await readNodeState(join(scratch.home, 'boot'))
          return state.offers.find((o) => o.provider === provider.peerId)?.addrs ?? []
        },
        {
          timeout: WAIT_LIMIT,
          interval: 200,
          message: `the bootstrap node's offer of the provider with ${bare}`,
        },
      )
      .toContain(bare)
    const state = await readNodeState(join(scratch.home, 'boot'))
    const addrs = state.offers.find((o) => o.provider === provider.peerId)?.addrs ?? []
    expect(
      addrs.filter((a) => a.includes('/192.168.') || a.includes('/127.')),
      addrs.join(' '),
    ).toEqual([])
  })

  it('serves a job from behind one NAT to a client behind another over a direct connection', {
    timeout: TEST_LIMIT,
  }, async () => {
    const client = net?.homes[1]
    if (client === undefined) throw new Error('the network has two homes')
    const job = await nodes.runJob(client.host, 'tiny', bootAddr)
    expect(job.code, job.stderr).toBe(0)
    const usage = job.usage()
    expect(usage.completionTokens).toBe(8)
    expect(usage.parts[0]).toMatchObject({ provider: provider.peerId, outcome: 'completed' })
    expect(usage.parts[0]?.via).toBe(mapped)
    // the provider saw the client's router, through the port mapping, and no relay
    const accepted = await provider.proc.line(/^job-accepted /)
    expect(accepted).toMatch(new RegExp(`via=/ip4/${client.wanIp.replaceAll('.', '\\.')}/tcp/\\d+/p2p/`))
    expect(accepted).not.toContain('p2p-circuit')
    expect(await provider.proc.line(/^job-finished /)).toMatch(/ tokens=8 /)
  })

  it('cocoon status of the provider says it is publicly reachable at the mapped address', async () => {
    const status = await cocoon(['status', '--home', join(scratch.home, 'tiny')])
    expect(status).toMatch(/^reachable public$/m)
    expect(status).toContain(mapped.replace(/\/p2p\/\w+$/, ''))
  })
})
