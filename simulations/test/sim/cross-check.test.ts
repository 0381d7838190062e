import { describe, expect, it } from 'vitest'
import { crossCheck } from '../../src/crosscheck/index.js'
import { LocalGroup } from '../../src/crosscheck/peer-group.js'
import { fidelityVerdict } from '../../src/crosscheck/verdict.js'

// the real DHT lookups run one after another, so their time is not shared: each takes seconds
// on two busy cores, and every wait inside the cross-check has its own bound
const CROSS_CHECK_MS = 240_000
// 200 peers: starting them, their meshes, and lookups whose every query dials a new connection
const DHT_CHECK_MS = 480_000

describe('cross-check against real libp2p peers', () => {
  it(
    'the models and 50 real peers over the memory transport agree within every gated tolerance',
    async () => {
      // crossCheck stops every peer it started, also when it throws
      const result = await crossCheck({ peers: 50, seed: 3, messages: 5, latencyMs: 20, heartbeatMs: 500 })
      const verdict = fidelityVerdict(result)
      const failed = verdict.checks.filter((c) => c.pass === false)
      expect(failed, JSON.stringify(verdict.checks)).toEqual([])
      expect(verdict.pass).toBe(true)
      // the hops are measured on both sides, not assumed
      expect(result.hops.real.p50).toBeGreaterThan(0)
      expect(result.hops.simulated.p50).toBeGreaterThan(0)
      expect(result.dht.real.hops.p50).toBeGreaterThan(0)
    },
    CROSS_CHECK_MS,
  )

  it(
    'runs the real peers over TCP in several processes; their gossip hops agree with the model',
    async () => {
      // loopback TCP without netem: the calibrated model carries the measured work per hop
      const result = await crossCheck({
        peers: 40,
        seed: 4,
        messages: 3,
        latencyMs: 0,
        heartbeatMs: 500,
        processes: 2,
      })
      // the p99s are measured but not held here: over TCP they grow with the machine's other load,
      // and fresh real DHT tables are sparser than the model's (README)
      const hops = fidelityVerdict(result).checks.filter((c) =>
        /^(coverage|delivery hops p50|DHT lookups done)/.test(c.figure),
      )
      expect(hops.map((c) => c.figure)).toEqual(['coverage', 'delivery hops p50', 'DHT lookups done'])
      expect(
        hops.filter((c) => c.pass === false),
        JSON.stringify(hops),
      ).toEqual([])
      expect(result.hopOverheadMs).toBeGreaterThan(0)
    },
    CROSS_CHECK_MS,
  )

  it(
    "the Kademlia model's lookup hops follow real kad-dht walks among 200 peers in 4 processes",
    async () => {
      // one offer: the gossip figures are not what this test holds
      const result = await crossCheck({
        peers: 200,
        seed: 1,
        messages: 1,
        lookups: 20,
        latencyMs: 0,
        heartbeatMs: 500,
        processes: 4,
      })
      const dht = fidelityVerdict(result).checks.filter((c) => c.figure.startsWith('DHT lookup'))
      expect(
        dht.filter((c) => c.pass === false),
        JSON.stringify(dht),
      ).toEqual([])
      const { simulated, real } = result.dht
      // the whole distribution, not the median alone: the tail within two hops, and neither side trivial
      expect(Math.abs(real.hops.p99 - simulated.hops.p99)).toBeLessThanOrEqual(2)
      expect(Math.abs(real.hops.max - simulated.hops.max)).toBeLessThanOrEqual(2)
      expect(simulated.hops.p50).toBeGreaterThanOrEqual(1)
      expect(real.hops.p50).toBeGreaterThanOrEqual(1)
    },
    DHT_CHECK_MS,
  )

  it('counts a dial that fails after its retries and says why, instead of running on a thinner network', async () => {
    const group = new LocalGroup({ kind: 'tcp' })
    try {
      const { peers } = await group.start([0, 1], 500)
      const listening = peers[1]?.addr as string
      // a port nothing listens on inside the loopback range: refused at once
      const closed = '/ip4/127.0.0.1/tcp/1'
      const result = await group.dial([
        [0, listening],
        [1, closed],
      ])
      expect(result.failed).toBe(1)
      expect(result.firstError).toMatch(/ECONNREFUSED|refused|dial/i)
    } finally {
      await group.stop()
    }
  }, 60_000)
})
