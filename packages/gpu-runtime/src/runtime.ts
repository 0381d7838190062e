/**
 * The runtime a provider embeds: its LLM backends and tensor backend behind
 * admission (bounded concurrency and queue per model), hardware discovery and
 * the cached self-benchmark.
 */
import { join } from 'node:path'
import { Admission } from './admission.js'
import { capacityKey, selfBenchmark } from './benchmark.js'
import {
  AbortedError,
  DeadlineExceededError,
  InvalidConfigError,
  RuntimeClosedError,
  TensorDisabledError,
  UnknownModelError,
} from './errors.js'
import { detectHardware } from './hardware.js'
import { createLlamaBackend } from './llm/llama-backend.js'
import { createOpenAiBackend } from './llm/openai-backend.js'
import { validateGenerateRequest } from './llm/request.js'
import { createGenerationStream, emptyUsage, isProducerBackend } from './llm/stream.js'
import { createOnnxBackend, type OnnxTensorBackend } from './tensor/onnx-backend.js'
import type {
  AdmissionLimits,
  Capacity,
  GenerateRequest,
  GenerationResult,
  GenerationStream,
  LlamaModelConfig,
  LlmBackend,
  OpenAiModelConfig,
  Runtime,
  RuntimeConfig,
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
  const now = config.now ?? Date.now
  const hardware = config.hardware ?? (await detectHardware())
  const models = config.models ?? []
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
  const llamaModels = models.filter((m): m is LlamaModelConfig => m.kind === 'llama')
  const openAiModels = models.filter((m): m is OpenAiModelConfig => m.kind === 'openai')
  const limits: Record<string, AdmissionLimits> = {}
  for (const m of models) {
    limits[m.name] = {
      maxConcurrency: m.maxConcurrency ?? (m.kind === 'llama' ? 1 : 4),
      maxQueue: m.maxQueue ?? DEFAULT_QUEUE,
    }
  }
  const tensorConfig = config.tensor === false ? undefined : (config.tensor ?? {})
  if (tensorConfig !== undefined) {
    limits[TENSOR_LANE] = {
      maxConcurrency: tensorConfig.maxConcurrency ?? 1,
      maxQueue: tensorConfig.maxQueue ?? DEFAULT_QUEUE,
    }
  }
  const admission = new Admission({ limits, now })
  const llama =
    llamaModels.length > 0
      ? createLlamaBackend({
          models: llamaModels,
          hardware,
          modelsDir: config.home === undefined ? undefined : join(config.home, 'models'),
          now,
        })
      : undefined
  const openai = openAiModels.length > 0 ? createOpenAiBackend({ models: openAiModels, now }) : undefined
  const backendOf = new Map<string, LlmBackend>()
  for (const m of llamaModels) if (llama !== undefined) backendOf.set(m.name, llama)
  for (const m of openAiModels) if (openai !== undefined) backendOf.set(m.name, openai)

  let capacity: Capacity | undefined
  const tensor: OnnxTensorBackend | undefined =
    tensorConfig === undefined
      ? undefined
      : createOnnxBackend({
          hardware,
          provider: tensorConfig.provider,
          maxGraphBytes: tensorConfig.maxGraphBytes,
          maxTensorBytes: tensorConfig.maxTensorBytes,
          threads: tensorConfig.threads,
          gflopsPerSecond: () => capacity?.gflops,
          now,
        })
  let closed = false

  const generate = (request: GenerateRequest): GenerationStream => {
    if (closed) throw new RuntimeClosedError('The runtime is closed')
    validateGenerateRequest(request)
    const backend = backendOf.get(request.model)
    if (backend === undefined) {
      throw new UnknownModelError(`Unknown model ${request.model}`, {
        details: `Served models: ${[...backendOf.keys()].join(', ')}`,
      })
    }
    // Throws QueueFullError (or a passed deadline / fired signal) synchronously.
    const ticket = admission.enqueue(request.model, { signal: request.signal, deadline: request.deadline })
    ticket.catch(() => {})
    return createGenerationStream({
      signal: request.signal,
      deadline: request.deadline,
      now,
      produce: async (ctx): Promise<GenerationResult> => {
        const stopped = (backendName: string): GenerationResult => ({
          usage: emptyUsage(),
          finishReason: ctx.stopReason() ?? 'abort',
          backend: backendName,
        })
        let release: () => void
        try {
          release = await ticket
        } catch (error) {
          if (error instanceof AbortedError || error instanceof DeadlineExceededError)
            return stopped(backend.name)
          throw error
        }
        try {
          if (ctx.signal.aborted) return stopped(backend.name)
          // ctx.signal fires on abort and deadline alike; ctx.stopReason() tells which.
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
        } finally {
          release()
        }
      },
    })
  }

  const runTensor = async (request: TensorRequest): Promise<TensorResult> => {
    if (closed) throw new RuntimeClosedError('The runtime is closed')
    if (tensor === undefined) throw new TensorDisabledError('Tensor jobs are disabled on this provider')
    const release = await admission.enqueue(TENSOR_LANE, {
      signal: request.signal,
      deadline: request.deadline,
    })
    try {
      return await tensor.run(request)
    } finally {
      release()
    }
  }

  return {
    hardware,
    models: () => [...backendOf.keys()],
    generate,
    runTensor,
    stats: () => admission.stats(),
    async benchmark(options = {}) {
      const first = llamaModels[0] ?? openAiModels[0]
      const key = capacityKey(hardware, {
        model: first === undefined ? null : { ...first, apiKey: undefined },
        tensor: tensorConfig ?? null,
      })
      capacity = await selfBenchmark({
        home: config.home,
        key,
        force: options.force,
        now,
        llm:
          first === undefined
            ? undefined
            : { backend: backendOf.get(first.name) as LlmBackend, model: first.name },
        tensor: tensor === undefined ? undefined : { backend: tensor },
      })
      return capacity
    },
    async close() {
      if (closed) return
      closed = true
      admission.rejectAll(new RuntimeClosedError('The runtime closed while the job was queued'))
      await Promise.all([llama?.close(), openai?.close(), tensor?.close()])
    },
  }
}
