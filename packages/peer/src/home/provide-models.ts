/**
 * The models a providing node sells (`provide.models` in config.jsonc): each
 * an id clients ask for and where it runs — a GGUF file, an `hf:` URI that
 * node-llama-cpp downloads, or an OpenAI-compatible upstream server (vLLM,
 * llama-server, Ollama, SGLang) — with its own concurrency, context size and GPU.
 */
import { isAbsolute, join } from 'node:path'
import type { GpuPreference, LlmModelConfig } from '@cocoon-mesh/gpu-runtime'
import { MalformedConfigError } from './errors.js'

/** Where `cocoon node start --provide` looks for a model named only by its id: `<home>/models/<id>.gguf`. */
export const PROVIDER_MODELS_DIR = 'models'

/** An OpenAI-compatible server the node relays jobs to. */
export interface UpstreamSource {
  /** e.g. `http://127.0.0.1:8000` (vLLM) or `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string
  /** The model name the upstream expects (default: the entry's id). */
  model?: string
  /** Name of the environment variable holding the upstream's API key (sent as a Bearer token). */
  apiKeyEnv?: string
}

/** One model a node sells. Exactly one of `source` and `upstream` is set, or neither (`<home>/models/<id>.gguf`). */
export interface ProvidedModel {
  /** The model id clients ask for (and the order-book topic). */
  id: string
  /** A GGUF path (relative paths are under `<home>/models`) or an `hf:` URI. */
  source?: string
  upstream?: UpstreamSource
  /** Jobs of this model run at once (default: `provide.maxConcurrency`). */
  maxConcurrency?: number
  /** Context size in tokens, GGUF models only (default: min(model's, 4096)). */
  contextSize?: number
  /** Which llama.cpp binary to use, GGUF models only (default `auto`). */
  gpu?: GpuPreference
  /** This model's nanoTON per 1000 prompt / completion tokens (default: `provide.prices`). */
  prices?: ModelPrices
}

/** A model's own token prices, in nanoTON per 1000 tokens. */
export interface ModelPrices {
  perKPromptTokens?: bigint
  perKCompletionTokens?: bigint
}

/** A `provide.models` entry: a bare id is `{ id }`, served from `<home>/models/<id>.gguf`. */
export type ProvideModelEntry = string | ProvidedModel

const GPU_PREFERENCES: readonly GpuPreference[] = ['auto', 'cuda', 'vulkan', 'metal', 'cpu']
const FIELDS = new Set(['id', 'source', 'upstream', 'maxConcurrency', 'contextSize', 'gpu', 'prices'])
const PRICE_FIELDS = ['perKPromptTokens', 'perKCompletionTokens'] as const
const UPSTREAM_FIELDS = new Set(['baseUrl', 'model', 'apiKeyEnv'])

/** Each entry as a {@link ProvidedModel}. */
export function providedModels(entries: readonly ProvideModelEntry[]): ProvidedModel[] {
  return entries.map((e) => (typeof e === 'string' ? { id: e } : e))
}

/** The ids of `entries`, in order. */
export function providedModelIds(entries: readonly ProvideModelEntry[]): string[] {
  return providedModels(entries).map((m) => m.id)
}

/** How an entry is described to an operator: `gguf <path>`, `hf <uri>` or `upstream <url> model=<name>`. */
export function describeSource(home: string, model: ProvidedModel): string {
  if (model.upstream !== undefined)
    return `upstream ${model.upstream.baseUrl} model=${model.upstream.model ?? model.id}`
  const source = ggufSource(home, model)
  return source.startsWith('hf:') ? `hf ${source}` : `gguf ${source}`
}

/** The GGUF path or `hf:` URI a llama.cpp entry loads. */
export function ggufSource(home: string, model: ProvidedModel): string {
  const source = model.source ?? `${model.id}.gguf`
  if (source.startsWith('hf:') || isAbsolute(source)) return source
  return join(home, PROVIDER_MODELS_DIR, source)
}

/**
 * The gpu-runtime config of one entry; an upstream's API key is read from
 * `env[apiKeyEnv]`.
 * @throws {MalformedConfigError} when that variable is not set.
 */
export function runtimeModelConfig(
  home: string,
  model: ProvidedModel,
  defaults: { maxConcurrency: number },
  env: NodeJS.ProcessEnv = process.env,
): LlmModelConfig {
  const maxConcurrency = Math.max(1, model.maxConcurrency ?? defaults.maxConcurrency)
  const up = model.upstream
  if (up === undefined) {
    return {
      kind: 'llama',
      name: model.id,
      source: ggufSource(home, model),
      maxConcurrency,
      ...(model.contextSize === undefined ? {} : { contextSize: model.contextSize }),
      ...(model.gpu === undefined ? {} : { gpu: model.gpu }),
    }
  }
  const apiKey = up.apiKeyEnv === undefined ? undefined : env[up.apiKeyEnv]
  if (up.apiKeyEnv !== undefined && (apiKey === undefined || apiKey === '')) {
    throw new MalformedConfigError(`Model ${model.id}: $${up.apiKeyEnv} is not set`, {
      details: `provide.models "${model.id}" reads its upstream API key from the environment variable ${up.apiKeyEnv}: export ${up.apiKeyEnv}=<key> before starting the node, or remove "apiKeyEnv" if ${up.baseUrl} needs no key.`,
    })
  }
  return {
    kind: 'openai',
    name: model.id,
    baseUrl: up.baseUrl,
    upstreamModel: up.model ?? model.id,
    maxConcurrency,
    // the upstream sets its context; stating it lets offers say it and clients refuse early
    ...(model.contextSize === undefined ? {} : { contextSize: model.contextSize }),
    ...(apiKey === undefined ? {} : { apiKey }),
  }
}

function bad(source: string, field: string, fix: string, got?: unknown): MalformedConfigError {
  return new MalformedConfigError(`Invalid ${field} in ${source}`, {
    details: `${fix}${got === undefined ? '' : ` (got ${JSON.stringify(got)?.slice(0, 80)})`}.`,
  })
}

/**
 * Parses `provide.models`: an array of ids or entries; ids are unique.
 * @throws {MalformedConfigError} naming the field and how to fix it.
 */
export function parseProvidedModels(source: string, value: unknown): ProvideModelEntry[] {
  if (value === undefined) return []
  if (!Array.isArray(value))
    throw bad(
      source,
      'provide.models',
      'Expected an array of model ids or { "id", "source" | "upstream" } entries',
      value,
    )
  const entries = value.map((v, i) => parseEntry(source, `provide.models[${i}]`, v))
  const seen = new Set<string>()
  for (const [i, id] of providedModelIds(entries).entries()) {
    if (seen.has(id))
      throw bad(source, `provide.models[${i}].id`, `"${id}" is listed twice: give each model a distinct id`)
    seen.add(id)
  }
  return entries
}

function parseEntry(source: string, at: string, value: unknown): ProvideModelEntry {
  if (typeof value === 'string') {
    if (value.trim() === '') throw bad(source, at, 'A model id is a non-empty string such as "qwen2.5-7b"')
    return value
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(source, at, 'Expected a model id or { "id": ..., "source" | "upstream": ... }', value)
  const o = value as Record<string, unknown>
  for (const key of Object.keys(o))
    if (!FIELDS.has(key))
      throw bad(source, `${at}.${key}`, `Unknown field; a model entry has ${[...FIELDS].join(', ')}`)
  if (typeof o.id !== 'string' || o.id.trim() === '')
    throw bad(source, `${at}.id`, 'Give the id clients ask for, e.g. "id": "qwen2.5-7b"', o.id)
  if (o.source !== undefined && o.upstream !== undefined)
    throw bad(source, at, 'Set either "source" (a GGUF path or hf: URI) or "upstream", not both')
  const model: ProvidedModel = { id: o.id }
  if (o.source !== undefined) model.source = sourceField(source, `${at}.source`, o.source)
  if (o.upstream !== undefined) model.upstream = upstreamField(source, `${at}.upstream`, o.upstream)
  if (o.maxConcurrency !== undefined)
    model.maxConcurrency = positiveInt(source, `${at}.maxConcurrency`, o.maxConcurrency)
  if (o.contextSize !== undefined) model.contextSize = positiveInt(source, `${at}.contextSize`, o.contextSize)
  if (o.gpu !== undefined) {
    if (!GPU_PREFERENCES.includes(o.gpu as GpuPreference))
      throw bad(source, `${at}.gpu`, `Use one of ${GPU_PREFERENCES.join(', ')}`, o.gpu)
    model.gpu = o.gpu as GpuPreference
  }
  if (o.prices !== undefined) model.prices = pricesField(source, `${at}.prices`, o.prices)
  if (model.upstream !== undefined && model.gpu !== undefined)
    throw bad(source, at, '"gpu" applies to GGUF models; the upstream server picks its own')
  return model
}

function sourceField(source: string, at: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw bad(
      source,
      at,
      'Give a GGUF file path (relative ones are under <home>/models) or an hf: URI',
      value,
    )
  if (/^https?:\/\//.test(value))
    throw bad(source, at, `An HTTP URL is an upstream server: write "upstream": { "baseUrl": "${value}" }`)
  if (value.startsWith('hf:') && !/^hf:[^/\s]+\/[^/\s]+/.test(value))
    throw bad(
      source,
      at,
      'An hf: URI names a repository, e.g. "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M"',
      value,
    )
  return value
}

function upstreamField(source: string, at: string, value: unknown): UpstreamSource {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(
      source,
      at,
      'Expected { "baseUrl": "http://127.0.0.1:8000", "model"?: ..., "apiKeyEnv"?: ... }',
      value,
    )
  const o = value as Record<string, unknown>
  for (const key of Object.keys(o))
    if (!UPSTREAM_FIELDS.has(key))
      throw bad(source, `${at}.${key}`, `Unknown field; an upstream has ${[...UPSTREAM_FIELDS].join(', ')}`)
  let url: URL | undefined
  try {
    url = typeof o.baseUrl === 'string' ? new URL(o.baseUrl) : undefined
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw bad(
      source,
      `${at}.baseUrl`,
      'Give the server\'s http(s) URL, e.g. "http://127.0.0.1:8000"',
      o.baseUrl,
    )
  const upstream: UpstreamSource = { baseUrl: o.baseUrl as string }
  if (o.model !== undefined) {
    if (typeof o.model !== 'string' || o.model === '')
      throw bad(
        source,
        `${at}.model`,
        'Give the model name the upstream serves (its /v1/models lists them)',
        o.model,
      )
    upstream.model = o.model
  }
  if (o.apiKeyEnv !== undefined) {
    if (typeof o.apiKeyEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.apiKeyEnv))
      throw bad(
        source,
        `${at}.apiKeyEnv`,
        'Name an environment variable, e.g. "VLLM_API_KEY" (never the key itself)',
        o.apiKeyEnv,
      )
    upstream.apiKeyEnv = o.apiKeyEnv
  }
  return upstream
}

function positiveInt(source: string, at: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw bad(source, at, 'Expected a positive integer', value)
  return value
}

function pricesField(source: string, at: string, value: unknown): ModelPrices {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(
      source,
      at,
      'Expected { "perKPromptTokens": "100000", "perKCompletionTokens": "200000" } in nanoTON',
      value,
    )
  const o = value as Record<string, unknown>
  const prices: ModelPrices = {}
  for (const key of Object.keys(o)) {
    if (!(PRICE_FIELDS as readonly string[]).includes(key))
      throw bad(
        source,
        `${at}.${key}`,
        `Unknown price; a model is priced by ${PRICE_FIELDS.join(' and ')} (tensor GFLOP is priced per node)`,
      )
    const v = o[key]
    if (
      !(
        (typeof v === 'string' && /^\d+$/.test(v)) ||
        (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
      )
    )
      throw bad(source, `${at}.${key}`, 'Give nanoTON as a decimal string, e.g. "100000" (1 TON = 1e9)', v)
    prices[key as (typeof PRICE_FIELDS)[number]] = BigInt(v)
  }
  return prices
}

/** The prices a job of `model` pays: its own token prices over the node's `provide.prices`. */
export function modelPrices<P extends { perKPromptTokens: bigint; perKCompletionTokens: bigint }>(
  node: P,
  model: ProvidedModel | undefined,
): P {
  return { ...node, ...model?.prices }
}

/**
 * The offer's per-model prices: one entry for each of `models` whose own prices
 * differ from the node's, so a cheap model is quoted at its price next to a dear one.
 */
export function offerModelPrices<P extends { perKPromptTokens: bigint; perKCompletionTokens: bigint }>(
  node: P,
  entries: readonly ProvideModelEntry[],
  models: readonly string[],
): { model: string; prices: P }[] {
  const provided = providedModels(entries)
  return models.flatMap((model) => {
    const prices = modelPrices(
      node,
      provided.find((e) => e.id === model),
    )
    const same =
      prices.perKPromptTokens === node.perKPromptTokens &&
      prices.perKCompletionTokens === node.perKCompletionTokens
    return same ? [] : [{ model, prices }]
  })
}
