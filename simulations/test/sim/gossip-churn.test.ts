/**
 * Gossip spread follows the network as it changes: with the mesh rebuilt
 * over the online peers every `gossip.refreshMs`, churn changes the spread;
 * computed once (`refreshMs: 0`) it cannot, which is how it used to be.
 */
import { describe, expect, it } from 'vitest'
import { runScenario } from '../../src/sim/run.js'
import { small } from './helpers.js'

const CHURN = {
  fraction: 0.5,
  session: { type: 'weibull', scaleMs: 60_000, shape: 0.7 },
  offlineMeanMs: 30_000,
}
const spread = async (churn: boolean, refreshMs: number) => {
  const scenario = small({
    peers: { count: 600, providerFraction: 0.1 },
    jobs: { total: 300, rankRefreshMs: 500 },
    // the mesh alone, where churn acts: a flood reaches its targets straight from the origin
    gossip: { samples: 4, observers: 3, refreshMs, floodPeers: 0 },
    ...(churn ? { churn: CHURN } : {}),
  })
  return (await runScenario(scenario)).summary.offerPropagation
}

describe('gossip spread under churn', () => {
  it('computed once, churn leaves the spread as it was at the start', async () => {
    const [still, churned] = [await spread(false, 0), await spread(true, 0)]
    expect(churned.p50Ms).toBe(still.p50Ms)
    expect(churned.p99Ms).toBe(still.p99Ms)
  })

  it('with the mesh rebuilt as peers come and go, churn changes the spread', async () => {
    const [still, churned] = [await spread(false, 10_000), await spread(true, 10_000)]
    // peers that joined since the last rebuild have no mesh links yet: they get offers by IHAVE/IWANT
    expect(churned.p99Ms).toBeGreaterThan(still.p99Ms)
    expect(churned.p50Ms).not.toBe(still.p50Ms)
  })
})
