import type { SimCrypto } from './crypto.js'
import { KIND_HONEST, KIND_OVERCLAIM } from './events.js'
import type { Metrics } from './metrics.js'
import { mean, quantiles, round6 } from './stats.js'
import type { World } from './world.js'

export interface Summary {
  scenario: string
  seed: number
  simulatedMs: number
  peers: { total: number; providers: number; clients: number; observers: number; nat: number }
  offerPropagation: { p50Ms: number; p99Ms: number; coverage: number; pulledViaIhave: number }
  dhtLookup: {
    samples: number
    hopsP50: number
    hopsP99: number
    msP50: number
    msP99: number
    foundRate: number
    /** Queries to contacts gone offline (each waits out `dht.timeoutMs`), per lookup. */
    timeoutsPerLookup: number
  }
  jobs: {
    arrived: number
    succeeded: number
    /** Succeeded ÷ arrived: a job still in flight when simulated time ends counts against it. */
    successRate: number
    /** Jobs still running or waiting to retry at the end: neither succeeded nor failed. */
    inFlightAtEnd: number
    /** Succeeded ÷ (succeeded + failed): the rate over the jobs that finished. */
    finishedSuccessRate: number
    failures: Record<string, number>
    clientOffline: number
    /** Arrivals turned away because jobs.total was reached (raise it to simulate that demand). */
    overCap: number
    attemptsPerJob: number
    fullRejections: number
    unreachableProbes: number
  }
  price: {
    medianPaidPerK: number
    p10PaidPerK: number
    p90PaidPerK: number
    paidVsCheapest: { samples: number; mean: number; p50: number; p99: number }
  }
  providerUtilisation: { mean: number; p50: number; p90: number }
  onchain: { opens: number; claims: number; closes: number; perThousandJobs: number }
  /** What attackers cost honest clients, over every job that arrived. */
  attackImpact: {
    /** Jobs that failed after the attempt cap, and their share of arrived jobs. */
    jobsLost: number
    lostShare: number
    /** Jobs still running or waiting to retry when simulated time ended. */
    jobsUnfinished: number
    /** Simulated ms a job lost to attackers (dial timeouts, stalls, unanswered probes): mean and p99 over all jobs. */
    wastedMsMean: number
    wastedMsP99: number
    /** Jobs that lost any time to an attacker. */
    jobsHit: number
    /** Ranking passes per job (each Sybil dial is one): mean and p99. */
    attemptsMean: number
    attemptsP99: number
  }
  attackers: {
    spamPublished: number
    spamRateLimited: number
    /** Spam dropped unread by the first hop once its sender was graylisted. */
    spamGraylisted: number
    spamInHonestBooks: number
    stallAssigned: number
    stallTimeouts: number
    sybilDials: number
    overclaimJobs: number
    overclaimAttemptedNano: number
    overclaimPaidNano: number
  }
  market: {
    cryptoMode: string
    signs: number
    verifies: number
    rankings: number
    offersPublished: number
    offersDelivered: number
    verdicts: Record<string, number>
  }
  events: number
}

function sorted(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

export function buildSummary(world: World, events: number, crypto: SimCrypto): Summary {
  const s = world.scenario
  return {
    scenario: s.name,
    seed: world.seed,
    simulatedMs: s.durationMs,
    peers: peerCounts(world),
    offerPropagation: propagationFigures(world.metrics),
    dhtLookup: dhtFigures(world.metrics),
    jobs: jobFigures(world.metrics),
    price: priceFigures(world),
    providerUtilisation: utilisationFigures(world),
    onchain: onchainFigures(world.metrics),
    attackImpact: attackImpact(world),
    attackers: attackerFigures(world.metrics),
    market: marketFigures(world.metrics, crypto),
    events,
  }
}

function peerCounts(world: World): Summary['peers'] {
  let nat = 0
  for (let i = 0; i < world.peers.count; i++) nat += world.peers.nat[i] as number
  return {
    total: world.peers.count,
    providers: world.providerCount,
    clients: world.clientPeers.length,
    observers: world.observers.length,
    nat,
  }
}

function propagationFigures(m: Metrics): Summary['offerPropagation'] {
  const [prop50, prop99] = quantiles(m.propagation, [0.5, 0.99])
  return {
    p50Ms: round6(prop50 ?? 0),
    p99Ms: round6(prop99 ?? 0),
    coverage: round6(mean(m.propagationCoverage)),
    pulledViaIhave: m.pulled,
  }
}

function dhtFigures(m: Metrics): Summary['dhtLookup'] {
  const [hop50, hop99] = quantiles(m.dhtHops, [0.5, 0.99])
  const [dms50, dms99] = quantiles(m.dhtMs, [0.5, 0.99])
  return {
    samples: m.dhtHops.length,
    hopsP50: hop50 ?? 0,
    hopsP99: hop99 ?? 0,
    msP50: round6(dms50 ?? 0),
    msP99: round6(dms99 ?? 0),
    foundRate: round6(m.dhtHops.length === 0 ? 0 : m.dhtFound / m.dhtHops.length),
    timeoutsPerLookup: round6(m.dhtHops.length === 0 ? 0 : m.dhtTimeouts / m.dhtHops.length),
  }
}

function jobFigures(m: Metrics): Summary['jobs'] {
  let failed = 0
  for (const n of m.failures.values()) failed += n
  const finished = m.jobsOk + failed
  return {
    arrived: m.jobsArrived,
    succeeded: m.jobsOk,
    successRate: round6(m.jobsArrived === 0 ? 0 : m.jobsOk / m.jobsArrived),
    inFlightAtEnd: m.jobsArrived - finished,
    finishedSuccessRate: round6(finished === 0 ? 0 : m.jobsOk / finished),
    failures: sorted(m.failures),
    clientOffline: m.jobsClientOffline,
    overCap: m.jobsOverCap,
    attemptsPerJob: round6(m.jobsArrived === 0 ? 0 : m.attempts / m.jobsArrived),
    fullRejections: m.rejectionsFull,
    unreachableProbes: m.unreachableProbes,
  }
}

/** Prices paid by finished jobs, nanoTON per 1000 completion tokens (a job still running or failed has none). */
export function paidPrices(world: World): number[] {
  const prices: number[] = []
  for (let j = 0; j < world.jobCount; j++) {
    const v = world.jobPriceK[j] as number
    if (!Number.isNaN(v) && world.jobProvider[j] === -1) prices.push(v)
  }
  return prices
}

/** Prices paid by finished jobs, and paid vs cheapest. */
function priceFigures(world: World): Summary['price'] {
  const m = world.metrics
  const prices = paidPrices(world)
  const [p10, p50, p90] = quantiles(prices, [0.1, 0.5, 0.9])
  const [r50, r99] = quantiles(m.priceRatio, [0.5, 0.99])
  return {
    medianPaidPerK: round6(p50 ?? 0),
    p10PaidPerK: round6(p10 ?? 0),
    p90PaidPerK: round6(p90 ?? 0),
    paidVsCheapest: {
      samples: m.priceRatio.length,
      mean: round6(mean(m.priceRatio)),
      p50: round6(r50 ?? 0),
      p99: round6(r99 ?? 0),
    },
  }
}

/** Busy share of each provider that serves (honest and over-claiming ones) over the run. */
function utilisationFigures(world: World): Summary['providerUtilisation'] {
  const util: number[] = []
  for (let p = 0; p < world.providerCount; p++) {
    const k = world.providerKind[p]
    if (k !== KIND_HONEST && k !== KIND_OVERCLAIM) continue
    util.push(
      (world.providerBusyMs[p] as number) /
        ((world.providerMaxConc[p] as number) * world.scenario.durationMs),
    )
  }
  const [u50, u90] = quantiles(util, [0.5, 0.9])
  return { mean: round6(mean(util)), p50: round6(u50 ?? 0), p90: round6(u90 ?? 0) }
}

function onchainFigures(m: Metrics): Summary['onchain'] {
  const onchain = m.onchainOpens + m.onchainClaims + m.onchainCloses
  return {
    opens: m.onchainOpens,
    claims: m.onchainClaims,
    closes: m.onchainCloses,
    perThousandJobs: round6(m.jobsOk === 0 ? 0 : (onchain / m.jobsOk) * 1000),
  }
}

function attackImpact(world: World): Summary['attackImpact'] {
  const m = world.metrics
  let lost = 0
  for (const n of m.failures.values()) lost += n
  const n = world.jobCount
  const wastedMs = world.jobWastedMs.subarray(0, n)
  const attempts = world.jobAttempts.subarray(0, n)
  let hit = 0
  for (const ms of wastedMs) if (ms > 0) hit++
  const [wasted99] = quantiles(wastedMs, [0.99])
  const [attempts99] = quantiles(attempts, [0.99])
  return {
    jobsLost: lost,
    lostShare: round6(m.jobsArrived === 0 ? 0 : lost / m.jobsArrived),
    jobsUnfinished: m.jobsArrived - m.jobsOk - lost,
    wastedMsMean: round6(mean(wastedMs)),
    wastedMsP99: round6(wasted99 ?? 0),
    jobsHit: hit,
    attemptsMean: round6(mean(attempts)),
    attemptsP99: attempts99 ?? 0,
  }
}

function attackerFigures(m: Metrics): Summary['attackers'] {
  return {
    spamPublished: m.spamPublished,
    spamRateLimited: m.spamRateLimited,
    spamGraylisted: m.spamGraylisted,
    spamInHonestBooks: m.spamInHonestBooks,
    stallAssigned: m.stallAssigned,
    stallTimeouts: m.stallTimeouts,
    sybilDials: m.sybilDials,
    overclaimJobs: m.overclaimJobs,
    overclaimAttemptedNano: m.overclaimAttemptedNano,
    overclaimPaidNano: m.overclaimPaidNano,
  }
}

function marketFigures(m: Metrics, crypto: SimCrypto): Summary['market'] {
  return {
    cryptoMode: crypto.mode,
    signs: crypto.signs,
    verifies: crypto.verifies,
    rankings: m.ranks,
    offersPublished: m.offersPublished,
    offersDelivered: m.offersDelivered,
    verdicts: sorted(m.verdicts),
  }
}

/** The time series as CSV (one row per bucket) and as columns for the report. */
export function seriesCsv(world: World): { csv: string; series: Record<string, number[]> } {
  const m = world.metrics
  const cols = m.series
  const get = (name: string, b: number): number => (cols[name]?.[b] as number | undefined) ?? 0
  const series: Record<string, number[]> = {
    t_s: [],
    jobs_arrived: [],
    jobs_ok: [],
    jobs_failed: [],
    mean_price_paid_per_k: [],
    cheapest_offer_per_k: [],
    utilisation: [],
    online_peers: [],
    book_size: [],
    spam_in_books: [],
    attempts: [],
    attacker_wasted_ms: [],
  }
  for (let b = 0; b < m.buckets; b++) {
    const n = get('price_n', b)
    const row: Record<string, number> = {
      t_s: round6(((b + 1) * m.bucketMs) / 1000),
      jobs_arrived: get('jobs_arrived', b),
      jobs_ok: get('jobs_ok', b),
      jobs_failed: get('jobs_failed', b),
      // a bucket with no paid job or no live offer has no price: NaN, an empty CSV cell and a gap in the chart
      mean_price_paid_per_k: n === 0 ? Number.NaN : round6(get('price_sum', b) / n),
      cheapest_offer_per_k: round6(cols.cheapest_offer?.[b] ?? Number.NaN),
      utilisation: round6(get('utilisation', b)),
      online_peers: get('online_peers', b),
      book_size: get('book_size', b),
      spam_in_books: get('spam_in_books', b),
      attempts: get('attempts', b),
      attacker_wasted_ms: round6(get('attacker_wasted_ms', b)),
    }
    for (const [k, v] of Object.entries(row)) series[k]?.push(v)
  }
  const header = Object.keys(series)
  const lines = [header.join(',')]
  const cell = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '' : String(v))
  for (let b = 0; b < m.buckets; b++) lines.push(header.map((h) => cell(series[h]?.[b])).join(','))
  return { csv: `${lines.join('\n')}\n`, series }
}
