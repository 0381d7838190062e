/**
 * The start-up self-benchmark: a few seconds at most, so the provider
 * advertises tokens/s and GFLOP/s it can really deliver. The result is cached
 * as JSON in the home folder and reused while hardware and config match.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mulberry32 } from './gguf/prng.js'
import { float32Tensor } from './tensor/tensor.js'
import type { Capacity, HardwareInfo, LlmBackend, TensorBackend, TensorProvider } from './types.js'

export const CAPACITY_FILE = 'capacity.json'

export interface SelfBenchmarkOptions {
  /** Folder for `capacity.json`; no caching when omitted. */
  home?: string
  /** Identifies hardware + config; see {@link capacityKey}. */
  key: string
  llm?: { backend: LlmBackend; model: string /** Completion tokens to time (default 64). */; tokens?: number }
  tensor?: {
    backend: TensorBackend /** Square matmul size (default 512). */
    size?: number
    repeats?: number
  }
  /** Re-measure even if a matching cached result exists. */
  force?: boolean
  now?: () => number
}

/** A stable key for the cache: changes when the hardware or the benchmarked config does. */
export function capacityKey(hardware: HardwareInfo, config: unknown): string {
  const h = {
    gpus: hardware.gpus.map((g) => [g.name, g.vramMb, g.driverVersion]),
    cpu: hardware.cpu,
    config,
  }
  return createHash('sha256').update(JSON.stringify(h)).digest('hex').slice(0, 32)
}

export async function readCachedCapacity(home: string, key: string): Promise<Capacity | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(home, CAPACITY_FILE), 'utf8')) as Partial<Capacity>
    if (
      parsed.key === key &&
      typeof parsed.tokensPerSecond === 'number' &&
      typeof parsed.gflops === 'number' &&
      typeof parsed.measuredAt === 'number'
    ) {
      return parsed as Capacity
    }
  } catch {
    // Missing or unreadable cache: measure again.
  }
  return undefined
}

/** Measures completion tokens/s (after the first token) on one model. */
export async function measureTokensPerSecond(
  backend: LlmBackend,
  model: string,
  tokens = 64,
): Promise<number> {
  // Warm-up: loads the model and touches the code paths.
  for await (const _ of backend.generate({ model, prompt: 'warm up', maxTokens: 2 })) {
    // drain
  }
  let first = 0
  let last = 0
  let count = 0
  for await (const chunk of backend.generate({ model, prompt: 'The quick brown fox', maxTokens: tokens })) {
    const t = performance.now()
    if (count === 0) first = t
    else last = t
    count += chunk.tokens
  }
  if (count < 2 || last <= first) return 0
  return (count - 1) / ((last - first) / 1000)
}

/** Measures float32 matmul GFLOP/s (best of `repeats`). */
export async function measureMatmulGflops(
  backend: TensorBackend,
  size = 512,
  repeats = 3,
): Promise<{ gflops: number; provider: TensorProvider }> {
  const r = mulberry32(42)
  const a = Float32Array.from({ length: size * size }, () => r() - 0.5)
  const b = Float32Array.from({ length: size * size }, () => r() - 0.5)
  const inputs = [float32Tensor('A', [size, size], a), float32Tensor('B', [size, size], b)]
  let result = await backend.run({ op: 'matmul', inputs })
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now()
    result = await backend.run({ op: 'matmul', inputs })
    best = Math.min(best, performance.now() - t0)
  }
  return { gflops: result.gflop / (best / 1000), provider: result.provider }
}

/** Runs (or reads from the cache) the self-benchmark. */
export async function selfBenchmark(options: SelfBenchmarkOptions): Promise<Capacity> {
  const now = options.now ?? Date.now
  if (options.home !== undefined && options.force !== true) {
    const cached = await readCachedCapacity(options.home, options.key)
    if (cached !== undefined) return cached
  }
  let tokensPerSecond = 0
  let llmBackend: string | null = null
  if (options.llm !== undefined) {
    tokensPerSecond = await measureTokensPerSecond(options.llm.backend, options.llm.model, options.llm.tokens)
    const stream = options.llm.backend.generate({ model: options.llm.model, prompt: 'x', maxTokens: 1 })
    for await (const _ of stream) {
      // drain
    }
    llmBackend = (await stream.result).backend
  }
  let gflops = 0
  let tensorProvider: TensorProvider = 'cpu'
  if (options.tensor !== undefined) {
    const m = await measureMatmulGflops(options.tensor.backend, options.tensor.size, options.tensor.repeats)
    gflops = m.gflops
    tensorProvider = m.provider
  }
  const capacity: Capacity = {
    tokensPerSecond,
    model: options.llm?.model ?? null,
    llmBackend,
    gflops,
    tensorProvider,
    measuredAt: now(),
    key: options.key,
  }
  if (options.home !== undefined) {
    await mkdir(options.home, { recursive: true })
    const file = join(options.home, CAPACITY_FILE)
    const tmp = `${file}.${process.pid}.tmp`
    await writeFile(tmp, `${JSON.stringify(capacity, null, 2)}\n`)
    await rename(tmp, file)
  }
  return capacity
}
