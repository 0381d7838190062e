/**
 * Trying the models a provider sells: one timed request per model (time to
 * first token, tokens/s), the per-model self-benchmark cached in
 * `<home>/model-benchmarks.json`, and what an operator should do when a model
 * does not answer. `cocoon node start --provide`, `cocoon models test` and
 * `cocoon doctor` all use it.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  GenerationError,
  type HardwareInfo,
  type LlmModelConfig,
  ModelCorruptError,
  ModelLoadError,
  ModelNotFoundError,
  ModelTooLargeError,
  type Runtime,
  UpstreamProtocolError,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from '@cocoon-mesh/gpu-runtime'
import { errorLine } from '@cocoon-mesh/protocol'
import { ModelUnavailableError } from '../home/errors.js'

/** File in the home folder caching each model's measured figures. */
export const MODEL_BENCHMARKS_FILE = 'model-benchmarks.json'

export interface ModelFigures {
  /** Completion tokens per second after the first token (0 when fewer than two came). */
  tokensPerSecond: number
  /** From sending the request to the first token, ms. */
  timeToFirstTokenMs: number
  completionTokens: number
  /** What ran it, e.g. `llama.cpp/cpu` or `openai/http://127.0.0.1:8000`. */
  backend: string
}

/** What trying one model found: its figures, or why it cannot be sold. */
export type ModelStatus =
  | { id: string; ok: true; figures: ModelFigures; cached: boolean }
  | { id: string; ok: false; error: ModelUnavailableError }

/**
 * Runs one request on `model` through the runtime (admission included) and
 * times it; bounded by `timeoutMs` (default 120 s, a cold model load included).
 * @throws {ModelUnavailableError} saying what failed and how to fix it.
 */
export async function measureModel(
  runtime: Pick<Runtime, 'generate'>,
  config: LlmModelConfig,
  options: { maxTokens?: number; prompt?: string; timeoutMs?: number } = {},
): Promise<ModelFigures> {
  const started = performance.now()
  let first: number | undefined
  let last = started
  let tokens = 0
  try {
    const stream = runtime.generate({
      model: config.name,
      prompt: options.prompt ?? 'The quick brown fox',
      maxTokens: options.maxTokens ?? 32,
      deadline: Date.now() + (options.timeoutMs ?? 120_000),
    })
    for await (const chunk of stream) {
      last = performance.now()
      first ??= last
      tokens += chunk.tokens
    }
    const result = await stream.result
    if (first === undefined)
      throw new GenerationError(`Model ${config.name} answered no tokens`, {
        details: `finish reason ${result.finishReason}`,
      })
    return {
      tokensPerSecond: tokens < 2 || last <= first ? 0 : (tokens - 1) / ((last - first) / 1000),
      timeToFirstTokenMs: first - started,
      completionTokens: tokens,
      backend: result.backend,
    }
  } catch (error) {
    throw unavailable(config, error)
  }
}

/** The error an operator reads when `config`'s model failed with `error`: what failed and the fix. */
export function unavailable(config: LlmModelConfig, error: unknown): ModelUnavailableError {
  return new ModelUnavailableError(`Model ${config.name} cannot serve: ${errorLine(error)}`, {
    model: config.name,
    details: fixFor(config, error),
    cause: error,
  })
}

function fixFor(config: LlmModelConfig, error: unknown): string {
  if (config.kind === 'openai') {
    const where = `${config.baseUrl} (model ${config.upstreamModel ?? config.name})`
    if (error instanceof UpstreamStatusError && (error.status === 401 || error.status === 403))
      return `${where} refused the API key (HTTP ${error.status}): set the right key in the variable named by "apiKeyEnv" of provide.models "${config.name}".`
    if (error instanceof UpstreamStatusError && error.status === 404)
      return `${where} does not know this model or path (HTTP 404): set "upstream.model" to a name its /v1/models lists, and "baseUrl" to the server root.`
    if (error instanceof UpstreamStatusError)
      return `${where} answered HTTP ${error.status}: check the server's own log.`
    if (error instanceof UpstreamUnreachableError)
      return `Nothing answers at ${config.baseUrl}: start the server (vLLM, llama-server, Ollama, SGLang) or fix "upstream.baseUrl".`
    if (error instanceof UpstreamProtocolError)
      return `${where} does not speak the OpenAI streaming format: point "upstream.baseUrl" at an OpenAI-compatible server.`
    return `Check that ${where} serves /v1/completions with stream: true.`
  }
  if (error instanceof ModelNotFoundError)
    return config.source.startsWith('hf:')
      ? `Run \`cocoon models pull ${config.name}\` to download ${config.source} (it needs network access to huggingface.co), or configure a local GGUF path.`
      : `No GGUF file at ${config.source}: copy the model there, fix "source", or run \`cocoon init --try\` for a test model.`
  if (error instanceof ModelCorruptError)
    return `${config.source} is not a valid GGUF file: download or convert it again.`
  if (error instanceof ModelTooLargeError || error instanceof ModelLoadError)
    return `llama.cpp could not load ${config.source}: lower "contextSize", choose a smaller quantisation, or set "gpu" to another backend (cocoon doctor lists them).`
  return `Try it alone with \`cocoon models test ${config.name}\`; COCOON_DEBUG=1 prints the stack.`
}

/** The cache key of a model's figures: its file (path, size, modification time) or its upstream, and the hardware. */
export async function benchmarkKey(config: LlmModelConfig, hardware: HardwareInfo): Promise<string> {
  let source: unknown
  if (config.kind === 'openai') source = [config.baseUrl, config.upstreamModel ?? config.name]
  else {
    // a local file is identified by size and mtime (hashing a 40 GB file at every start is too slow)
    const s = config.source.startsWith('hf:') ? undefined : await stat(config.source)
    source = [config.source, s?.size, s?.mtimeMs, config.contextSize, config.gpu, config.maxConcurrency]
  }
  const hw = [hardware.gpus.map((g) => [g.name, g.vramMb, g.driverVersion]), hardware.cpu]
  return createHash('sha256')
    .update(JSON.stringify([source, hw]))
    .digest('hex')
    .slice(0, 32)
}

type BenchmarkCache = Record<string, ModelFigures & { measuredAt: number }>

async function readCache(home: string): Promise<BenchmarkCache> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(home, MODEL_BENCHMARKS_FILE), 'utf8'))
    return typeof parsed === 'object' && parsed !== null ? (parsed as BenchmarkCache) : {}
  } catch {
    // no cache yet, or an unreadable one: every model is measured again
    return {}
  }
}

async function writeCache(home: string, cache: BenchmarkCache): Promise<void> {
  await mkdir(home, { recursive: true })
  const file = join(home, MODEL_BENCHMARKS_FILE)
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(cache, null, 2)}\n`)
  await rename(tmp, file)
}

/**
 * Tries every model: a one-token probe (the model loads and answers), then
 * the benchmark unless `<home>/model-benchmarks.json` (with a home) has figures for the same
 * file or upstream on the same hardware. `progress` hears each step.
 */
export async function checkModels(
  runtime: Pick<Runtime, 'generate' | 'hardware'>,
  models: readonly LlmModelConfig[],
  options: {
    /** Where the cache lives; without one every model is measured. */
    home?: string
    progress?: (step: { model: string; phase: 'probing' | 'benchmarking' }) => void
    now?: () => number
  },
): Promise<ModelStatus[]> {
  const now = options.now ?? Date.now
  const cache = options.home === undefined ? {} : await readCache(options.home)
  const statuses: ModelStatus[] = []
  for (const config of models) {
    options.progress?.({ model: config.name, phase: 'probing' })
    try {
      await measureModel(runtime, config, { maxTokens: 1 })
      const key = await benchmarkKey(config, runtime.hardware)
      const cached = cache[key]
      if (cached !== undefined) {
        statuses.push({ id: config.name, ok: true, figures: cached, cached: true })
        continue
      }
      options.progress?.({ model: config.name, phase: 'benchmarking' })
      const figures = await measureModel(runtime, config, { maxTokens: 64 })
      cache[key] = { ...figures, measuredAt: now() }
      statuses.push({ id: config.name, ok: true, figures, cached: false })
    } catch (error) {
      statuses.push({
        id: config.name,
        ok: false,
        error: error instanceof ModelUnavailableError ? error : unavailable(config, error),
      })
    }
  }
  if (options.home !== undefined) await writeCache(options.home, cache)
  return statuses
}
