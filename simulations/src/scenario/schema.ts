/**
 * The mesh and gossip parameters of the installed gossipsub, which Cocoon's
 * peers run with (they set none of these); the scenario's defaults and the
 * cross-check take them from here, and a unit test holds them to gossipsub's.
 */
export const GOSSIPSUB_DEFAULTS = {
  D: 6,
  Dlo: 4,
  Dhi: 12,
  Dout: 2,
  Dlazy: 6,
  gossipFactor: 0.25,
  heartbeatMs: 1000,
  historyGossip: 3,
} as const

/**
 * The JSON Schema of a scenario file. Every field except `name`, `peers` and
 * `jobs.total` has a default, so a scenario states only what it changes.
 */
const num = (minimum: number, def: number, description?: string): Record<string, unknown> => ({
  type: 'number',
  minimum,
  default: def,
  ...(description === undefined ? {} : { description }),
})
const int = (minimum: number, def: number, description?: string): Record<string, unknown> => ({
  type: 'integer',
  minimum,
  default: def,
  ...(description === undefined ? {} : { description }),
})
const fraction = (def: number): Record<string, unknown> => ({
  type: 'number',
  minimum: 0,
  maximum: 1,
  default: def,
})
const obj = (
  properties: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  type: 'object',
  additionalProperties: false,
  default: {},
  properties,
  ...extra,
})

/** 30 simulated days: longer runs are better split into several scenarios. */
export const MAX_DURATION_MS = 2_592_000_000
/** Time buckets of the series (durationMs ÷ output.bucketMs): each costs a row in every series column. */
export const MAX_BUCKETS = 100_000

/** One branch of a union: ajv applies no defaults inside oneOf, so every field is required. */
const variant = (properties: Record<string, unknown>): Record<string, unknown> =>
  obj(properties, { required: Object.keys(properties) })

const session = {
  oneOf: [
    variant({ type: { const: 'exponential' }, meanMs: num(1, 1_800_000) }),
    variant({ type: { const: 'lognormal' }, medianMs: num(1, 1_800_000), sigma: num(0, 1) }),
    variant({ type: { const: 'weibull' }, scaleMs: num(1, 1_800_000), shape: num(0.05, 0.6) }),
    variant({ type: { const: 'pareto' }, minMs: num(1, 300_000), alpha: num(0.1, 1.5) }),
  ],
  default: { type: 'lognormal', medianMs: 1_800_000, sigma: 1 },
}

const strategy = {
  oneOf: [
    variant({ type: { const: 'fixed' }, price: num(0, 200_000) }),
    variant({
      type: { const: 'undercut' },
      start: num(0, 200_000),
      floor: num(0, 50_000),
      step: num(0, 0.05),
    }),
    variant({
      type: { const: 'utilisation' },
      base: num(0, 200_000),
      min: num(0, 50_000),
      max: num(0, 1_000_000),
      target: fraction(0.6),
      sensitivity: num(0, 1),
    }),
  ],
  default: { type: 'fixed', price: 200_000 },
}

const pattern = {
  oneOf: [
    variant({ type: { const: 'steady' } }),
    variant({ type: { const: 'diurnal' }, amplitude: fraction(0.5), periodMs: num(1, 86_400_000) }),
    variant({ type: { const: 'bursty' }, meanOnMs: num(1, 60_000), meanOffMs: num(1, 240_000) }),
  ],
  default: { type: 'steady' },
}

export const scenarioSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Cocoon Mesh simulator scenario',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'peers', 'jobs'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', minLength: 1 },
    description: { type: 'string', default: '' },
    seed: int(0, 1),
    durationMs: { ...num(1, 600_000, 'Simulated time, ms (at most 30 days)'), maximum: MAX_DURATION_MS },
    regions: obj({
      names: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['eu', 'us', 'asia'] },
      weights: {
        type: 'array',
        items: { type: 'number', minimum: 0 },
        minItems: 1,
        default: [0.4, 0.35, 0.25],
      },
      latencyMs: {
        type: 'array',
        items: { type: 'array', items: { type: 'number', minimum: 0 } },
        minItems: 1,
        default: [
          [8, 45, 120],
          [45, 10, 85],
          [120, 85, 12],
        ],
        description: 'One-way base latency between regions, ms (square matrix)',
      },
    }),
    network: obj({
      jitter: num(0, 0.1),
      loss: { type: 'number', minimum: 0, maximum: 0.5, default: 0.001 },
      bandwidthMedianMbps: num(0.001, 100),
      bandwidthSigma: num(0, 0.7),
      natFraction: fraction(0.4),
      relays: int(0, 50),
      relayLimitMbps: num(0.001, 10),
      rtoMs: num(1, 1000),
    }),
    churn: obj({ fraction: fraction(0), session, offlineMeanMs: num(1, 600_000) }),
    gossip: obj({
      connections: {
        ...int(
          1,
          20,
          'Topic peers each peer is connected to on average (each dials half of them); the mesh is grown over these connections',
        ),
        maximum: 1000,
      },
      D: int(1, GOSSIPSUB_DEFAULTS.D),
      Dlo: int(1, GOSSIPSUB_DEFAULTS.Dlo),
      Dhi: int(1, GOSSIPSUB_DEFAULTS.Dhi),
      Dout: int(0, GOSSIPSUB_DEFAULTS.Dout),
      Dlazy: int(0, GOSSIPSUB_DEFAULTS.Dlazy),
      gossipFactor: fraction(GOSSIPSUB_DEFAULTS.gossipFactor),
      heartbeatMs: num(1, GOSSIPSUB_DEFAULTS.heartbeatMs),
      historyGossip: int(0, GOSSIPSUB_DEFAULTS.historyGossip),
      // defaults to the client's FULL_PEER_MAX_CONNECTIONS; a unit test holds it to it
      floodPeers: int(
        0,
        100,
        "Topic peers a provider is connected to and floods its own offers to (gossipsub floodPublish, on in Cocoon); default a full peer's connection limit, which a busy provider reaches (0: its mesh alone)",
      ),
      samples: int(1, 16),
      observers: int(1, 8),
      refreshMs: num(
        0,
        60_000,
        'Rebuild the mesh over the online peers and recompute the spread this often, ms (0: once, at the start)',
      ),
    }),
    // k, alpha, disjointPaths and refreshMs default to kad-dht 16's K, ALPHA, disjointPaths (= K)
    // and TABLE_REFRESH_INTERVAL; a unit test holds them to it
    dht: obj({
      k: int(1, 20),
      alpha: int(1, 10),
      disjointPaths: int(1, 20),
      timeoutMs: num(1, 5000),
      refreshMs: num(
        0,
        300_000,
        'Each peer refreshes its routing table this often, ms; full buckets then evict contacts gone offline (0: tables never change)',
      ),
      lookups: int(0, 500),
    }),
    crypto: obj({ mode: { enum: ['real', 'table'], default: 'real' } }),
    models: {
      type: 'array',
      minItems: 1,
      items: obj(
        {
          name: { type: 'string', minLength: 1 },
          promptMedian: num(0, 400),
          completionMedian: num(1, 250),
          sigma: num(0, 0.6),
          inputBytesPerToken: num(0, 4),
        },
        { required: ['name'] },
      ),
      default: [{ name: 'llama-3.1-8b' }],
    },
    gpus: {
      type: 'array',
      minItems: 1,
      items: obj(
        { name: { type: 'string' }, share: num(0, 1), prefillTps: num(1, 5000), decodeTps: num(0.1, 100) },
        { required: ['name'] },
      ),
      default: [
        { name: 'rtx-4090', share: 0.5, prefillTps: 6000, decodeTps: 130 },
        { name: 'rtx-3090', share: 0.3, prefillTps: 3500, decodeTps: 100 },
        { name: 'h100', share: 0.2, prefillTps: 12000, decodeTps: 200 },
      ],
    },
    peers: obj(
      {
        count: { type: 'integer', minimum: 2, maximum: 2_000_000 },
        providerFraction: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.1 },
      },
      { required: ['count'] },
    ),
    providers: {
      type: 'array',
      minItems: 1,
      items: obj(
        {
          name: { type: 'string', default: 'providers' },
          share: num(0, 1),
          strategy,
          maxConcurrency: int(1, 4),
          models: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, default: [0] },
          offerTtlMs: num(1000, 600_000),
        },
        { default: undefined },
      ),
      default: [{}],
    },
    clients: {
      type: 'array',
      minItems: 1,
      items: obj({
        name: { type: 'string', default: 'clients' },
        share: num(0, 1),
        demandShare: num(0, 1),
        pattern,
        maxPrice: num(0, 1_000_000),
        budget: num(0, 1e15),
      }),
      default: [{}],
    },
    jobs: obj(
      {
        total: { type: 'integer', minimum: 0, maximum: 50_000_000 },
        timeoutMs: num(
          1,
          60_000,
          'Idle limit: a client abandons a provider that sent nothing for this long, ms',
        ),
        dialTimeoutMs: num(1, 5000, 'A client gives up on a provider it could not dial after this long, ms'),
        maxAttempts: int(1, 4),
        retryDelayMs: num(0, 2000),
        rankRefreshMs: num(0, 1000, 'Simulated ms between re-rankings of an order book'),
      },
      { required: ['total'] },
    ),
    adversaries: obj({
      spam: obj({
        count: int(0, 0),
        offersPerSecond: num(0, 10),
        kind: { enum: ['bad-signature', 'valid-flood'], default: 'bad-signature' },
        price: num(0, 1000),
      }),
      stall: obj({ count: int(0, 0), price: num(0, 50_000) }),
      overclaim: obj({ count: int(0, 0), price: num(0, 100_000), factor: num(1, 3) }),
      sybil: obj({
        count: int(0, 0, 'Validly signed offers from fresh identities that cannot be dialled'),
        maxPrice: num(
          0,
          1,
          'Each identity offers a whole price drawn in [0, maxPrice] nanoTON / 1000 tokens',
        ),
      }),
    }),
    rateLimit: obj({ ratePerSecond: num(0, 1), burst: num(1, 5) }),
    output: obj({ bucketMs: num(1, 10_000), priceSamples: int(0, 2000) }),
  },
} as const

/** The text of scenarios/scenario.schema.json: the schema as 2-space JSON with a final newline. */
export function scenarioSchemaJson(): string {
  return `${JSON.stringify(scenarioSchema, null, 2)}\n`
}
