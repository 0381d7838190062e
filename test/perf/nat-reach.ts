/**
 * How long a provider behind a home NAT takes from `cocoon node start` to
 * its first job served, against the same provider on the public side
 * (baseline, same run): behind a router with UPnP (a direct connection
 * through the mapped port) and behind one without (the job over a relay).
 * A client behind a second, symmetric NAT runs `cocoon run` until one
 * succeeds. Also the share of relayed connections the provider saw
 * upgraded to direct ones (DCUtR), from its `cocoon status`.
 *
 * Needs root, `ip`, `nft` and `miniupnpd`, like the NAT e2e tests; without
 * them it says why and reports nothing. Medians of SAMPLES runs, each on a
 * fresh network, fresh homes and fresh processes.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { reportBench } from '@cocoon-mesh/protocol'
import { buildPeerDist, cocoon, ProcessGroup } from '../../test-support/cli-processes.ts'
import {
  createNatNetwork,
  miniupnpdCommand,
  type NatNetwork,
  natUnsupported,
  ROUTABLE_WAN,
  removeStaleNamespaces,
} from '../e2e/nat/support/nat-network.ts'
import { natNodes } from '../e2e/nat/support/nat-nodes.ts'

const SAMPLES = 3
/** A first job not served by then is a failed sample, named as such. */
const FIRST_JOB_LIMIT_MS = 90_000

type Setup = 'public' | 'upnp' | 'relay'

interface Sample {
  firstJobMs: number
  relayed: number
  upgraded: number
}

/** One provider started in `setup` and a client retrying a job until one is served. */
async function sample(setup: Setup): Promise<Sample> {
  const root = await mkdtemp(join(tmpdir(), 'cocoon-nat-bench-'))
  const procs = new ProcessGroup(FIRST_JOB_LIMIT_MS)
  const net: NatNetwork = createNatNetwork({ wan: ROUTABLE_WAN, homes: ['cone', 'symmetric'] })
  try {
    const nodes = natNodes({ procs, root: () => root, env: {}, net: () => net })
    const [home, client] = net.homes
    if (home === undefined || client === undefined) throw new Error('the network has two homes')
    if (setup === 'upnp') procs.spawnCommand('miniupnpd', miniupnpdCommand(net, home, root))
    const bootAddr = (await nodes.startPublicNode('boot')).addr
    const started = performance.now()
    await nodes.startProvider(setup === 'public' ? net.pub : home.host, 'tiny', bootAddr, {
      relay: { jobs: { enabled: setup === 'relay', maxBytes: 1 << 20, maxDurationMs: 30_000 } },
    })
    for (;;) {
      const job = await nodes.runJob(client.host, 'tiny', bootAddr)
      if (job.code === 0) break
      if (performance.now() - started > FIRST_JOB_LIMIT_MS)
        throw new Error(
          `${setup}: no job served within ${FIRST_JOB_LIMIT_MS} ms; last: ${job.stderr.slice(-500)}`,
        )
    }
    const firstJobMs = performance.now() - started
    const status = await cocoon(['status', '--home', join(root, 'tiny')])
    const count = (name: string): number => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(status)?.[1] ?? 0)
    return { firstJobMs, relayed: count('relayed-connections'), upgraded: count('upgraded-connections') }
  } finally {
    await procs.stopAll()
    net.destroy()
    await rm(root, { recursive: true, force: true })
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

const unsupported = natUnsupported(['ip', 'nft', 'miniupnpd'])
if (unsupported !== undefined) {
  console.error(`nat-reach bench not run: ${unsupported}`)
  process.exit(0)
}
buildPeerDist()
removeStaleNamespaces()
const runs: Record<Setup, Sample[]> = { public: [], upnp: [], relay: [] }
// interleaved, so a slow spell of the machine falls on every setup alike
for (let i = 0; i < SAMPLES; i++)
  for (const setup of ['public', 'upnp', 'relay'] as const) runs[setup].push(await sample(setup))
const baseline = median(runs.public.map((s) => s.firstJobMs))
for (const setup of ['upnp', 'relay'] as const)
  reportBench({
    bench: `nat-${setup}-first-job`,
    value: median(runs[setup].map((s) => s.firstJobMs)),
    unit: 'ms',
    baseline,
    better: 'lower',
  })
const relayed = runs.relay.reduce((n, s) => n + s.relayed, 0)
const upgraded = runs.relay.reduce((n, s) => n + s.upgraded, 0)
reportBench({
  bench: 'nat-relayed-connections-upgraded',
  value: relayed === 0 ? 0 : upgraded / relayed,
  unit: 'share',
})
