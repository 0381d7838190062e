/**
 * Ranking cost with 10 000 offers in the book (a Sybil flood's size): the
 * median time of one `rankOffers` call over them, with a record for one
 * provider in ten and a seeded random source. Baseline, measured in the same
 * run: a plain sort of the same 10 000 offers by estimated job cost (what
 * ranking cannot do with less work). Three figures: the full ranking of a
 * book whose offers were ranked before, the pick of the best one (what a job's
 * failover asks for, `limit: 1`), and the full ranking of freshly decoded
 * offers (their provider ids not yet encoded).
 */

import type { JobSize } from '@cocoon-mesh/client/internal'
import { estimateJobCost, ProviderRecords, providerIdOf, rankOffers } from '@cocoon-mesh/client/internal'
import { type Offer, reportBench, TrustTier } from '@cocoon-mesh/protocol'

const NOW = 1_700_000_000_000
const JOB: JobSize = { kind: 'llm', promptTokens: 256, completionTokens: 256 }

export interface RankingBenchOptions {
  offers?: number
  rounds?: number
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function syntheticOffer(i: number): Offer {
  const provider = new Uint8Array(38)
  provider.set([0, 36, 8, 1, 18, 32])
  new DataView(provider.buffer).setUint32(34, i)
  const perK = BigInt(i % 3000)
  return {
    version: 1,
    provider,
    jobKinds: ['llm'],
    features: [],
    contextSize: 0,
    modelPrices: [],
    models: ['bench-model'],
    prices: { perKPromptTokens: perK, perKCompletionTokens: perK, perTensorGflop: 0n },
    maxConcurrency: 1,
    region: '',
    payoutAddress: '',
    attestation: new Uint8Array(),
    issuedAt: BigInt(NOW - 1000),
    expiresAt: BigInt(NOW + 600_000),
    sequence: 1n,
    trustTier: TrustTier.TRUST_TIER_OPEN,
    tokensPerSecond: 100,
    gflops: 0,
    settlementKey: new Uint8Array(),
    addrs: [],
    signature: new Uint8Array(),
  }
}

/** Median ms of `run` over `rounds` after a warm-up; `run` may return its own measured ms. */
function time(rounds: number, run: () => number | undefined): number {
  for (let i = 0; i < 20; i++) run()
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    const own = run()
    samples.push(own ?? performance.now() - start)
  }
  return median(samples)
}

export async function rankingBench(options: RankingBenchOptions = {}): Promise<void> {
  const count = options.offers ?? 10_000
  const rounds = options.rounds ?? 50
  const offers = Array.from({ length: count }, (_, i) => syntheticOffer(i))
  const records = new ProviderRecords(() => NOW)
  offers.forEach((o, i) => {
    if (i % 10 === 0) records.record(providerIdOf(o), { type: i % 20 === 0 ? 'success' : 'unreachable' })
  })
  let seed = 1
  const random = (): number => {
    seed = (seed * 16807) % 2147483647
    return seed / 2147483647
  }
  const rank = time(rounds, () => {
    rankOffers({ model: 'bench-model', job: JOB, offers, now: NOW, records: records.map, random })
    return undefined
  })
  const pick = time(rounds, () => {
    rankOffers({ model: 'bench-model', job: JOB, offers, now: NOW, records: records.map, random, limit: 1 })
    return undefined
  })
  const sort = time(rounds, () => {
    offers
      .map((offer) => ({
        offer,
        cost: estimateJobCost(
          offer.prices ?? { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n },
          JOB,
        ),
      }))
      .sort((a, b) => (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0))
    return undefined
  })
  // a flood of freshly decoded offers: no provider id of theirs has been encoded yet
  const fresh = time(rounds, () => {
    const copies = offers.map((o) => ({ ...o, provider: o.provider.slice() }))
    const start = performance.now()
    rankOffers({ model: 'bench-model', job: JOB, offers: copies, now: NOW, records: records.map, random })
    return performance.now() - start
  })
  reportBench({
    bench: `rank ${count} fresh offers`,
    value: fresh,
    unit: 'ms',
    baseline: sort,
    better: 'lower',
  })
  reportBench({
    bench: `pick the best of ${count} offers`,
    value: pick,
    unit: 'ms',
    baseline: sort,
    better: 'lower',
  })
  reportBench({ bench: `rank ${count} offers`, value: rank, unit: 'ms', baseline: sort, better: 'lower' })
}
