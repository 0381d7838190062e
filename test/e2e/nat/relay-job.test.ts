/**
 * A provider behind a real NAT (network namespaces, nftables masquerade)
 * serves jobs through a circuit relay v2, when its operator allows relayed
 * jobs; when not, the client gets a typed error saying why.
 *
 * The relay (a plain `cocoon node start` in the public namespace, which
 * serves reservations because its address is public by
 * `COCOON_PUBLIC_RANGES`) is the bootstrap node. Two providers run in the
 * home behind the first router: `tiny` with `network.relay.jobs` on and
 * `tiny-norelay` with it off. Neither can be dialled from the public side
 * (no route, and the router forwards nothing unsolicited), so each reserves
 * a slot on the relay and its offer carries the relay address. The client is
 * `cocoon run` in the home behind the second router, so neither end of the
 * job can be dialled. DCUtR runs on both ends but cannot turn this into a
 * direct TCP connection (see reachability.ts), so the job stays relayed.
 * Jobs are free: paid jobs are covered without NAT.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, cocoon, ProcessGroup } from '../../../test-support/cli-processes.ts'
import { useScratchHome } from '../support/scratch-home.js'
import {
  BENCHMARK_WAN,
  createNatNetwork,
  type NatNetwork,
  natUnsupported,
  removeStaleNamespaces,
} from './support/nat-network.js'
import { type NatNode, natNodes, providerArgs } from './support/nat-nodes.js'

/** A wait that fails names what it waited for before the test's own limit. */
const WAIT_LIMIT = 45_000
const TEST_LIMIT = 120_000
const unsupported = natUnsupported()
if (unsupported !== undefined) console.warn(`NAT e2e skipped: ${unsupported}`)

const procs = new ProcessGroup(WAIT_LIMIT)
const scratch = useScratchHome('cocoon-nat-')
/** The nodes count the wan side as public, not the home LANs. */
const PUB_IP = `${BENCHMARK_WAN}.1`
const env = { COCOON_PUBLIC_RANGES: `${BENCHMARK_WAN}.0/24` }
let net: NatNetwork | undefined

const nodes = natNodes({
  procs,
  root: () => scratch.home,
  env,
  net: () => net as NatNetwork,
})

function providerHome(): string {
  return (net as NatNetwork).homes[0]?.host as string
}

/** A provider of `model` behind the first router, with relayed jobs on or off. */
function startProvider(model: string, relayJobs: boolean, bootstrap: string): Promise<NatNode> {
  const network = { relay: { jobs: { enabled: relayJobs, maxBytes: 1 << 20, maxDurationMs: 30_000 } } }
  return nodes.startProvider(providerHome(), model, bootstrap, network)
}

/**
 * Waits until the relay's book holds an offer of the provider that carries
 * its relay address, so the offer a client fetches from the relay has it.
 * (The relay's state file is rewritten on every book change; no log line says
 * which addresses an offer carries, hence the poll.)
 */
async function offerWithRelayAddress(provider: NatNode, relay: NatNode, after = -1n): Promise<string> {
  const reserved = await provider.proc.line(/^relay-address \/ip4\/198\.18\.0\.1\/.*\/p2p-circuit\//)
  const circuit = `/p2p/${relay.peerId}/p2p-circuit`
  await expect
    .poll(
      async () => {
        const { sequence, addrs } = await nodes.offeredAddrs('relay', provider)
        return sequence > after ? addrs : []
      },
      {
        timeout: WAIT_LIMIT,
        interval: 200,
        message: `the relay's offer of ${provider.peerId} with ${circuit}`,
      },
    )
    .toContainEqual(expect.stringContaining(circuit))
  return reserved
}

/** `cocoon run` behind the second router. */
function runJob(model: string, bootstrap: string) {
  return nodes.runJob((net as NatNetwork).homes[1]?.host as string, model, bootstrap)
}

it.runIf(unsupported !== undefined)('has root, ip and nft in CI', () => {
  expect(process.env.CI, `CI must run the NAT test (see .ci/run): ${unsupported}`).toBeUndefined()
})

describe.skipIf(unsupported !== undefined)('a provider behind NAT, through a circuit relay', () => {
  let relay: NatNode
  let relayAddr: string
  let relayed: NatNode
  let refusing: NatNode

  beforeAll(async () => {
    buildPeerDist()
    removeStaleNamespaces()
    net = createNatNetwork({ wan: BENCHMARK_WAN, homes: ['cone', 'symmetric'] })
    const started = await nodes.startPublicNode('relay')
    relay = started
    relayAddr = started.addr
    ;[relayed, refusing] = await Promise.all([
      startProvider('tiny', true, relayAddr),
      startProvider('tiny-norelay', false, relayAddr),
    ])
  }, 120_000)

  afterAll(async () => {
    await procs.stopAll()
    net?.destroy()
  })

  it('serves a job over /p2p-circuit when the provider allows relayed jobs', {
    timeout: TEST_LIMIT,
  }, async () => {
    const reserved = await offerWithRelayAddress(relayed, relay)
    expect(reserved).toContain(`/p2p/${relay.peerId}/p2p-circuit/p2p/${relayed.peerId}`)
    // the home LAN and loopback addresses are not announced: nobody on the public side can dial them
    const announced = (await nodes.offeredAddrs('relay', relayed)).addrs
    expect(
      announced.filter((a) => !a.includes('/p2p-circuit')),
      announced.join(' '),
    ).toEqual([])

    const job = await runJob('tiny', relayAddr)
    expect(job.code, job.stderr).toBe(0)
    const usage = job.usage()
    expect(usage.completionTokens).toBe(8)
    expect(usage.parts).toHaveLength(1)
    expect(usage.parts[0]).toMatchObject({ provider: relayed.peerId, outcome: 'completed' })
    expect(usage.parts[0]?.via).toMatch(new RegExp(`/p2p/${relay.peerId}/p2p-circuit`))

    // the provider's side names the relayed connection too, and it stayed relayed (no TCP hole punch)
    const accepted = await relayed.proc.line(/^job-accepted /)
    expect(accepted).toMatch(new RegExp(`via=/ip4/${PUB_IP}/tcp/\\d+/p2p/${relay.peerId}/p2p-circuit/`))
    const finished = await relayed.proc.line(/^job-finished /)
    expect(finished).toMatch(/ tokens=8 .*via=\S+\/p2p-circuit\//)
    await relayed.proc.line(/^connection-relayed \S+ via=\S+\/p2p-circuit\//)
    expect(relayed.proc.lines.filter((l) => l.startsWith('connection-upgraded '))).toEqual([])
  })

  it('says the provider is only reachable through a relay that carries no jobs when relayed jobs are off', {
    timeout: TEST_LIMIT,
  }, async () => {
    await offerWithRelayAddress(refusing, relay)

    const job = await runJob('tiny-norelay', relayAddr)
    expect(job.code).not.toBe(0)
    expect(job.stderr).toContain(
      `provider ${refusing.peerId} is reachable only through a relay, and relays carry no jobs to it`,
    )
    expect(job.stderr).toContain('network.relay.jobs')
    const rejected = await refusing.proc.line(/^job-rejected /)
    expect(rejected).toContain('reason=REJECT_REASON_RELAYED')
    expect(refusing.proc.lines.some((l) => l.startsWith('job-accepted '))).toBe(false)
  })

  it('a NATed provider that restarts is reachable through the relay again', {
    timeout: TEST_LIMIT,
  }, async () => {
    const last = (await nodes.offeredAddrs('relay', relayed)).sequence
    relayed.proc.child.kill('SIGTERM')
    expect((await relayed.proc.exited).code).toBe(0)
    // same home: same identity, and a peer store remembering the addresses of the run before
    relayed = await nodes.spawnNode(providerHome(), 'tiny', providerArgs(relayAddr))
    await offerWithRelayAddress(relayed, relay, last)

    const job = await runJob('tiny', relayAddr)
    expect(job.code, job.stderr).toBe(0)
    expect(await relayed.proc.line(/^job-finished /)).toMatch(/ tokens=8 .*via=\S+\/p2p-circuit\//)
  })

  it('a relay that restarts is reserved on again and carries jobs to the provider', {
    timeout: TEST_LIMIT,
  }, async () => {
    const reservations = (): number => relayed.proc.lines.filter((l) => l.startsWith('relay-address ')).length
    const held = reservations()
    relay.proc.child.kill('SIGTERM')
    expect((await relay.proc.exited).code).toBe(0)
    await relayed.proc.line(/^relay-address-lost /)
    // same home and port: the address the provider knows it by
    const listen = relayAddr.replace(/\/p2p\/\w+$/, '')
    relay = await nodes.spawnNode((net as NatNetwork).pub, 'relay', ['--listen', listen])
    // the provider redials the relay it reserved on, and reserves again
    await relayed.proc.until(() => reservations() > held, 'a reservation on the restarted relay')
    await offerWithRelayAddress(relayed, relay)

    const job = await runJob('tiny', relayAddr)
    expect(job.code, job.stderr).toBe(0)
    expect(job.usage().parts[0]?.via).toMatch(new RegExp(`/p2p/${relay.peerId}/p2p-circuit`))
  })

  it('cocoon status of the NATed provider says it is reachable through the relay', async () => {
    const status = await cocoon(['status', '--home', join(scratch.home, 'tiny')])
    expect(status).toMatch(/^reachable relayed /m)
    expect(status).toContain(`relay /ip4/${PUB_IP}/`)
    expect(status).toMatch(/^relayed-connections [1-9]/m)
    const relayStatus = await cocoon(['status', '--home', join(scratch.home, 'relay')])
    expect(relayStatus).toMatch(/^reachable public$/m)
  })
})
