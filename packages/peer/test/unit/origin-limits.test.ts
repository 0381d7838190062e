import {
  buildOffer,
  liveUntil,
  OfferBook,
  originGroup,
  providerKey,
  signatureVerifier,
  subnetOf,
  validateOrderBookMessage,
} from '@cocoon-mesh/client/internal'
import { encodeOrderBookMessage, MAX_OFFER_TTL_MS, peerIdBytes, signOffer } from '@cocoon-mesh/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { clock, offer, prices, providerBytes, relay, T0 } from '../../../client/test/fixtures/origin.js'
import { MalformedConfigError, parseConfig } from '../../src/home/index.js'

describe('origin attribution', () => {
  it('groups IPv4 by /24 and IPv6 by /48, IPv4-mapped addresses as IPv4', () => {
    expect(subnetOf('203.0.113.77')).toBe('203.0.113.0/24')
    expect(subnetOf('::ffff:203.0.113.77')).toBe('203.0.113.0/24')
    expect(subnetOf('2001:db8:1:2::5')).toBe(subnetOf('2001:db8:1:ffff::9'))
    expect(subnetOf('2001:db8:1:2::5')).not.toBe(subnetOf('2001:db8:2::5'))
    expect(subnetOf('not-an-ip')).toBeUndefined()
  })

  it('attributes an offer to its provider when handed over by it, else to the relay that did', () => {
    const provider = providerKey(providerBytes(1))
    expect(originGroup({ peer: provider, ip: '198.51.100.4' }, provider, 'subnet')).toBe(
      'direct:198.51.100.0/24',
    )
    expect(originGroup({ peer: 'R', ip: '198.51.100.9' }, provider, 'subnet')).toBe('via:198.51.100.0/24')
    // on one host (127.0.0.1) every peer shares a subnet: `peer` grouping tells them apart
    expect(originGroup({ peer: 'R', ip: '127.0.0.1' }, provider, 'peer')).toBe('via:R')
    expect(originGroup({ peer: 'R' }, provider, 'subnet')).toBe('via:R')
  })
})

describe('origin limits of the book', () => {
  it('limits each provider identity to its own message rate', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now, origin: { perProvider: { perMinute: 12, burst: 3 } } })
    const alice = providerBytes(1)
    const from = relay('198.51.100.1')
    expect([1n, 2n, 3n].map((s) => book.add(offer(alice, c.now(), s), from))).toEqual([
      'added',
      'replaced',
      'replaced',
    ])
    expect(book.check(offer(alice, c.now(), 4n), from)).toBe('provider-rate-limited')
    // another relay cannot help the same identity past its own limit
    expect(book.check(offer(alice, c.now(), 4n), relay('192.0.2.1'))).toBe('provider-rate-limited')
    c.advance(5000)
    expect(book.add(offer(alice, c.now(), 4n), from)).toBe('replaced')
  })

  it('caps the new identities each source subnet introduces per minute, subnet by subnet', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now, origin: { newPerSource: { perMinute: 6, burst: 4 } } })
    const outcomes = Array.from({ length: 6 }, (_, i) =>
      book.add(offer(providerBytes(i), c.now(), 1n), relay(`198.51.100.${i + 1}`)),
    )
    // six relays in one /24 are one source
    expect(outcomes).toEqual([
      'added',
      'added',
      'added',
      'added',
      'source-rate-limited',
      'source-rate-limited',
    ])
    expect(book.add(offer(providerBytes(100), c.now(), 1n), relay('192.0.2.1'))).toBe('added')
    // known identities are not new: they replace freely within their own limit
    expect(book.add(offer(providerBytes(0), c.now(), 2n), relay('198.51.100.1'))).toBe('replaced')
    c.advance(10_000)
    expect(book.add(offer(providerBytes(6), c.now(), 1n), relay('198.51.100.1'))).toBe('added')
  })

  it('a relay that is first with an honest offer cannot keep it in its group: the provider itself moves it', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now })
    const bytes = providerBytes(7)
    const id = providerKey(bytes)
    book.add(offer(bytes, c.now(), 1n), relay('10.0.0.1', 'attacker'))
    expect(book.get(id)?.source).toBe('via:10.0.0.0/24')
    expect(book.established(id)).toBe(false)
    book.add(offer(bytes, c.now(), 2n), { peer: id, ip: '203.0.113.5' })
    expect(book.get(id)?.source).toBe('direct:203.0.113.0/24')
    // seen from two sources: established, never evicted for a newcomer
    expect(book.established(id)).toBe(true)
  })

  it("this peer's own offers bypass the origin limits", () => {
    const c = clock()
    const book = new OfferBook({ now: c.now, origin: { perProvider: { perMinute: 1, burst: 1 } } })
    const own = providerBytes(1)
    for (let s = 1n; s <= 5n; s++) expect(book.add(offer(own, c.now(), s))).not.toBe('provider-rate-limited')
  })

  it('never keeps an offer past MAX_OFFER_TTL_MS after its issue', () => {
    const c = clock()
    const book = new OfferBook({ now: c.now })
    const long = { ...offer(providerBytes(1), c.now(), 1n), expiresAt: BigInt(c.now() + 3_600_000) }
    expect(liveUntil(long)).toBe(c.now() + MAX_OFFER_TTL_MS)
    book.add(long)
    c.advance(MAX_OFFER_TTL_MS)
    expect(book.size).toBe(1)
    expect(book.offers('m')).toEqual([])
  })
})

describe('IGNORE vs REJECT: relays are not blamed for floods they could not measure', () => {
  const now = (): number => T0

  async function signed(
    key: Awaited<ReturnType<typeof generateKeyPair>>,
    sequence = 1n,
  ): Promise<Uint8Array> {
    const o = await signOffer(
      buildOffer({ models: ['m'], prices }, { provider: peerIdBytes(key), now: T0, ttlMs: 60_000, sequence }),
      key,
    )
    return encodeOrderBookMessage({ offer: o })
  }

  it('a valid offer over an origin limit is IGNOREd without blame and costs the relay no budget', async () => {
    const book = new OfferBook({ now, origin: { newPerSource: { perMinute: 1, burst: 2 } } })
    const source = relay('198.51.100.1')
    let taken = 0
    const budget = (): boolean => ++taken <= 100
    const verdicts = []
    for (let i = 0; i < 5; i++) {
      const result = await validateOrderBookMessage({
        data: await signed(await generateKeyPair('Ed25519')),
        topicModel: 'm',
        book,
        now,
        verifier: signatureVerifier,
        source,
        forwarderBudget: budget,
      })
      if (result.verdict === 'accept' && result.message?.offer !== undefined)
        book.add(result.message.offer, source)
      verdicts.push(`${result.verdict}:${result.reason}:${result.senderAtFault}`)
    }
    expect(verdicts).toEqual([
      'accept:added:false',
      'accept:added:false',
      'ignore:source-rate-limited:false',
      'ignore:source-rate-limited:false',
      'ignore:source-rate-limited:false',
    ])
    expect(taken).toBe(2)
  })

  it('stale copies and cancelled sequences cost the forwarder no budget; expired ones do', async () => {
    const book = new OfferBook({ now })
    const key = await generateKeyPair('Ed25519')
    const source = relay('198.51.100.1')
    let taken = 0
    const run = async (data: Uint8Array) =>
      validateOrderBookMessage({
        data,
        book,
        now,
        verifier: signatureVerifier,
        source,
        forwarderBudget: () => ++taken > 0,
      })
    const fresh = await run(await signed(key, 3n))
    if (fresh.message?.offer !== undefined) book.add(fresh.message.offer, source)
    expect(taken).toBe(1)
    expect(await run(await signed(key, 3n))).toMatchObject({
      verdict: 'ignore',
      reason: 'stale',
      senderAtFault: false,
    })
    expect(taken).toBe(1)
    const old = await signOffer(
      buildOffer(
        { models: ['m'], prices },
        { provider: peerIdBytes(key), now: T0 - 3_600_000, ttlMs: 60_000, sequence: 9n },
      ),
      key,
    )
    expect(await run(encodeOrderBookMessage({ offer: old }))).toMatchObject({
      verdict: 'ignore',
      reason: 'expired',
    })
    expect(taken).toBe(2)
  })

  it('forged offers are REJECTed with blame and do not spend the honest provider budget', async () => {
    const key = await generateKeyPair('Ed25519')
    const provider = providerKey(peerIdBytes(key))
    const book = new OfferBook({ now, origin: { perProvider: { perMinute: 1, burst: 1 } } })
    const honest = await signOffer(
      buildOffer(
        { models: ['m'], prices },
        { provider: peerIdBytes(key), now: T0, ttlMs: 60_000, sequence: 5n },
      ),
      key,
    )
    const source = relay('192.0.2.1', 'attacker')
    for (let s = 1n; s <= 3n; s++) {
      const forged = encodeOrderBookMessage({ offer: { ...honest, sequence: s } })
      const result = await validateOrderBookMessage({
        data: forged,
        book,
        now,
        verifier: signatureVerifier,
        source,
      })
      expect(result).toMatchObject({ verdict: 'reject', reason: 'bad-signature', senderAtFault: true })
    }
    const real = await validateOrderBookMessage({
      data: encodeOrderBookMessage({ offer: honest }),
      book,
      now,
      verifier: signatureVerifier,
      source: { peer: provider, ip: '203.0.113.9' },
    })
    expect(real).toMatchObject({ verdict: 'accept', reason: 'added' })
  })

  it('blames the provider itself for its own rate, and a forwarder over its own budget', async () => {
    const key = await generateKeyPair('Ed25519')
    const provider = providerKey(peerIdBytes(key))
    const book = new OfferBook({ now, origin: { perProvider: { perMinute: 1, burst: 1 } } })
    const direct = { peer: provider, ip: '203.0.113.9' }
    const first = await validateOrderBookMessage({
      data: await signed(key, 1n),
      book,
      now,
      verifier: signatureVerifier,
      source: direct,
    })
    if (first.message?.offer !== undefined) book.add(first.message.offer, direct)
    const again = await validateOrderBookMessage({
      data: await signed(key, 2n),
      book,
      now,
      verifier: signatureVerifier,
      source: direct,
    })
    expect(again).toMatchObject({ verdict: 'ignore', reason: 'provider-rate-limited', senderAtFault: true })
    const relayed = await validateOrderBookMessage({
      data: await signed(key, 2n),
      book,
      now,
      verifier: signatureVerifier,
      source: relay('198.51.100.1'),
    })
    expect(relayed).toMatchObject({
      verdict: 'ignore',
      reason: 'provider-rate-limited',
      senderAtFault: false,
    })
    const broke = await validateOrderBookMessage({
      data: await signed(await generateKeyPair('Ed25519')),
      book,
      now,
      verifier: signatureVerifier,
      source: relay('198.51.100.1'),
      forwarderBudget: () => false,
    })
    expect(broke).toMatchObject({ verdict: 'ignore', reason: 'rate-limited', senderAtFault: true })
  })
})

describe('offer lifetime in the config', () => {
  it('refuses an offerTtlMs above MAX_OFFER_TTL_MS with a typed config error', () => {
    expect(
      parseConfig(JSON.stringify({ provide: { offerTtlMs: MAX_OFFER_TTL_MS } })).provide.offerTtlMs,
    ).toBe(MAX_OFFER_TTL_MS)
    expect(() => parseConfig(JSON.stringify({ provide: { offerTtlMs: 3_600_000 } }))).toThrow(
      MalformedConfigError,
    )
    expect(() => parseConfig(JSON.stringify({ provide: { offerTtlMs: 0 } }))).toThrow(MalformedConfigError)
  })
})
