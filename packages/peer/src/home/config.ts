import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage, MAX_OFFER_TTL_MS } from '@cocoon-mesh/protocol'
import { multiaddr } from '@multiformats/multiaddr'
import {
  ATTESTATION_CONFIG_TEXT,
  type AttestationConfig,
  attestationConfig,
  DEFAULT_ATTESTATION_CONFIG,
} from './attestation-config.js'
import { bad, int, nano, positive, str, strings } from './config-fields.js'
import {
  DASHBOARD_CONFIG_TEXT,
  type DashboardConfig,
  DEFAULT_DASHBOARD_CONFIG,
  dashboardConfig,
} from './dashboard-config.js'
import { isErrno } from './errno.js'
import { MalformedConfigError } from './errors.js'
import {
  cidrs,
  DEFAULT_NETWORK_CONFIG,
  NETWORK_CONFIG_TEXT,
  type NetworkConfig,
  networkConfig,
} from './network-config.js'
import { type ProvideModelEntry, parseProvidedModels } from './provide-models.js'
import {
  DEFAULT_SETTLEMENT_CONFIG,
  SETTLEMENT_CONFIG_TEXT,
  type SettlementConfig,
  settlementConfig,
} from './settlement-config.js'

export type { SettlementConfig } from './settlement-config.js'

/** File in the home folder holding the node's configuration (JSON with comments). */
export const CONFIG_FILE = 'config.jsonc'

export interface ProvideConfig {
  /** What is sold: model ids (served from `<home>/models/<id>.gguf`) or entries naming their source. */
  models: ProvideModelEntry[]
  /** nanoTON per 1000 prompt / completion tokens and per tensor GFLOP (decimal strings or numbers). */
  prices: { perKPromptTokens: bigint; perKCompletionTokens: bigint; perTensorGflop: bigint }
  jobKinds: string[]
  maxConcurrency: number
  region: string
  payoutAddress: string
  offerTtlMs: number
}

export interface NodeConfig {
  listen: string[]
  bootstrap: string[]
  /** Order-book topics to follow besides the ones provided. */
  models: string[]
  provide: ProvideConfig
  settlement: SettlementConfig
  attestation: AttestationConfig
  network: NetworkConfig
  dashboard: DashboardConfig
}

export const DEFAULT_CONFIG: NodeConfig = {
  listen: ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002/ws'],
  bootstrap: [],
  models: [],
  provide: {
    models: [],
    prices: { perKPromptTokens: 100_000n, perKCompletionTokens: 200_000n, perTensorGflop: 1_000n },
    jobKinds: ['llm'],
    maxConcurrency: 1,
    region: '',
    payoutAddress: '',
    offerTtlMs: 10 * 60_000,
  },
  settlement: DEFAULT_SETTLEMENT_CONFIG,
  attestation: DEFAULT_ATTESTATION_CONFIG,
  network: DEFAULT_NETWORK_CONFIG,
  dashboard: DEFAULT_DASHBOARD_CONFIG,
}

/** The commented default config `cocoon init` writes. */
export const DEFAULT_CONFIG_TEXT = `// Cocoon Mesh node configuration (JSON with comments).
// Precedence: this file < COCOON_* environment variables < command-line flags.
{
  // Multiaddrs to listen on (COCOON_LISTEN, comma separated; --listen).
  // TCP for nodes, WebSockets for browsers. Port 0 picks a free port.
  "listen": ["/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/tcp/4002/ws"],

  // Peers to join the mesh through, with their /p2p/<peer id> (COCOON_BOOTSTRAP; --bootstrap).
  // Any running node prints its addresses on start; ask an operator for one.
  "bootstrap": [],

  // Order-book topics (model ids) to follow besides the ones you provide (COCOON_MODELS).
  "models": [],

  // What this node sells with \`cocoon node start --provide\`.
  "provide": {
    // Models sold (COCOON_PROVIDE_MODELS takes ids). The GPU is detected at start; each model
    // is checked and benchmarked at start (cached), and one that fails is left out of the offer.
    // \`cocoon models add|list|remove|pull|test\` edits and tries this list. An entry is an id
    // (served from <home>/models/<id>.gguf) or an object:
    //   { "id": "qwen-0.5b", "source": "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M",
    //     "maxConcurrency": 2, "contextSize": 4096, "gpu": "auto",        // or a GGUF path
    //     "prices": { "perKCompletionTokens": "300000" } }                 // over "prices" below
    //   { "id": "llama-70b", "upstream": { "baseUrl": "http://127.0.0.1:8000",
    //     "model": "meta-llama/Llama-3.3-70B-Instruct", "apiKeyEnv": "VLLM_API_KEY" } }
    "models": [],
    // Prices in nanoTON (1 TON = 1e9): per 1000 prompt tokens, per 1000 completion tokens, per tensor GFLOP.
    // The offer quotes each model at its own price (a model's "prices" over these); each job pays its model's.
    "prices": { "perKPromptTokens": "100000", "perKCompletionTokens": "200000", "perTensorGflop": "1000" },
    // "llm" and/or "tensor".
    "jobKinds": ["llm"],
    // Jobs run at once.
    "maxConcurrency": 1,
    // Free-form region hint for clients, e.g. "eu-west".
    "region": "",
    // TON address that receives payments (COCOON_PAYOUT_ADDRESS).
    "payoutAddress": "",
    // Offer lifetime in ms (at most 900000, 15 minutes); offers are re-published at half of it.
    "offerTtlMs": 600000
  },
${SETTLEMENT_CONFIG_TEXT}${NETWORK_CONFIG_TEXT}${ATTESTATION_CONFIG_TEXT.trimEnd()},${DASHBOARD_CONFIG_TEXT}}
`

/** Removes // and /* *\/ comments outside strings, and trailing commas. */
export function stripJsonComments(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      out += text.slice(i, j + 1)
      i = j + 1
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end === -1 ? text.length : end + 2
    } else {
      out += c
      i++
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1')
}

/** What {@link parseConfig}, {@link loadConfigFile}, {@link configFromEnv} and {@link multiaddrs} throw. */
export type ConfigErrorType = MalformedConfigError

/**
 * Parses config text; every problem is a MalformedConfigError naming the file and field.
 * @throws {ConfigErrorType}
 */
export function parseConfig(text: string, source = CONFIG_FILE): NodeConfig {
  const obj = parseJsonObject(text, source)
  const provide = section(source, obj, 'provide')
  const settlement = section(source, obj, 'settlement')
  const d = DEFAULT_CONFIG
  return {
    listen: multiaddrs(source, 'listen', obj.listen, d.listen),
    bootstrap: multiaddrs(source, 'bootstrap', obj.bootstrap, d.bootstrap),
    models: strings(source, 'models', obj.models, d.models),
    provide: provideConfig(source, provide),
    settlement: settlementConfig(source, settlement),
    attestation: attestationConfig(source, section(source, obj, 'attestation')),
    network: networkConfig(source, section(source, obj, 'network')),
    dashboard: dashboardConfig(source, section(source, obj, 'dashboard')),
  }
}

type Section = Record<string, unknown>

/** The config text (comments allowed) as a JSON object. */
function parseJsonObject(text: string, source: string): Section {
  let raw: unknown
  try {
    raw = JSON.parse(stripJsonComments(text))
  } catch (error) {
    throw new MalformedConfigError(`${source} is not valid JSON`, {
      details: `${errorMessage(error)}. Fix the syntax (comments with // are allowed) or delete the file and run \`cocoon init\` again.`,
      cause: error,
    })
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MalformedConfigError(`${source} must hold a JSON object`, {
      details: 'Expected { "listen": [...], ... }.',
    })
  }
  return raw as Section
}

/** The object under `field` (empty when absent or null). */
function section(source: string, obj: Section, field: string): Section {
  const value = (obj[field] ?? {}) as Section
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(source, field, 'an object')
  return value
}

/** The `provide` section, each field defaulting to DEFAULT_CONFIG's. */
function provideConfig(source: string, provide: Section): ProvideConfig {
  const d = DEFAULT_CONFIG.provide
  const prices = (provide.prices ?? {}) as Section
  return {
    models: parseProvidedModels(source, provide.models),
    prices: {
      perKPromptTokens: nano(
        source,
        'provide.prices.perKPromptTokens',
        prices.perKPromptTokens,
        d.prices.perKPromptTokens,
      ),
      perKCompletionTokens: nano(
        source,
        'provide.prices.perKCompletionTokens',
        prices.perKCompletionTokens,
        d.prices.perKCompletionTokens,
      ),
      perTensorGflop: nano(
        source,
        'provide.prices.perTensorGflop',
        prices.perTensorGflop,
        d.prices.perTensorGflop,
      ),
    },
    jobKinds: strings(source, 'provide.jobKinds', provide.jobKinds, d.jobKinds),
    maxConcurrency: int(source, 'provide.maxConcurrency', provide.maxConcurrency, d.maxConcurrency),
    region: str(source, 'provide.region', provide.region, d.region),
    payoutAddress: str(source, 'provide.payoutAddress', provide.payoutAddress, d.payoutAddress),
    offerTtlMs: offerTtl(source, provide.offerTtlMs, d.offerTtlMs),
  }
}

/**
 * Reads `home/config.jsonc` (defaults when absent).
 * @throws {ConfigErrorType} when it cannot be read or does not parse.
 */
export async function loadConfigFile(home: string): Promise<NodeConfig> {
  const path = join(home, CONFIG_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return structuredClone(DEFAULT_CONFIG)
    throw new MalformedConfigError(`Cannot read ${path}`, { details: errorMessage(error), cause: error })
  }
  return parseConfig(text, path)
}

/** What {@link writeDefaultConfig} throws: node's error writing the file (other than `EEXIST`). */
export type WriteDefaultConfigErrorType = Error

/**
 * Writes the commented default config unless one exists; returns whether it wrote.
 * @throws {WriteDefaultConfigErrorType}
 */
export async function writeDefaultConfig(home: string): Promise<boolean> {
  try {
    await writeFile(join(home, CONFIG_FILE), DEFAULT_CONFIG_TEXT, { flag: 'wx', mode: 0o644 })
    return true
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false
    throw error
  }
}

/**
 * Overrides from COCOON_* environment variables (comma-separated lists).
 * @throws {ConfigErrorType} for a bad multiaddr in COCOON_LISTEN or COCOON_BOOTSTRAP, a bad range in COCOON_PUBLIC_RANGES.
 */
export function configFromEnv(env: NodeJS.ProcessEnv, base: NodeConfig): NodeConfig {
  const list = (name: string): string[] | undefined =>
    env[name] === undefined
      ? undefined
      : (env[name] as string)
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
  const listen = list('COCOON_LISTEN')
  const bootstrap = list('COCOON_BOOTSTRAP')
  const models = list('COCOON_MODELS')
  const provideModels = list('COCOON_PROVIDE_MODELS')
  const publicRanges = list('COCOON_PUBLIC_RANGES')
  return {
    listen: listen === undefined ? base.listen : multiaddrs('COCOON_LISTEN', '', listen, []),
    bootstrap: bootstrap === undefined ? base.bootstrap : multiaddrs('COCOON_BOOTSTRAP', '', bootstrap, []),
    models: models ?? base.models,
    provide: {
      ...base.provide,
      models: provideModels ?? base.provide.models,
      payoutAddress: env.COCOON_PAYOUT_ADDRESS ?? base.provide.payoutAddress,
    },
    settlement: base.settlement,
    attestation: base.attestation,
    network:
      publicRanges === undefined
        ? base.network
        : { ...base.network, publicRanges: cidrs('COCOON_PUBLIC_RANGES', '', publicRanges) },
    dashboard: base.dashboard,
  }
}

/**
 * Validates multiaddrs (exported for flags).
 * @throws {ConfigErrorType}
 */
export function multiaddrs(source: string, field: string, value: unknown, fallback: string[]): string[] {
  const list = strings(source, field, value, fallback)
  for (const addr of list) {
    try {
      multiaddr(addr)
    } catch {
      throw bad(source, field, 'multiaddrs such as /ip4/1.2.3.4/tcp/4001/p2p/12D3KooW...', addr)
    }
  }
  return list
}

/** An offer lifetime: peers refuse offers living longer than the protocol's MAX_OFFER_TTL_MS. */
function offerTtl(source: string, value: unknown, fallback: number): number {
  const n = positive(source, 'provide.offerTtlMs', value, fallback)
  if (n > MAX_OFFER_TTL_MS)
    throw bad(
      source,
      'provide.offerTtlMs',
      `at most ${MAX_OFFER_TTL_MS} (15 minutes: peers refuse longer-lived offers)`,
      value,
    )
  return n
}
