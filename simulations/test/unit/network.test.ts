import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/engine/prng.js'
import {
  meanSession,
  onlineFraction,
  type SessionDistribution,
  sessionLength,
} from '../../src/network/churn.js'
import { type LatencyModel, oneWay, reliableRoundTrip, transferMs } from '../../src/network/latency.js'
import { assignRelays, pathBandwidth, pathOneWay, reachable } from '../../src/network/nat.js'
import { createPeerTable } from '../../src/network/peers.js'

const matrix = [
  [10, 100],
  [100, 10],
]

describe('latency matrix and jitter', () => {
  it('uses the base latency of the region pair exactly when there is no jitter', () => {
    const model: LatencyModel = { matrix, jitter: 0, loss: 0 }
    const rng = new Rng(1)
    expect(oneWay(model, rng, 0, 1)).toBe(100)
    expect(oneWay(model, rng, 1, 1)).toBe(10)
  })

  it('adds jitter that is never negative and has the configured mean', () => {
    const model: LatencyModel = { matrix, jitter: 0.2, loss: 0 }
    const rng = new Rng(2)
    let sum = 0
    const n = 50_000
    for (let i = 0; i < n; i++) {
      const d = oneWay(model, rng, 0, 1)
      expect(d).toBeGreaterThanOrEqual(100)
      sum += d
    }
    expect(sum / n).toBeGreaterThan(119)
    expect(sum / n).toBeLessThan(121)
  })
})

describe('loss', () => {
  it('retransmits about loss/(1-loss) times per message and costs at least the RTO each time', () => {
    const model: LatencyModel = { matrix, jitter: 0, loss: 0.2 }
    const rng = new Rng(3)
    let retransmits = 0
    const n = 20_000
    for (let i = 0; i < n; i++) {
      const r = reliableRoundTrip(model, rng, 0, 0, 300)
      expect(r.ms).toBe(20 + r.retransmits * 300)
      retransmits += r.retransmits
    }
    expect(retransmits / n).toBeGreaterThan(0.23)
    expect(retransmits / n).toBeLessThan(0.27)
    const lossless = reliableRoundTrip({ matrix, jitter: 0, loss: 0 }, rng, 0, 1, 300)
    expect(lossless).toEqual({ ms: 200, retransmits: 0 })
  })
})

describe('bandwidth', () => {
  it('streams bytes at the link rate', () => {
    expect(transferMs(1_250_000, 10)).toBe(1000) // 10 Mbit in 1 s
    expect(transferMs(0, 10)).toBe(0)
    expect(transferMs(1, 0)).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('NAT and relays', () => {
  const setup = () => {
    const rng = new Rng(4)
    const peers = createPeerTable(
      { count: 200, regionWeights: [1, 1], natFraction: 0.5, bandwidthMedianMbps: 100, bandwidthSigma: 0 },
      rng,
    )
    const relays = assignRelays(peers, 4, rng)
    return { peers, relays, rng }
  }

  it('reaches a NATed peer only through its relay, paying both legs and the relay bandwidth cap', () => {
    const { peers, relays, rng } = setup()
    expect(relays.length).toBe(4)
    const natted = [...peers.nat.keys()].find((i) => peers.nat[i] === 1) as number
    const publicPeer = [...peers.nat.keys()].find(
      (i) => peers.nat[i] === 0 && peers.relayOf[i] === -1,
    ) as number
    const relay = peers.relayOf[natted] as number
    expect(relay).toBeGreaterThanOrEqual(0)
    expect(peers.nat[relay]).toBe(0)
    const model: LatencyModel = { matrix, jitter: 0, loss: 0 }
    const direct = matrix[peers.region[publicPeer] as number]?.[peers.region[natted] as number] as number
    const viaRelay =
      (matrix[peers.region[publicPeer] as number]?.[peers.region[relay] as number] as number) +
      (matrix[peers.region[relay] as number]?.[peers.region[natted] as number] as number)
    expect(pathOneWay(model, peers, rng, publicPeer, natted)).toBe(viaRelay)
    expect(viaRelay).toBeGreaterThanOrEqual(direct)
    expect(pathBandwidth(peers, publicPeer, natted, 5)).toBe(5)
    expect(reachable(peers, natted)).toBe(true)
    peers.online[relay] = 0
    expect(reachable(peers, natted)).toBe(false)
    expect(reachable(peers, publicPeer)).toBe(true)
  })
})

describe('churn', () => {
  const dists: SessionDistribution[] = [
    { type: 'exponential', meanMs: 1000 },
    { type: 'lognormal', medianMs: 1000, sigma: 0.5 },
    { type: 'weibull', scaleMs: 1000, shape: 0.8 },
    { type: 'pareto', minMs: 500, alpha: 3 },
  ]
  for (const dist of dists) {
    it(`draws ${dist.type} session lengths with the analytic mean`, () => {
      const rng = new Rng(5)
      let sum = 0
      const n = 100_000
      for (let i = 0; i < n; i++) sum += sessionLength(dist, rng)
      const expected = meanSession(dist)
      expect(Math.abs(sum / n - expected) / expected).toBeLessThan(0.05)
    })
  }

  it('gives the steady-state online fraction', () => {
    expect(onlineFraction({ type: 'exponential', meanMs: 3000 }, 1000)).toBe(0.75)
  })
})
