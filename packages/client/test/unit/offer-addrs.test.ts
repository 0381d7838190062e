import { MAX_OFFER_ADDRS } from '@cocoon-mesh/protocol'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { offerAddrs } from '../../src/services/offer-publisher.js'

const ID = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

describe('offerAddrs (the addresses signed into an offer)', () => {
  it('keeps bound addresses without /p2p, drops wildcards and duplicates, caps the count', () => {
    const addrs = offerAddrs([
      multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${ID}`),
      multiaddr('/ip4/0.0.0.0/tcp/4001'),
      multiaddr('/ip6/::/tcp/4001'),
      multiaddr('/ip4/127.0.0.1/tcp/4001'),
      multiaddr('/ip4/203.0.113.5/tcp/4001'),
    ])
    expect(addrs.map((a) => multiaddr(a).toString())).toEqual([
      '/ip4/127.0.0.1/tcp/4001',
      '/ip4/203.0.113.5/tcp/4001',
    ])
    const many = Array.from({ length: 20 }, (_, i) => multiaddr(`/ip4/10.0.0.${i}/tcp/1`))
    expect(offerAddrs(many)).toHaveLength(MAX_OFFER_ADDRS)
  })
})
