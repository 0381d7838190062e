import type { SessionDistribution } from '../network/churn.js'

/** A pricing strategy of a provider group. Prices are nanoTON per 1000 completion tokens (prompt tokens cost a quarter). */
export type PricingStrategy =
  | { type: 'fixed'; price: number }
  | { type: 'undercut'; start: number; floor: number; step: number }
  | { type: 'utilisation'; base: number; min: number; max: number; target: number; sensitivity: number }

export type DemandPattern =
  | { type: 'steady' }
  | { type: 'diurnal'; amplitude: number; periodMs: number }
  | { type: 'bursty'; meanOnMs: number; meanOffMs: number }

export interface ProviderGroup {
  name: string
  /** Share of the provider population. */
  share: number
  strategy: PricingStrategy
  maxConcurrency: number
  /** Indices into `models`; each provider serves these. */
  models: number[]
  offerTtlMs: number
}

export interface ClientGroup {
  name: string
  share: number
  /** Share of all jobs this group submits. */
  demandShare: number
  pattern: DemandPattern
  /** Highest price per 1000 completion tokens the group accepts (nanoTON). */
  maxPrice: number
  /** nanoTON each client may spend in the run. */
  budget: number
}

export interface Scenario {
  name: string
  description: string
  seed: number
  durationMs: number
  regions: { names: string[]; weights: number[]; latencyMs: number[][] }
  network: {
    jitter: number
    loss: number
    bandwidthMedianMbps: number
    bandwidthSigma: number
    natFraction: number
    relays: number
    relayLimitMbps: number
    rtoMs: number
  }
  churn: { fraction: number; session: SessionDistribution; offlineMeanMs: number }
  gossip: {
    connections: number
    D: number
    Dlo: number
    Dhi: number
    Dout: number
    Dlazy: number
    gossipFactor: number
    heartbeatMs: number
    historyGossip: number
    floodPeers: number
    samples: number
    observers: number
    refreshMs: number
  }
  dht: {
    k: number
    alpha: number
    disjointPaths: number
    timeoutMs: number
    refreshMs: number
    lookups: number
  }
  crypto: { mode: 'real' | 'table' }
  models: {
    name: string
    promptMedian: number
    completionMedian: number
    sigma: number
    inputBytesPerToken: number
  }[]
  gpus: { name: string; share: number; prefillTps: number; decodeTps: number }[]
  peers: { count: number; providerFraction: number }
  providers: ProviderGroup[]
  clients: ClientGroup[]
  jobs: {
    total: number
    timeoutMs: number
    /** How long a client waits on a dial before it gives up on the provider. */
    dialTimeoutMs: number
    maxAttempts: number
    retryDelayMs: number
    rankRefreshMs: number
  }
  adversaries: {
    spam: { count: number; offersPerSecond: number; kind: 'bad-signature' | 'valid-flood'; price: number }
    stall: { count: number; price: number }
    overclaim: { count: number; price: number; factor: number }
    /** Validly signed identities at a price in [0, maxPrice] that cannot be dialled. */
    sybil: { count: number; maxPrice: number }
  }
  /** Rate limit per publisher at the first hop (the real RateLimiter). */
  rateLimit: { ratePerSecond: number; burst: number }
  output: { bucketMs: number; priceSamples: number }
}
