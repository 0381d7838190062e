import { describe, expect, it } from 'vitest'
import {
  configFromEnv,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_TEXT,
  MalformedConfigError,
  parseConfig,
} from '../../src/home/index.js'
import { AUTO_RELAY_RESERVATIONS, isPublicIp, natPlan } from '../../src/network/nat-services.js'

describe('config: the network section', () => {
  it('defaults: relay served when public, reservations auto, relayed jobs off, autonat/upnp/dcutr on', () => {
    const c = parseConfig('{}')
    expect(c.network).toEqual(DEFAULT_CONFIG.network)
    expect(c.network.relay.serve.enabled).toBe('auto')
    expect(c.network.relay.reservations).toBe('auto')
    expect(c.network.relay.jobs.enabled).toBe(false)
    expect([c.network.autonat, c.network.upnp, c.network.dcutr]).toEqual([true, true, true])
    expect(c.network.publicRanges).toEqual([])
    // the commented default file parses to the same section
    expect(parseConfig(DEFAULT_CONFIG_TEXT).network).toEqual(DEFAULT_CONFIG.network)
  })

  it('reads limits, opt-ins and ranges', () => {
    const c = parseConfig(`{ "network": {
      "relay": { "serve": { "enabled": true, "maxDataBytes": 1048576 }, "reservations": 3,
                 "jobs": { "enabled": true, "maxBytes": 1000, "maxDurationMs": 5000 } },
      "upnp": false, "publicRanges": ["198.18.0.0/24", "fd00::/8"] } }`)
    expect(c.network.relay.serve).toMatchObject({
      enabled: true,
      maxDataBytes: 1_048_576,
      maxReservations: 15,
    })
    expect(c.network.relay.reservations).toBe(3)
    expect(c.network.relay.jobs).toEqual({ enabled: true, maxBytes: 1000, maxDurationMs: 5000 })
    expect(c.network.upnp).toBe(false)
    expect(c.network.publicRanges).toEqual(['198.18.0.0/24', 'fd00::/8'])
  })

  it.each([
    ['{ "network": { "relay": { "serve": { "enabled": "yes" } } } }', 'network.relay.serve.enabled'],
    ['{ "network": { "relay": { "jobs": { "maxBytes": 0 } } } }', 'network.relay.jobs.maxBytes'],
    ['{ "network": { "relay": { "reservations": -1 } } }', 'network.relay.reservations'],
    ['{ "network": { "publicRanges": ["198.18.0.0/33"] } }', 'network.publicRanges'],
    ['{ "network": { "autonat": 1 } }', 'network.autonat'],
    ['{ "network": { "relay": [] } }', 'network.relay'],
  ])('rejects %s naming %s', (text, field) => {
    expect(() => parseConfig(text)).toThrow(MalformedConfigError)
    expect(() => parseConfig(text)).toThrow(field)
  })

  it('COCOON_PUBLIC_RANGES overrides the ranges and is validated', () => {
    const env = configFromEnv({ COCOON_PUBLIC_RANGES: '198.18.0.0/24, 10.9.0.0/16' }, DEFAULT_CONFIG)
    expect(env.network.publicRanges).toEqual(['198.18.0.0/24', '10.9.0.0/16'])
    expect(() => configFromEnv({ COCOON_PUBLIC_RANGES: 'not-a-range' }, DEFAULT_CONFIG)).toThrow(
      MalformedConfigError,
    )
  })
})

describe('NAT plan', () => {
  const network = DEFAULT_CONFIG.network
  const withRanges = { ...network, publicRanges: ['198.18.0.0/24'] }

  it('counts public ranges as public, everything else by libp2p ranges', () => {
    expect(isPublicIp('198.18.0.7', [])).toBe(false)
    expect(isPublicIp('198.18.0.7', ['198.18.0.0/24'])).toBe(true)
    expect(isPublicIp('198.18.1.7', ['198.18.0.0/24'])).toBe(false)
    expect(isPublicIp('8.8.8.8', [])).toBe(true)
    expect(isPublicIp('::1', ['198.18.0.0/24'])).toBe(false)
  })

  it('a node with a public address serves relay reservations and reserves none', () => {
    const plan = natPlan(withRanges, ['/ip4/198.18.0.1/tcp/4001'], [])
    expect(plan.serveRelay).toBe(true)
    expect(plan.reservations).toBe(0)
    expect(Object.keys(plan.services).sort()).toEqual(['autonat', 'dcutr', 'relay', 'upnp'])
  })

  it('a node behind NAT reserves slots and serves no relay', () => {
    const plan = natPlan(withRanges, ['/ip4/198.18.1.2/tcp/4001'], [])
    expect(plan.serveRelay).toBe(false)
    expect(plan.reservations).toBe(AUTO_RELAY_RESERVATIONS)
    expect(plan.services.relayReservations).toBeDefined()
    expect(plan.services.relay).toBeUndefined()
  })

  it('a loopback-only node (tests on one host) neither reserves nor maps ports', () => {
    const plan = natPlan(network, ['/ip4/127.0.0.1/tcp/0'], [])
    expect(plan.reservations).toBe(0)
    expect(plan.serveRelay).toBe(false)
    expect(plan.services.upnp).toBeUndefined()
  })

  it('the operator overrides serving, reservations and services', () => {
    const plan = natPlan(
      {
        ...network,
        relay: { ...network.relay, serve: { ...network.relay.serve, enabled: false }, reservations: 1 },
        autonat: false,
        dcutr: false,
        upnp: false,
      },
      ['/ip4/8.8.4.4/tcp/4001'],
      [],
    )
    expect(plan.serveRelay).toBe(false)
    expect(plan.reservations).toBe(1)
    expect(Object.keys(plan.services)).toEqual(['relayReservations'])
  })
})
