/**
 * The public shapes of the gpu-runtime: what a provider can run (LLM
 * generation, tensor jobs), how it is configured, what hardware it found and
 * what capacity it measured, and the errors each call can throw. The shapes
 * of LLM jobs, tensor jobs and the config have their own files, re-exported
 * here; implementations live in their own files.
 */
import type { FeatureName, Tensor, TensorDType } from '@cocoon-mesh/protocol'
import type { Reservation } from './admission.js'
import type {
  AbortedError,
  DeadlineExceededError,
  FeatureUnsupportedError,
  InvalidConfigError,
  InvalidRequestError,
  QueueFullError,
  RuntimeClosedError,
  TensorDisabledError,
  UnknownModelError,
} from './errors.js'
import type {
  EmbedErrorType,
  EmbedRequest,
  EmbedResult,
  GenerateRequest,
  GenerationStream,
  GenerationStreamErrorType,
  LlmBackend,
} from './llm/llm-types.js'
import type {
  TensorProvider,
  TensorRequest,
  TensorResult,
  TensorRunErrorType,
} from './tensor/tensor-types.js'

// the job shapes a client shares, defined in the protocol so that it need not install a runtime
export type {
  ChatTurn as ChatMessage,
  GenerationConstraints,
  JsonSchema,
  ResponseFormat,
  Tensor,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '@cocoon-mesh/protocol'
export * from './config-types.js'
export * from './llm/llm-types.js'
export * from './tensor/tensor-types.js'
/** The element type of a {@link Tensor}. */
export type DType = TensorDType

// --------------------------------------------------------------- hardware

export interface GpuDevice {
  index: number
  name: string
  vramMb: number
  /** Free VRAM at discovery time, when known. */
  vramFreeMb?: number
  driverVersion: string
  uuid?: string
}

export interface CpuInfo {
  model: string
  /** Logical cores. */
  cores: number
}

export interface HardwareInfo {
  /** NVIDIA GPUs found by `nvidia-smi` (empty when none or no driver). */
  gpus: GpuDevice[]
  cpu: CpuInfo
  memoryMb: number
  freeMemoryMb: number
  platform: string
  arch: string
}

/** What a GPU should be used for llama.cpp: a preference from the config. */
export type GpuPreference = 'auto' | 'cuda' | 'vulkan' | 'metal' | 'cpu'

/** The value passed to node-llama-cpp's `getLlama({ gpu })`. */
export type LlamaGpuOption = 'auto' | 'cuda' | 'vulkan' | 'metal' | false

export interface LlamaGpuSelection {
  gpu: LlamaGpuOption
  /** Why this was chosen, for logs. */
  reason: string
}

// --------------------------------------------------------------- capacity

/** What the self-benchmark measured; advertised in the Offer. */
export interface Capacity {
  /** Completion tokens/s on the benchmarked model (0 when no local model). */
  tokensPerSecond: number
  /** Model the tokens/s figure is for. */
  model: string | null
  /** `llama.cpp/cpu` etc. */
  llmBackend: string | null
  /** float32 matmul GFLOP/s. */
  gflops: number
  tensorProvider: TensorProvider
  /** Unix ms. */
  measuredAt: number
  /** Identifies hardware + config; a cached result with another key is re-measured. */
  key: string
}

// -------------------------------------------------------------- admission

export interface AdmissionLimits {
  maxConcurrency: number
  maxQueue: number
}

export interface AdmissionStats {
  running: number
  queued: number
  maxConcurrency: number
  maxQueue: number
}

// ---------------------------------------------------------------- runtime

/** What {@link Runtime.generate} throws synchronously, before it returns the stream. */
export type RuntimeGenerateErrorType =
  | RuntimeClosedError
  | InvalidRequestError
  | FeatureUnsupportedError
  | UnknownModelError
  | QueueFullError
  | AbortedError
  | DeadlineExceededError

/** What {@link Runtime.embed} throws or rejects with: admission's errors, then the backend's. */
export type RuntimeEmbedErrorType = QueueFullError | EmbedErrorType

/** What {@link Runtime.runTensor} rejects with: admission's errors, then the tensor backend's. */
export type RuntimeRunTensorErrorType = TensorDisabledError | QueueFullError | TensorRunErrorType

/**
 * What {@link Runtime.benchmark} rejects with: a failed generation or matmul,
 * or the file system's error writing the cache.
 */
export type RuntimeBenchmarkErrorType = GenerationStreamErrorType | TensorRunErrorType | Error

/** What `createRuntime()` rejects with: a bad config (hardware discovery never fails). */
export type CreateRuntimeErrorType = InvalidConfigError

export interface Runtime {
  readonly hardware: HardwareInfo
  /** LLM model names served. */
  models(): string[]
  /**
   * Admission (bounded concurrency + queue per model) then generation.
   * Throws synchronously (so a provider can reject before accepting):
   * `InvalidRequestError`, `UnknownModelError`, `QueueFullError`, and
   * `DeadlineExceededError` / `AbortedError` when already past/fired. Later
   * failures come through the stream ({@link GenerationStreamErrorType}).
   * @throws {RuntimeGenerateErrorType}
   */
  generate(request: GenerateRequest): GenerationStream
  /** The features `model` honours (see {@link LlmBackend.features}); empty for an unknown model. */
  features(model: string): FeatureName[]
  /** The context size of `model` in tokens when known (see {@link LlmBackend.contextSize}). */
  contextSize(model: string): number | undefined
  /** The LLM model names that can embed. */
  embeddingModels(): string[]
  /**
   * Admission (the model's lane) then an embedding. Throws synchronously like
   * `generate` when refused; later failures reject.
   * @throws {RuntimeEmbedErrorType}
   */
  embed(request: EmbedRequest): Promise<EmbedResult>
  /**
   * Admission then a tensor job. Rejects with a typed error.
   * @throws {RuntimeRunTensorErrorType}
   */
  runTensor(request: TensorRequest): Promise<TensorResult>
  /** Running / queued (reserved places included) counts per model name, and for tensor jobs under `TENSOR_LANE` (`@tensor`). */
  stats(): Record<string, AdmissionStats>
  /**
   * Holds a place in the admission lane of `key` (a model name or
   * `TENSOR_LANE`) for a job about to start; pass it as the request's
   * `reservation`, or release it. This is how a provider decides admission
   * once: room reserved when it accepts is room the job finds.
   * @throws {UnknownModelError | QueueFullError}
   */
  reserve(key: string): Reservation
  /**
   * Short self-benchmark, cached in `home` (see {@link Capacity}).
   * @throws {RuntimeBenchmarkErrorType}
   */
  benchmark(options?: { force?: boolean }): Promise<Capacity>
  close(): Promise<void>
}
