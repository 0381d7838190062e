/**
 * The runtime a provider embeds: its LLM backends and tensor backend behind
 * admission (bounded concurrency and queue per model), hardware discovery and
 * the cached self-benchmark.
 */
import { join } from 'node:path'
import type { FeatureName } from '@cocoon-mesh/protocol'
import { markHandled } from '@cocoon-mesh/protocol'
import { defaultLogger } from '@libp2p/logger'
import { Admission, type Release, type Reservation } from './admission.js'
import { capacityKey, selfBenchmark } from './benchmark.js'
import {
  AbortedError,
  DeadlineExceededError,
  EmbeddingUnsupportedError,
  InvalidConfigError,
  RuntimeClosedError,
  TensorDisabledError,
  UnknownModelError,
} from './errors.js'
import { detectHardware } from './hardware.js'
import { validateEmbedRequest } from './llm/embed-request.js'
import { createLlamaBackend, type LlamaBackend } from './llm/llama-backend.js'
import { createOpenAiBackend } from './llm/openai-backend.js'
import { checkFeatures, validateGenerateRequest } from './llm/request.js'
import {
  createGenerationStream,
  emptyUsage,
  isProducerBackend,
  type StreamProducerContext,
} from './llm/stream.js'
import { createOnnxBackend, type OnnxTensorBackend } from './tensor/onnx-backend.js'
import type {
  AdmissionLimits,
  AdmissionStats,
  Capacity,
  EmbedRequest,
  EmbedResult,
  GenerateRequest,
  GenerationResult,
  GenerationStream,
  HardwareInfo,
  LlamaModelConfig,
  LlmBackend,
  LlmModelConfig,
  OpenAiModelConfig,
  Runtime,
  RuntimeConfig,
  TensorConfig,
  TensorRequest,
  TensorResult,
} from './types.js'

/** The admission lane of tensor jobs in {@link Runtime.stats}. */
export const TENSOR_LANE = '@tensor'

const DEFAULT_QUEUE = 16

/**
 * Builds the runtime: validates the model config, discovers the hardware
 * (unless given) and creates the backends; models load on their first job.
 * @throws {CreateRuntimeErrorType}
 */
export async function createRuntime(config: RuntimeConfig = {}): Promise<Runtime> {
  const hardware = config.hardware ?? (await detectHardware())
  const models = config.models ?? []
  checkModels(models)
  return new LocalRuntime(config, hardware, models)
}

/** Model names are non-empty, unique and not the tensor lane; kinds are known. */
function checkModels(models: LlmModelConfig[]): void {
  const names = new Set<string>()
  for (const m of models) {
    if (typeof m.name !== 'string' || m.name === '' || m.name === TENSOR_LANE) {
      throw new InvalidConfigError(`Bad model name ${JSON.stringify(m.name)}`, {
        details: 'Names are non-empty and not "@tensor".',
      })
    }
    if (names.has(m.name)) throw new InvalidConfigError(`Model ${m.name} is configured twice`)
    names.add(m.name)
    const kind: unknown = m.kind
    if (kind !== 'llama' && kind !== 'openai') {
      throw new InvalidConfigError(
        `Model ${m.name} has unknown kind ${String((m as { kind: unknown }).kind)}`,
        {
          details: 'kind is "llama" (a GGUF file or hf: URI) or "openai" (an upstream server).',
        },
      )
    }
  }
}

/** One admission lane per model, and {@link TENSOR_LANE} when tensor jobs are on. */
function admissionLimits(
  models: LlmModelConfig[],
  tensor: TensorConfig | undefined,
): Record<string, AdmissionLimits> {
  const limits: Record<string, AdmissionLimits> = {}
  for (const m of models) {
    limits[m.name] = {
      maxConcurrency: m.maxConcurrency ?? (m.kind === 'llama' ? 1 : 4),
      maxQueue: m.maxQueue ?? DEFAULT_QUEUE,
    }
  }
  if (tensor !== undefined) {
    limits[TENSOR_LANE] = {
      maxConcurrency: tensor.maxConcurrency ?? 1,
      maxQueue: tensor.maxQueue ?? DEFAULT_QUEUE,
    }
  }
  return limits
}

class LocalRuntime implements Runtime {
  readonly hardware: HardwareInfo
  private readonly now: () => number
  private readonly admission: Admission
  private readonly llmModels: LlmModelConfig[]
  private readonly backendOf = new Map<string, LlmBackend>()
  private readonly llama: LlamaBackend | undefined
  private readonly openai: LlmBackend | undefined
  private readonly tensorConfig: TensorConfig | undefined
  private readonly tensor: OnnxTensorBackend | undefined
  private capacity: Capacity | undefined
  private closed = false

  constructor(
    private readonly config: RuntimeConfig,
    hardware: HardwareInfo,
    models: LlmModelConfig[],
  ) {
    const now = config.now ?? Date.now
    const logger = config.logger ?? defaultLogger()
    this.hardware = hardware
    this.now = now
    this.tensorConfig = config.tensor === false ? undefined : (config.tensor ?? {})
    this.admission = new Admission({ limits: admissionLimits(models, this.tensorConfig), now })
    const llamaModels = models.filter((m): m is LlamaModelConfig => m.kind === 'llama')
    const openAiModels = models.filter((m): m is OpenAiModelConfig => m.kind === 'openai')
    this.llmModels = [...llamaModels, ...openAiModels]
    this.llama =
      llamaModels.length > 0
        ? createLlamaBackend({
            models: llamaModels,
            hardware,
            modelsDir: config.home === undefined ? undefined : join(config.home, 'models'),
            now,
            logger,
          })
        : undefined
    this.openai =
      openAiModels.length > 0 ? createOpenAiBackend({ models: openAiModels, now, logger }) : undefined
    for (const m of llamaModels) if (this.llama !== undefined) this.backendOf.set(m.name, this.llama)
    for (const m of openAiModels) if (this.openai !== undefined) this.backendOf.set(m.name, this.openai)
    const tensor = this.tensorConfig
    this.tensor =
      tensor === undefined
        ? undefined
        : createOnnxBackend({
            hardware,
            provider: tensor.provider,
            maxGraphBytes: tensor.maxGraphBytes,
            maxTensorBytes: tensor.maxTensorBytes,
            threads: tensor.threads,
            gflopsPerSecond: () => this.capacity?.gflops,
            now,
            logger,
          })
  }

  models(): string[] {
    return [...this.backendOf.keys()]
  }

  features(model: string): FeatureName[] {
    return this.backendOf.get(model)?.features(model) ?? []
  }

  contextSize(model: string): number | undefined {
    return this.backendOf.get(model)?.contextSize(model)
  }

  embeddingModels(): string[] {
    return this.models().filter((m) => this.backendOf.get(m)?.canEmbed(m) === true)
  }

  embed(request: EmbedRequest): Promise<EmbedResult> {
    if (this.closed) throw new RuntimeClosedError('The runtime is closed')
    validateEmbedRequest(request)
    const backend = this.backend(request.model)
    if (!backend.canEmbed(request.model)) {
      throw new EmbeddingUnsupportedError(`Model ${request.model} does not embed on this provider`, {
        details: `Models that embed: ${this.embeddingModels().join(', ') || 'none'}.`,
      })
    }
    // Throws QueueFullError synchronously; an embedding shares its model's lane with generation.
    const ticket = this.admission.enqueue(request.model, {
      signal: request.signal,
      deadline: request.deadline,
      reservation: request.reservation,
    })
    return ticket.then(async (release) => {
      try {
        return await backend.embed(request)
      } finally {
        release()
      }
    })
  }

  private backend(model: string): LlmBackend {
    const backend = this.backendOf.get(model)
    if (backend === undefined) {
      throw new UnknownModelError(`Unknown model ${model}`, {
        details: `Served models: ${this.models().join(', ')}`,
      })
    }
    return backend
  }

  generate(request: GenerateRequest): GenerationStream {
    if (this.closed) throw new RuntimeClosedError('The runtime is closed')
    validateGenerateRequest(request)
    const backend = this.backend(request.model)
    checkFeatures(request, backend.features(request.model), backend.name)
    // Throws QueueFullError (or a passed deadline / fired signal) synchronously.
    const ticket = this.admission.enqueue(request.model, {
      signal: request.signal,
      deadline: request.deadline,
      reservation: request.reservation,
    })
    // runAdmitted awaits the ticket; until the stream starts producing nobody does.
    markHandled(ticket)
    return createGenerationStream({
      signal: request.signal,
      deadline: request.deadline,
      now: this.now,
      produce: (ctx) => runAdmitted(backend, request, ticket, ctx),
    })
  }

  async runTensor(request: TensorRequest): Promise<TensorResult> {
    if (this.closed) throw new RuntimeClosedError('The runtime is closed')
    if (this.tensor === undefined) throw new TensorDisabledError('Tensor jobs are disabled on this provider')
    const release = await this.admission.enqueue(TENSOR_LANE, {
      signal: request.signal,
      deadline: request.deadline,
      reservation: request.reservation,
    })
    try {
      return await this.tensor.run(request)
    } finally {
      release()
    }
  }

  stats(): Record<string, AdmissionStats> {
    return this.admission.stats()
  }

  reserve(key: string): Reservation {
    if (this.closed) throw new RuntimeClosedError('The runtime is closed')
    return this.admission.reserve(key)
  }

  /** Benchmarks the first configured model (llama before openai) and the tensor backend. */
  async benchmark(options: { force?: boolean } = {}): Promise<Capacity> {
    const first = this.llmModels[0]
    const key = capacityKey(this.hardware, {
      model: first === undefined ? null : { ...first, apiKey: undefined },
      tensor: this.tensorConfig ?? null,
    })
    this.capacity = await selfBenchmark({
      home: this.config.home,
      key,
      force: options.force,
      now: this.now,
      llm:
        first === undefined
          ? undefined
          : { backend: this.backendOf.get(first.name) as LlmBackend, model: first.name },
      tensor: this.tensor === undefined ? undefined : { backend: this.tensor },
    })
    return this.capacity
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.admission.rejectAll(new RuntimeClosedError('The runtime closed while the job was queued'))
    await Promise.all([this.llama?.close(), this.openai?.close(), this.tensor?.close()])
  }
}

/**
 * Waits for the admission slot, then runs the backend; a job stopped while
 * queued ends with no usage.
 */
async function runAdmitted(
  backend: LlmBackend,
  request: GenerateRequest,
  ticket: Promise<Release>,
  ctx: StreamProducerContext,
): Promise<GenerationResult> {
  let release: Release
  try {
    release = await ticket
  } catch (error) {
    if (error instanceof AbortedError || error instanceof DeadlineExceededError) return stopped(backend, ctx)
    throw error
  }
  try {
    if (ctx.signal.aborted) return stopped(backend, ctx)
    return await runBackend(backend, request, ctx)
  } finally {
    release()
  }
}

/**
 * Runs the backend into the runtime's stream: straight into the producer
 * context when the backend is a producer, else by relaying its own stream.
 * ctx.signal fires on abort and deadline alike; ctx.stopReason() tells which.
 */
async function runBackend(
  backend: LlmBackend,
  request: GenerateRequest,
  ctx: StreamProducerContext,
): Promise<GenerationResult> {
  if (isProducerBackend(backend)) return await backend.produce(request, ctx)
  const inner = backend.generate({ ...request, signal: ctx.signal, deadline: undefined })
  try {
    for await (const chunk of inner) ctx.emit(chunk)
  } catch (error) {
    if (!ctx.signal.aborted) throw error
  }
  const result = await inner.result
  return ctx.signal.aborted && result.finishReason === 'abort'
    ? { ...result, finishReason: ctx.stopReason() ?? 'abort' }
    : result
}

function stopped(backend: LlmBackend, ctx: StreamProducerContext): GenerationResult {
  return { usage: emptyUsage(), finishReason: ctx.stopReason() ?? 'abort', backend: backend.name }
}
