import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/engine/prng.js'
import { buildOverlay, meshPeers, type Overlay, type OverlayParameters } from '../../src/models/overlay.js'
import { GOSSIPSUB_DEFAULTS } from '../../src/scenario/schema.js'

const params: OverlayParameters = { ...GOSSIPSUB_DEFAULTS, connections: 20 }

const degree = (o: Overlay, u: number) => (o.offsets[u + 1] as number) - (o.offsets[u] as number)
const entries = (o: Overlay, u: number) =>
  Array.from({ length: degree(o, u) }, (_, k) => (o.offsets[u] as number) + k)

describe('overlay: connections and the mesh gossipsub keeps over them', () => {
  it('connects each peer to about `connections` others, half of them dialled, once per pair', () => {
    const n = 3000
    const o = buildOverlay(n, params, new Rng(1))
    expect(o.edges.length / n).toBeGreaterThan(params.connections - 1)
    expect(o.edges.length / n).toBeLessThanOrEqual(params.connections)
    for (let u = 0; u < n; u++) {
      const list = [...o.edges.subarray(o.offsets[u] as number, o.offsets[u + 1] as number)]
      expect(list).toEqual([...new Set(list)].sort((a, b) => a - b))
      expect(list).not.toContain(u)
    }
    const dialled = o.outbound.reduce((a, b) => a + b, 0)
    expect(dialled).toBeGreaterThanOrEqual((n * params.connections) / 2)
  })

  it('keeps every mesh inside the band: at least Dlo (or every connection), at most Dhi, the same at both ends', () => {
    const n = 3000
    const o = buildOverlay(n, params, new Rng(2))
    for (let u = 0; u < n; u++) {
      const mesh = meshPeers(o, u)
      expect(mesh.length).toBeGreaterThanOrEqual(Math.min(params.Dlo, degree(o, u)))
      expect(mesh.length).toBeLessThanOrEqual(params.Dhi)
      for (const v of mesh) expect(meshPeers(o, v)).toContain(u)
    }
  })

  it('grows a mesh smaller than the connections, between Dlo and Dhi on average, holding Dout dialled links', () => {
    const n = 3000
    const o = buildOverlay(n, params, new Rng(3))
    const sizes = Array.from({ length: n }, (_, u) => meshPeers(o, u).length)
    const mean = sizes.reduce((a, b) => a + b, 0) / n
    expect(mean).toBeGreaterThan(params.Dlo)
    expect(mean).toBeLessThan(params.Dhi)
    const holding = Array.from({ length: n }, (_, u) =>
      entries(o, u).filter((e) => o.meshed[e] === 1 && o.outbound[e] === 1),
    ).filter((dialled) => dialled.length >= params.Dout).length
    expect(holding / n).toBeGreaterThan(0.95)
  })

  it('with few connections, meshes them all, as a real peer below Dlo grafts every subscriber', () => {
    const o = buildOverlay(2000, { ...params, connections: 4 }, new Rng(4))
    const belowDlo = Array.from({ length: 2000 }, (_, u) => u).filter((u) => degree(o, u) <= params.Dlo)
    expect(belowDlo.length).toBeGreaterThan(100)
    for (const u of belowDlo) expect(meshPeers(o, u).length).toBe(degree(o, u))
  })

  it('leaves offline peers out, and is the same for the same seed', () => {
    const n = 1000
    const online = new Uint8Array(n).fill(1)
    for (let u = 0; u < n; u += 3) online[u] = 0
    const o = buildOverlay(n, params, new Rng(5), online)
    for (let u = 0; u < n; u++) {
      if (online[u] === 0) expect(degree(o, u)).toBe(0)
      for (const e of entries(o, u)) expect(online[o.edges[e] as number]).toBe(1)
    }
    const again = buildOverlay(n, params, new Rng(5), online)
    expect(again.edges).toEqual(o.edges)
    expect(again.meshed).toEqual(o.meshed)
  })
})
