import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { FULL_PEER_MAX_CONNECTIONS, orderBookGossipOptions } from '@cocoon-mesh/client/internal'
import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/engine/prng.js'
import { type GossipParameters, propagate } from '../../src/models/gossipsub.js'
import {
  buildDht,
  closestInTable,
  type Dht,
  type DhtView,
  lookup,
  routingTable,
} from '../../src/models/kademlia.js'
import { buildOverlay, meshPeers } from '../../src/models/overlay.js'
import type { LatencyModel } from '../../src/network/latency.js'
import { createPeerTable, type PeerTable } from '../../src/network/peers.js'
import { parseScenario } from '../../src/scenario/load.js'
import { GOSSIPSUB_DEFAULTS } from '../../src/scenario/schema.js'

const latency: LatencyModel = { matrix: [[20]], jitter: 0, loss: 0 }
const gossip: GossipParameters = { ...GOSSIPSUB_DEFAULTS, connections: 16, floodPeers: 0 }

function peers(count: number, seed = 1) {
  return createPeerTable(
    { count, regionWeights: [1], natFraction: 0, bandwidthMedianMbps: 100, bandwidthSigma: 0 },
    new Rng(seed),
  )
}

describe('gossipsub model', () => {
  it("defaults to the installed gossipsub's mesh band, lazy gossip and heartbeat", async () => {
    const file = join(import.meta.dirname, '../../../node_modules/@libp2p/gossipsub/dist/src/constants.js')
    const c = (await import(pathToFileURL(file).href)) as Record<string, number>
    const { gossip: g } = parseScenario({ name: 'x', peers: { count: 10 }, jobs: { total: 1 } })
    expect([g.D, g.Dlo, g.Dhi, g.Dout, g.Dlazy, g.gossipFactor, g.heartbeatMs, g.historyGossip]).toEqual([
      c.GossipsubD,
      c.GossipsubDlo,
      c.GossipsubDhi,
      c.GossipsubDout,
      c.GossipsubDlazy,
      c.GossipsubGossipFactor,
      c.GossipsubHeartbeatInterval,
      c.GossipsubHistoryGossip,
    ])
  })

  it('reaches every online peer through the mesh, in multiples of the link latency', () => {
    const p = peers(2000)
    const overlay = buildOverlay(p.count, gossip, new Rng(2))
    const prop = propagate(overlay, p, latency, gossip, new Rng(3), 0)
    for (const t of prop.arrival) {
      expect(Number.isFinite(t)).toBe(true)
      expect(t % 20).toBe(0)
    }
    expect(Math.max(...prop.arrival)).toBeLessThanOrEqual(20 * 10)
    expect(prop.pulled).toBe(0) // without loss every peer gets it by eager push first
  })

  it('floods its own message to its connections and others, floodPeers in all, at one hop; only the origin floods', () => {
    const p = peers(2000)
    const overlay = buildOverlay(p.count, gossip, new Rng(2))
    const oneHop = (prop: { hops: Uint16Array }) => prop.hops.filter((h) => h === 1).length
    const meshOnly = propagate(overlay, p, latency, gossip, new Rng(3), 0)
    const flooded = propagate(overlay, p, latency, { ...gossip, floodPeers: 100 }, new Rng(3), 0)
    expect(oneHop(meshOnly)).toBe(meshPeers(overlay, 0).length)
    expect(oneHop(flooded)).toBe(100)
    expect(Math.max(...flooded.arrival)).toBeLessThan(Math.max(...meshOnly.arrival))
  })

  it('floods as a Cocoon full peer does: gossipsub floodPublish on, to its connection limit', () => {
    expect(orderBookGossipOptions().floodPublish).toBe(true)
    const { gossip: defaults } = parseScenario({ name: 'x', peers: { count: 10 }, jobs: { total: 1 } })
    expect(defaults.floodPeers).toBe(FULL_PEER_MAX_CONNECTIONS)
  })

  it('delivers by eager push almost alone when link delays are not whole milliseconds (jitter)', () => {
    const p = peers(2000)
    const jittery: LatencyModel = { matrix: [[20.3]], jitter: 0.3, loss: 0 }
    const overlay = buildOverlay(p.count, gossip, new Rng(2))
    const prop = propagate(overlay, p, jittery, gossip, new Rng(3), 0)
    // a pull wins only where a holder's heartbeat comes early and the push has hops to go
    expect(prop.pulled).toBeLessThan(p.count / 100)
    const pushOnly = propagate(overlay, p, jittery, { ...gossip, Dlazy: 0 }, new Rng(3), 0)
    expect(pushOnly.arrival.every((t) => Number.isFinite(t))).toBe(true)
  })

  it('recovers lost copies through IHAVE/IWANT at heartbeats', () => {
    const p = peers(2000)
    const lossy: LatencyModel = { ...latency, loss: 0.6 }
    const overlay = buildOverlay(p.count, gossip, new Rng(2))
    const withGossip = propagate(overlay, p, lossy, gossip, new Rng(3), 0)
    const without = propagate(overlay, p, lossy, { ...gossip, Dlazy: 0 }, new Rng(3), 0)
    const reached = (a: Float32Array) => a.filter((t) => Number.isFinite(t)).length
    expect(withGossip.pulled).toBeGreaterThan(0)
    expect(reached(withGossip.arrival)).toBeGreaterThan(reached(without.arrival))
  })

  it('pulls only from connected peers: IHAVE goes to connections outside the mesh, none where all are meshed', () => {
    const p = peers(2000)
    const lossy: LatencyModel = { ...latency, loss: 0.6 }
    // every connection meshed (connections well inside the band): nobody is left to send IHAVE to
    const band = { ...gossip, connections: 6, D: 24, Dlo: 24, Dhi: 32, Dout: 2 }
    const allMeshed = buildOverlay(p.count, band, new Rng(2))
    expect(allMeshed.meshed.every((m) => m === 1)).toBe(true)
    expect(propagate(allMeshed, p, lossy, band, new Rng(3), 0).pulled).toBe(0)
  })

  it('does not relay a message the validators reject', () => {
    const p = peers(500)
    const overlay = buildOverlay(p.count, gossip, new Rng(2))
    const prop = propagate(overlay, p, latency, gossip, new Rng(3), 0, { valid: false })
    const reached = prop.arrival.filter((t) => Number.isFinite(t)).length
    expect(reached).toBeLessThanOrEqual(meshPeers(overlay, 0).length + 1)
  })

  it('skips offline peers', () => {
    const p = peers(500)
    p.online[7] = 0
    const overlay = buildOverlay(p.count, gossip, new Rng(2))
    expect(propagate(overlay, p, latency, gossip, new Rng(3), 0).arrival[7]).toBe(Number.POSITIVE_INFINITY)
  })

  it('spreads faster with a larger mesh band', () => {
    const p = peers(5000)
    const median = (band: Pick<GossipParameters, 'D' | 'Dlo' | 'Dhi' | 'Dout'>) => {
      const params = { ...gossip, connections: 32, ...band }
      const prop = propagate(buildOverlay(p.count, params, new Rng(2)), p, latency, params, new Rng(3), 0)
      const s = [...prop.arrival].sort((a, b) => a - b)
      return s[s.length >> 1] as number
    }
    expect(median({ D: 12, Dlo: 10, Dhi: 16, Dout: 2 })).toBeLessThan(
      median({ D: 4, Dlo: 3, Dhi: 6, Dout: 1 }),
    )
  })
})

/** kad-dht 16's defaults: K, ALPHA and disjointPaths = K. */
const KAD = { k: 20, alpha: 10, disjointPaths: 20, timeoutMs: 1000, refreshMs: 300_000 }
const at = (dht: Dht, p: PeerTable, now = 0): DhtView => ({ dht, peers: p, now })

describe('Kademlia model', () => {
  it("defaults to the installed kad-dht's K, ALPHA and disjoint paths", async () => {
    const file = join(import.meta.dirname, '../../../node_modules/@libp2p/kad-dht/dist/src/constants.js')
    const constants = (await import(pathToFileURL(file).href)) as {
      K: number
      ALPHA: number
      TABLE_REFRESH_INTERVAL: number
    }
    const { dht } = parseScenario({ name: 'x', peers: { count: 10 }, jobs: { total: 1 } })
    expect([dht.k, dht.alpha, dht.disjointPaths, dht.refreshMs]).toEqual([
      constants.K,
      constants.ALPHA,
      constants.K,
      constants.TABLE_REFRESH_INTERVAL,
    ])
  })

  it("reads a table's closest entries from the buckets that can hold them, as a sort of the whole table would", () => {
    const p = peers(5000, 4)
    const dht = buildDht(p, new Rng(5), { ...KAD, k: 8 })
    const rng = new Rng(9)
    for (let n = 0; n < 200; n++) {
      const self = rng.int(p.count)
      const target = n === 0 ? (dht.keyOfPeer[self] as number) : rng.nextU32()
      // one entry, a bucket's worth, and more than a bucket holds
      const count = [1, 8, 30][n % 3] as number
      const whole = routingTable(at(dht, p), self)
        .map((i) => [i, ((dht.keys[i] as number) ^ target) >>> 0] as const)
        .sort((a, b) => a[1] - b[1] || a[0] - b[0])
        .slice(0, count)
        .map(([i]) => i)
      expect(closestInTable(at(dht, p), self, target, count)).toEqual(whole)
    }
  })

  it('queries each peer at most once, however many paths and answers name it', () => {
    const p = peers(5000, 4)
    const dht = buildDht(p, new Rng(5), KAD)
    const rng = new Rng(6)
    for (let i = 0; i < 20; i++) {
      const r = lookup(at(dht, p), latency, rng, rng.int(p.count), rng.nextU32())
      expect(r.queries).toBeLessThanOrEqual(dht.keys.length)
      expect(r.found).toBe(true)
      expect(r.rounds).toBeGreaterThanOrEqual(r.hops)
    }
  })

  it('finishes faster with more queries in flight (no round barrier)', () => {
    const p = peers(20_000, 4)
    const time = (alpha: number) => {
      const dht = buildDht(p, new Rng(5), { ...KAD, alpha, disjointPaths: 1 })
      const rng = new Rng(6)
      let sum = 0
      for (let i = 0; i < 50; i++) sum += lookup(at(dht, p), latency, rng, rng.int(p.count), rng.nextU32()).ms
      return sum / 50
    }
    expect(time(10)).toBeLessThan(time(1))
  })

  it('finds the closest server with few hops, more with more servers', () => {
    const hops = (count: number) => {
      const p = peers(count, 4)
      const dht = buildDht(p, new Rng(5), KAD)
      const rng = new Rng(6)
      let sum = 0
      for (let i = 0; i < 100; i++) {
        const r = lookup(at(dht, p), latency, rng, rng.int(count), rng.nextU32())
        expect(r.found).toBe(true)
        expect(r.timeouts).toBe(0)
        sum += r.hops
      }
      return sum / 100
    }
    const small = hops(200)
    const large = hops(20_000)
    expect(small).toBeGreaterThanOrEqual(1)
    expect(large).toBeGreaterThan(small)
  })

  it('keeps at most k peers per bucket and never itself', () => {
    const p = peers(5000, 4)
    const dht = buildDht(p, new Rng(5), { ...KAD, k: 8 })
    const table = routingTable(at(dht, p), 0)
    expect(table.length).toBeLessThanOrEqual(8 * 32)
    expect(table.map((i) => dht.peerOf[i])).not.toContain(0)
  })

  it('pays timeouts for offline contacts', () => {
    const p = peers(3000, 4)
    const dht = buildDht(p, new Rng(5), KAD)
    for (let i = 0; i < p.count; i++) if (i % 3 === 0) p.online[i] = 0
    const rng = new Rng(6)
    let timeouts = 0
    for (let i = 0; i < 50; i++) timeouts += lookup(at(dht, p), latency, rng, 1, rng.nextU32()).timeouts
    expect(timeouts).toBeGreaterThan(0)
  })

  it('evicts from full buckets the contacts that were offline at the last refresh, and so pays fewer timeouts', () => {
    const p = peers(3000, 4)
    const now = 600_000
    for (let i = 0; i < p.count; i++) if (i % 3 === 0) p.online[i] = 0 // offline since t = 0
    const timeouts = (refreshMs: number) => {
      const dht = buildDht(p, new Rng(5), { ...KAD, refreshMs })
      const rng = new Rng(6)
      let sum = 0
      for (let i = 0; i < 50; i++) sum += lookup(at(dht, p, now), latency, rng, 1, rng.nextU32()).timeouts
      return sum
    }
    expect(timeouts(0)).toBeGreaterThan(0)
    expect(timeouts(300_000)).toBeLessThan(timeouts(0) / 2)
    // a full bucket (the farthest, half of all servers) then holds no contact that was offline
    const dht = buildDht(p, new Rng(5), { ...KAD, k: 8 })
    const far = routingTable(at(dht, p, now), 1).slice(0, 8)
    expect(far).toHaveLength(8)
    for (const i of far) expect(p.online[dht.peerOf[i] as number]).toBe(1)
  })

  it('keeps a contact that went offline after the last refresh: it is stale until the next one', () => {
    const p = peers(3000, 4)
    const dht = buildDht(p, new Rng(5), { ...KAD, k: 8 })
    const now = 450_000
    const before = [1, 2, 3, 4, 5].map((self) => routingTable(at(dht, p, now), self))
    for (let i = 0; i < p.count; i++) {
      if (i % 3 !== 0) continue
      p.online[i] = 0
      p.since[i] = now
    }
    expect([1, 2, 3, 4, 5].map((self) => routingTable(at(dht, p, now), self))).toEqual(before)
    // by the next refresh of each they are gone from its full buckets
    const later = routingTable(at(dht, p, now + 300_000), 1).slice(0, 8)
    for (const i of later) expect(p.online[dht.peerOf[i] as number]).toBe(1)
  })

  it('counts only public peers as DHT servers', () => {
    const p = createPeerTable(
      { count: 1000, regionWeights: [1], natFraction: 0.5, bandwidthMedianMbps: 1, bandwidthSigma: 0 },
      new Rng(1),
    )
    const dht = buildDht(p, new Rng(2), KAD)
    expect(dht.peerOf.length).toBeGreaterThan(0)
    for (const peer of dht.peerOf) expect(p.nat[peer]).toBe(0)
  })
})
