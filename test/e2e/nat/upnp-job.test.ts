/**
 * A provider behind a home router that offers UPnP (miniupnpd, the daemon
 * of OpenWrt and many home routers, with its nftables backend) maps its
 * listen port there through libp2p's UPnP client and is dialled directly:
 * the job's connection has no `/p2p-circuit` in it, though the client sits
 * behind a second NAT and the provider carries no jobs over relays.
 *
 * The job is paid: a `cocoon devnet` on the public side is the chain, the
 * client opens a channel with `cocoon channel open` and pays with
 * `cocoon run --pay`, and the provider's claims add up to the job's cost.
 *
 * The public side is in ROUTABLE_WAN, since miniupnpd maps nothing on a
 * reserved WAN address; the bootstrap node there is a plain `cocoon node
 * start`. The client's router offers no UPnP, and maps every connection to
 * a random port (symmetric NAT).
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI, cocoon, ProcessGroup } from '../../../test-support/cli-processes.ts'
import { useScratchHome } from '../support/scratch-home.js'
import {
  createNatNetwork,
  miniupnpdCommand,
  type NatNetwork,
  natUnsupported,
  ROUTABLE_WAN,
  removeStaleNamespaces,
} from './support/nat-network.js'
import { type NatNode, natNodes, providerArgs } from './support/nat-nodes.js'

/** A wait that fails names what it waited for before the test's own limit. */
const WAIT_LIMIT = 45_000
const TEST_LIMIT = 120_000
const unsupported = natUnsupported(['ip', 'nft', 'miniupnpd'])
if (unsupported !== undefined) console.warn(`UPnP e2e skipped: ${unsupported}`)

/** Claims as soon as the vouchers stop, whatever the fee (the test's prices are below a claim's fee). */
const CLAIM_AT_ONCE = { claimAfterMs: 1000, claimMinimum: '1', claimCheckMs: 200, claimFeeMultiple: 0 }

/** The devnet's toncenter endpoint, inside the public namespace (set in beforeAll). */
let chainEndpoint = ''

function walletFaucet(home: string, ton: string): string[] {
  return ['wallet', '--home', home, '--endpoint', chainEndpoint, '--faucet', ton, '--json']
}

const procs = new ProcessGroup(WAIT_LIMIT)
const scratch = useScratchHome('cocoon-upnp-')
let net: NatNetwork | undefined
const nodes = natNodes({ procs, root: () => scratch.home, env: {}, net: () => net as NatNetwork })

it.runIf(unsupported !== undefined)('has root, ip, nft and miniupnpd in CI', () => {
  expect(process.env.CI, `CI must run the UPnP test (see .ci/run): ${unsupported}`).toBeUndefined()
})

describe.skipIf(unsupported !== undefined)('a provider behind a router with UPnP', () => {
  let bootAddr: string
  let provider: NatNode
  let mapped: string
  /** The provider's `payments on via …` line: its payout wallet and settlement key. */
  let payout: string
  let settlementKey: string

  beforeAll(async () => {
    buildPeerDist()
    removeStaleNamespaces()
    net = createNatNetwork({ wan: ROUTABLE_WAN, homes: ['cone', 'symmetric'] })
    const [providerHome] = net.homes
    if (providerHome === undefined) throw new Error('the network has two homes')
    procs.spawnCommand('miniupnpd', miniupnpdCommand(net, providerHome, scratch.home))
    // the namespace has its own ports: the devnet's default one is free there
    const devnet = procs.spawn('devnet', [CLI, 'devnet', '--host', net.pubIp], {}, net.exec(net.pub))
    chainEndpoint = (await devnet.line(/^cocoon devnet listening: /)).split(' ')[3] ?? ''
    bootAddr = (await nodes.startPublicNode('boot')).addr
    const home = await nodes.makeProvider('tiny', { relay: { jobs: { enabled: false } } }, CLAIM_AT_ONCE)
    // claim fees are paid from the provider's wallet
    await nodes.cli(net.pub, walletFaucet(home, '2'))
    provider = await nodes.spawnNode(providerHome.host, 'tiny', [
      ...providerArgs(bootAddr),
      ...['--chain-endpoint', chainEndpoint],
    ])
    const payments = await provider.proc.line(/^payments on via /)
    ;[payout, settlementKey] = [
      / payout (\S+)/.exec(payments)?.[1] ?? '',
      / settlement-key (\S+)/.exec(payments)?.[1] ?? '',
    ]
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
      .poll(async () => (await nodes.offeredAddrs('boot', provider)).addrs, {
        timeout: WAIT_LIMIT,
        interval: 200,
        message: `the bootstrap node's offer of the provider with ${bare}`,
      })
      .toContain(bare)
    const { addrs } = await nodes.offeredAddrs('boot', provider)
    expect(
      addrs.filter((a) => a.includes('/192.168.') || a.includes('/127.')),
      addrs.join(' '),
    ).toEqual([])
  })

  it('serves a paid job from behind one NAT to a client behind another over a direct connection', {
    timeout: TEST_LIMIT,
  }, async () => {
    const client = net?.homes[1]
    if (client === undefined) throw new Error('the network has two homes')
    const home = nodes.clientHome()
    await nodes.cli(client.host, ['init', '--home', home])
    await nodes.cli(client.host, walletFaucet(home, '20'))
    const opened = JSON.parse(
      await nodes.cli(client.host, [
        ...['channel', 'open', '--home', home, '--endpoint', chainEndpoint, '--provider', provider.peerId],
        ...['--deposit', '5', '--payout', payout, '--provider-key', settlementKey, '--json'],
      ]),
    ) as { channel: string }

    const job = await nodes.runJob(client.host, 'tiny', bootAddr, [
      '--pay',
      '--chain-endpoint',
      chainEndpoint,
    ])
    expect(job.code, job.stderr).toBe(0)
    const usage = job.usage()
    expect(usage.completionTokens).toBe(8)
    expect(BigInt(usage.cost)).toBeGreaterThan(0n)
    expect(usage.parts[0]).toMatchObject({ provider: provider.peerId, outcome: 'completed' })
    expect(usage.parts[0]?.via).toBe(mapped)
    // the provider saw the client's router, through the port mapping, and no relay
    const accepted = await provider.proc.line(/^job-accepted /)
    expect(accepted).toMatch(new RegExp(`via=/ip4/${client.wanIp.replaceAll('.', '\\.')}/tcp/\\d+/p2p/`))
    expect(accepted).not.toContain('p2p-circuit')
    const finished = await provider.proc.line(/^job-finished /)
    expect(finished).toMatch(new RegExp(` cost=${usage.cost} tokens=8 `))
    // what the provider claims on chain through the channel is what the job cost
    const claimed = (): bigint =>
      provider.proc.lines
        .filter((l) => l.startsWith(`claimed ${opened.channel} `))
        .reduce((sum, l) => sum + BigInt(l.split(' ')[2] ?? '0'), 0n)
    await provider.proc.until(() => claimed() >= BigInt(usage.cost), `claims of ${usage.cost} nanoTON`)
    expect(claimed()).toBe(BigInt(usage.cost))
  })

  it('cocoon status of the provider says it is publicly reachable at the mapped address', async () => {
    const status = await cocoon(['status', '--home', join(scratch.home, 'tiny')])
    expect(status).toMatch(/^reachable public$/m)
    expect(status).toContain(mapped.replace(/\/p2p\/\w+$/, ''))
  })
})
