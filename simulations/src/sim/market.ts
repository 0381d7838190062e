import {
  buildOffer,
  nextSequence,
  type OfferTemplate,
  republishDelay,
  validateOrderBookMessage,
} from '@cocoon-mesh/client/market'
import { type MatchResult, providerIdOf, rankOffers } from '@cocoon-mesh/client/matching'
import { encodeOrderBookMessage, type Offer, type Prices } from '@cocoon-mesh/protocol'
import type { GossipRoundBase } from '../models/gossip-round.js'
import type { GossipSampleResult } from '../models/gossip-sample.js'
import type { SimCrypto } from './crypto.js'
import { EV_DELIVER, EV_PUBLISH, EV_SPAM, KIND_SPAM, KIND_STALL, KIND_SYBIL } from './events.js'
import type { RelayScore } from './relay-score.js'
import { EPOCH_MS, type Observer, type RankingCache, type World } from './world.js'

/** Prices of a provider whose completion price is `perK` nanoTON / 1000 tokens: prompt tokens cost a quarter. */
export function pricesFor(perK: number): Prices {
  const completion = BigInt(Math.max(1, Math.round(perK)))
  return { perKPromptTokens: (completion + 3n) / 4n, perKCompletionTokens: completion, perTensorGflop: 0n }
}

/**
 * What every gossip refresh of the run shares: the gossipsub model from
 * `samples` random origins, over connections and a mesh of the peers online
 * at the refresh (every peer at the start, round 0). Offers are later
 * delivered to observers with the delays of one sample (drawn per offer).
 */
export function gossipRefreshBase(world: World): GossipRoundBase {
  const s = world.scenario
  return {
    samples: s.gossip.samples,
    providerPeers: world.providerPeer,
    latency: world.latency,
    params: s.gossip,
    messageBytes: offerMessageBytes(world),
    seed: world.seed,
    observerPeers: Int32Array.from(world.observers, (o) => o.peer),
    stride: Math.max(1, Math.floor(world.peers.count / 20_000)),
  }
}

/** A refresh's samples take effect: each observer's delays from now on, and the spread figures (pooled over refreshes). */
export function applyGossip(world: World, results: readonly GossipSampleResult[]): void {
  const m = world.metrics
  const O = world.observers.length
  results.forEach((r, k) => {
    m.meshSends += r.meshSends
    m.pulled += r.pulled
    for (const t of r.pooled) m.propagation.push(t)
    m.propagationCoverage.push(r.online === 0 ? 0 : r.reached / r.online)
    world.gossipDelay.set(r.observerArrival, k * O)
  })
}

/**
 * The encoded size of a provider's offer message, for the time its copies
 * take through an uplink: provider 0's offer with an ed25519 peer id (38
 * bytes) and signature (64 bytes) of zeros, as none is signed yet at the start.
 */
function offerMessageBytes(world: World): number {
  if (world.providerCount === 0) return 0
  const unsigned = buildOffer(template(world, 0, world.providerPrice[0] as number), {
    provider: new Uint8Array(38),
    now: world.now(),
    ttlMs: 600_000,
    sequence: 1n,
  })
  return encodeOrderBookMessage({ offer: { ...unsigned, signature: new Uint8Array(64) } }).length
}

/** A Sybil's prices: `perK` for every unit, zero allowed (the protocol accepts 0..MAX_UNIT_PRICE_NANOTON). */
function sybilPrices(perK: number): Prices {
  const price = BigInt(Math.max(0, Math.round(perK)))
  return { perKPromptTokens: price, perKCompletionTokens: price, perTensorGflop: 0n }
}

function template(world: World, p: number, perK: number): OfferTemplate {
  const s = world.scenario
  const group = s.providers[world.providerGroup[p] as number]
  const gpu = s.gpus[world.providerGpu[p] as number]
  return {
    models: (group?.models ?? [0]).map((m) => s.models[m]?.name ?? 'model'),
    prices: world.providerKind[p] === KIND_SYBIL ? sybilPrices(perK) : pricesFor(perK),
    maxConcurrency: world.providerMaxConc[p] as number,
    region: s.regions.names[world.peers.region[world.providerPeer[p] as number] as number] ?? '',
    gpu: { model: gpu?.name ?? 'gpu', vramMb: 24_576, backend: 'cuda' },
    tokensPerSecond: gpu?.decodeTps ?? 0,
  }
}

/** A new signed offer for provider `p` at its current price (or a spam one). */
async function makeOffer(world: World, crypto: SimCrypto, p: number): Promise<Offer> {
  const s = world.scenario
  const group = s.providers[world.providerGroup[p] as number]
  const ttl = group?.offerTtlMs ?? 600_000
  const seq = nextSequence(BigInt(world.providerSeq[p] as number), world.now())
  world.providerSeq[p] = Number(seq)
  const offer = buildOffer(template(world, p, world.providerPrice[p] as number), {
    provider: crypto.providerBytes(p),
    now: world.now(),
    ttlMs: ttl,
    sequence: seq,
  })
  if (world.providerKind[p] === KIND_SPAM && s.adversaries.spam.kind === 'bad-signature') {
    return crypto.forge(offer)
  }
  return crypto.sign(p, offer)
}

/** The relay a provider's publications enter the network through: a real book and rate limiter, and its scores of senders. */
export interface FirstHop extends Observer {
  score: RelayScore
}

/**
 * A provider publishes: its mesh peers run the real gossip validation (with
 * the real per-peer rate limit and the real scoring of senders) and relay
 * only on `accept`; accepted offers reach each observer after that
 * observer's gossip delay, where the observer's own real validation and
 * real OfferBook take them.
 */
export async function publish(world: World, crypto: SimCrypto, p: number, firstHop: FirstHop): Promise<void> {
  const m = world.metrics
  const spam = world.providerKind[p] === KIND_SPAM
  const offer = await makeOffer(world, crypto, p)
  const data = encodeOrderBookMessage({ offer })
  if (spam) m.spamPublished++
  else m.offersPublished++
  const key = providerIdOf(offer)
  if (!firstHop.score.accepts(key)) {
    if (spam) m.spamGraylisted++
    m.verdict('first-hop:ignore:graylisted')
    return
  }
  if (!firstHop.limiter.take(key)) {
    // the sender is the provider itself, so the excess is its own
    firstHop.score.overLimit(key)
    if (spam) m.spamRateLimited++
    m.verdict('first-hop:ignore:rate-limited')
    return
  }
  const v = await validateOrderBookMessage({
    data,
    book: firstHop.book,
    now: world.now,
    verifier: crypto.verifier,
  })
  m.verdict(`first-hop:${v.verdict}:${v.reason}`)
  if (v.verdict === 'reject') firstHop.score.rejected(key, offer.models)
  if (v.verdict !== 'accept') return
  firstHop.book.add(offer)
  const o = world.offerBytes.length
  world.offerBytes.push(data)
  world.offerProvider.push(p)
  const sample = world.rng.gossip.int(Math.max(1, world.scenario.gossip.samples))
  const O = world.observers.length
  for (let i = 0; i < O; i++) {
    const delay = world.gossipDelay[sample * O + i] as number
    if (delay !== Number.POSITIVE_INFINITY) world.engine.schedule(delay, EV_DELIVER, o, i)
  }
}

/** An offer reaches an observer: real validation, then the real book. */
export async function deliver(world: World, crypto: SimCrypto, o: number, i: number): Promise<void> {
  const obs = world.observers[i] as Observer
  const data = world.offerBytes[o] as Uint8Array
  const v = await validateOrderBookMessage({
    data,
    book: obs.book,
    now: world.now,
    verifier: crypto.verifier,
  })
  world.metrics.verdict(`observer:${v.verdict}:${v.reason}`)
  if (v.verdict !== 'accept' || v.message?.offer === undefined) return
  // the decoded offer with the provider's one copy of its (equal) id bytes: its id string is then
  // the very string the records and the provider index are keyed by, so every lookup of it in a
  // ranking compares pointers instead of 52 characters
  const provider = crypto.providerBytes(world.offerProvider[o] as number)
  const outcome = obs.book.add({ ...v.message.offer, provider })
  if (outcome === 'added' || outcome === 'replaced') {
    obs.bookVersion++
    world.metrics.offersDelivered++
    if (world.providerKind[world.offerProvider[o] as number] === KIND_SPAM) world.metrics.spamInHonestBooks++
  }
}

export function schedulePublishing(world: World): void {
  const s = world.scenario
  for (let p = 0; p < world.providerCount; p++) {
    if (world.providerKind[p] === KIND_SPAM) {
      const rate = s.adversaries.spam.offersPerSecond
      if (rate > 0) world.engine.schedule(world.rng.market.exp(1000 / rate), EV_SPAM, p)
      continue
    }
    // stagger first publications over the first second
    world.engine.schedule(world.rng.market.next() * 1000, EV_PUBLISH, p)
  }
}

export function nextPublishDelay(world: World, p: number): number {
  const group = world.scenario.providers[world.providerGroup[p] as number]
  return republishDelay(group?.offerTtlMs ?? 600_000)
}

/**
 * The ranking an observer's clients use for `model`: the real `rankOffers`
 * over the real book, recomputed when the book or the records changed and
 * `rankRefreshMs` has passed, or an offer in it expired (at most once per
 * `rankRefreshMs`: between refreshes the caller skips expired entries).
 */
export function ranking(world: World, obs: Observer, model: number): RankingCache {
  const s = world.scenario
  const now = world.engine.now
  const cached = obs.rankings[model]
  // at most one re-ranking per rankRefreshMs; an expired entry in between is skipped by the caller
  if (
    cached !== undefined &&
    (now - cached.at < s.jobs.rankRefreshMs ||
      (cached.bookVersion === obs.bookVersion &&
        cached.recordsVersion === obs.recordsVersion &&
        now < cached.expiresAt))
  ) {
    return cached
  }
  world.metrics.ranks++
  const result = rankModel(world, obs, model)
  const provider = new Int32Array(result.ranked.length)
  const offerExpiresAt = new Float64Array(result.ranked.length)
  const pos = cached?.pos.fill(-1) ?? new Int32Array(world.providerCount).fill(-1)
  const avail = new Uint32Array((result.ranked.length + 31) >>> 5)
  let expiresAt = Number.POSITIVE_INFINITY
  result.ranked.forEach((r, i) => {
    const p = world.providerIndex.get(r.providerId) ?? -1
    provider[i] = p
    if (p >= 0) {
      pos[p] = i
      if (world.available(p)) avail[i >>> 5] = (avail[i >>> 5] as number) | (1 << (i & 31))
    }
    offerExpiresAt[i] = Number(r.offer.expiresAt)
    expiresAt = Math.min(expiresAt, (offerExpiresAt[i] as number) - EPOCH_MS)
  })
  const cache: RankingCache = {
    ranked: result.ranked,
    provider,
    offerExpiresAt,
    at: now,
    bookVersion: obs.bookVersion,
    recordsVersion: obs.recordsVersion,
    expiresAt,
    pos,
    avail,
  }
  obs.rankings[model] = cache
  return cache
}

/**
 * The one call of the real `rankOffers`: the observer's book for `model`, a
 * job of the model's median size, the observer's records. Every client
 * option of the match request is set here.
 */
function rankModel(world: World, obs: Observer, model: number): MatchResult {
  const spec = world.scenario.models[model]
  return rankOffers({
    model: spec?.name ?? '',
    job: {
      kind: 'llm',
      promptTokens: spec?.promptMedian ?? 0,
      completionTokens: spec?.completionMedian ?? 1,
    },
    offers: obs.book.offers(spec?.name ?? ''),
    now: world.now(),
    records: obs.records.map,
  })
}

/** The first ranked position >= `from` whose provider is available, or -1. */
export function nextAvailable(cache: RankingCache, from: number): number {
  const n = cache.provider.length
  if (from >= n) return -1
  let w = from >>> 5
  let word = (cache.avail[w] as number) & (~0 << (from & 31))
  const words = cache.avail.length
  for (;;) {
    if (word !== 0) {
      const i = (w << 5) + (31 - Math.clz32(word & -word))
      return i < n ? i : -1
    }
    if (++w >= words) return -1
    word = cache.avail[w] as number
  }
}

/** The cheapest live honest offer (nanoTON / 1000 completion tokens) with free capacity right now, for `model`. */
export function cheapestAvailable(world: World, model: number): number {
  let best = Number.POSITIVE_INFINITY
  for (let p = 0; p < world.providerCount; p++) {
    const kind = world.providerKind[p]
    if (kind === KIND_SPAM || kind === KIND_STALL || kind === KIND_SYBIL) continue
    if (!world.available(p) || world.providerSeq[p] === 0) continue
    const group = world.scenario.providers[world.providerGroup[p] as number]
    if (group?.models.includes(model) !== true) continue
    const price = world.providerPrice[p] as number
    if (price < best) best = price
  }
  return best
}
