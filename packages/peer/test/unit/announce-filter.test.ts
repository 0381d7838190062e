import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { MalformedConfigError, parseConfig } from '../../src/home/index.js'
import { announceFilter } from '../../src/network/announce-filter.js'
import { dhtMode, onPublicMesh } from '../../src/network/nat-services.js'

const RELAY = '/ip4/198.18.0.1/tcp/4001/p2p/12D3KooWA7k23Pn9L2gDbfx1Sp7RtChNbmmRpfwBGqux1LzMo8zc/p2p-circuit'
const addrs = [
  '/ip4/127.0.0.1/tcp/4001',
  '/ip4/192.168.1.2/tcp/4001',
  '/ip4/198.18.0.9/tcp/4001',
  '/ip4/11.0.0.2/tcp/4001',
  '/dns4/gpu.example.org/tcp/4001',
  RELAY,
].map((a) => multiaddr(a))
const texts = (list: ReturnType<typeof multiaddr>[]): string[] => list.map((a) => a.toString())
const ranges = ['198.18.0.0/24']

describe('which addresses a node announces', () => {
  it('auto on the public mesh: public, inside publicRanges, DNS and relay addresses, no LAN or loopback', () => {
    const filter = announceFilter({ announcePrivate: 'auto', publicRanges: ranges }, true)
    expect(texts(filter(addrs))).toEqual([
      '/ip4/198.18.0.9/tcp/4001',
      '/ip4/11.0.0.2/tcp/4001',
      '/dns4/gpu.example.org/tcp/4001',
      RELAY,
    ])
  })

  it('auto on a LAN or one-host mesh: every address, they are the only way in', () => {
    const filter = announceFilter({ announcePrivate: 'auto', publicRanges: [] }, false)
    expect(texts(filter(addrs))).toEqual(texts(addrs))
  })

  it('true and false override auto either way', () => {
    expect(filter(true, true)).toHaveLength(addrs.length)
    expect(texts(filter(false, false))).not.toContain('/ip4/192.168.1.2/tcp/4001')
    expect(texts(filter(false, false))).toContain(RELAY)
    function filter(announcePrivate: boolean, publicMesh: boolean) {
      return announceFilter({ announcePrivate, publicRanges: [] }, publicMesh)(addrs)
    }
  })

  it('a node is on the public mesh when it or one of its bootstrap peers has a public address', () => {
    const boot = (ip: string) =>
      `/ip4/${ip}/tcp/4001/p2p/12D3KooWA7k23Pn9L2gDbfx1Sp7RtChNbmmRpfwBGqux1LzMo8zc`
    expect(onPublicMesh(true, [], [])).toBe(true)
    expect(onPublicMesh(false, [boot('127.0.0.1')], [])).toBe(false)
    expect(onPublicMesh(false, [boot('192.168.1.10')], [])).toBe(false)
    expect(onPublicMesh(false, [boot('198.18.0.1')], [])).toBe(false)
    expect(onPublicMesh(false, [boot('198.18.0.1')], ranges)).toBe(true)
    expect(onPublicMesh(false, [boot('8.8.8.8')], [])).toBe(true)
    expect(onPublicMesh(false, ['not a multiaddr'], [])).toBe(false)
  })

  it('a NATed node of the public mesh serves the DHT only once it has a public address; the others serve', () => {
    expect(dhtMode({ reservations: 2 }, true)).toBe('auto')
    expect(dhtMode({ reservations: 0 }, true)).toBe('server')
    // a LAN mesh keeps its DHT servers, or it would have none
    expect(dhtMode({ reservations: 2 }, false)).toBe('server')
  })

  it('network.announcePrivate takes "auto", true or false, and names the field otherwise', () => {
    expect(parseConfig('{}').network.announcePrivate).toBe('auto')
    expect(parseConfig('{"network":{"announcePrivate":true}}').network.announcePrivate).toBe(true)
    expect(() => parseConfig('{"network":{"announcePrivate":"yes"}}')).toThrow(MalformedConfigError)
    expect(() => parseConfig('{"network":{"announcePrivate":"yes"}}')).toThrow(/network\.announcePrivate/)
  })
})
