/**
 * The public shapes of the gpu-runtime: what a provider can run (LLM
 * generation, tensor jobs), how it is configured, what hardware it found and
 * what capacity it measured, and the errors each call can throw.
 * Implementations live in their own files.
 */
import type {
  ChatTurn as ChatMessage,
  FeatureName,
  GenerationConstraints,
  Tensor,
  TensorDType,
  ToolCall,
} from '@cocoon-mesh/protocol'
import type { ComponentLogger } from '@libp2p/interface'
import type { Reservation } from './admission.js'
import type {
  AbortedError,
  ContextLengthExceededError,
  DeadlineExceededError,
  EmbeddingUnsupportedError,
  FeatureUnsupportedError,
  GenerationError,
  GraphInvalidError,
  GraphTooLargeError,
  InvalidConfigError,
  InvalidRequestError,
  ModelCorruptError,
  ModelLoadError,
  ModelNotFoundError,
  ModelTooLargeError,
  QueueFullError,
  RuntimeClosedError,
  TensorDisabledError,
  TensorMalformedError,
  TensorRunError,
  TensorShapeError,
  TensorTooLargeError,
  UnknownModelError,
  UpstreamProtocolError,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from './errors.js'

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
/** The element type of a {@link Tensor}. */
export type DType = TensorDType

// ---------------------------------------------------------------- LLM jobs

export interface GenerateRequest extends GenerationConstraints {
  /** The model name as configured (see {@link LlmModelConfig.name}). */
  model: string
  /** A raw completion prompt. Exactly one of `prompt` and `messages` is set. */
  prompt?: string
  /** Chat messages; the model's chat template is applied. */
  messages?: ChatMessage[]
  /** Upper bound on completion tokens (>= 1). */
  maxTokens: number
  /** 0 (default) is greedy and reproducible. */
  temperature?: number
  /** Sampling seed; with the same seed and temperature the output repeats. */
  seed?: number
  /**
   * Text the caller already received from an earlier provider (failover):
   * appended to the prompt so generation continues where it stopped. Its
   * tokens count as prompt tokens.
   */
  continuation?: string
  /** Aborting stops generation within one token and rejects with `AbortedError`. */
  signal?: AbortSignal
  /** Unix ms; past it, generation stops and rejects with `DeadlineExceededError`. */
  deadline?: number
  /** The place {@link Runtime.reserve} held for this job: admission then never finds the queue full. */
  reservation?: Reservation
}

/** What {@link LlmBackend.generate} throws synchronously. */
export type LlmBackendGenerateErrorType =
  | InvalidRequestError
  | UnknownModelError
  | FeatureUnsupportedError
  | RuntimeClosedError

/** A piece of streamed output. */
export interface TokenChunk {
  text: string
  /** Completion tokens this chunk covers (usually 1). */
  tokens: number
}

/** Token usage, split the way Cocoon bills it. */
export interface Usage {
  promptTokens: number
  cachedTokens: number
  completionTokens: number
  reasoningTokens: number
}

/**
 * `stop`: end of generation token or stop sequence; `length`: `maxTokens`
 * reached (a constrained completion may then be incomplete JSON);
 * `tool_calls`: the completion is the tool calls of the result; `abort`: the
 * caller's signal fired; `deadline`: the job deadline passed.
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'abort' | 'deadline'

export interface GenerationResult {
  usage: Usage
  finishReason: FinishReason
  /**
   * Set when the model called tools (finish reason `tool_calls`): the streamed
   * text was the JSON of these calls, not assistant content.
   */
  toolCalls?: ToolCall[]
  /** What ran it, e.g. `llama.cpp/cpu`, `llama.cpp/cuda`, `openai/http://127.0.0.1:8000`. */
  backend: string
}

/**
 * What iterating a {@link GenerationStream} throws, and what its promises
 * reject with (they resolve after an abort or a deadline; the iterator throws).
 */
export type GenerationStreamErrorType =
  | AbortedError
  | DeadlineExceededError
  | InvalidRequestError
  | ContextLengthExceededError
  | UnknownModelError
  | GenerationError
  | ModelNotFoundError
  | ModelCorruptError
  | ModelTooLargeError
  | ModelLoadError
  | UpstreamUnreachableError
  | UpstreamStatusError
  | UpstreamProtocolError
  | RuntimeClosedError

/**
 * Streamed generation. Iterate it once for the chunks. The promises settle
 * when the stream ends, however it ends: after an abort or a deadline they
 * still resolve with the usage of the tokens produced so far (the iterator
 * throws the typed error), so delivered work can be billed. They reject only
 * when generation failed (e.g. the model could not be loaded); they never
 * cause an unhandled rejection if nobody awaits them.
 * @throws {GenerationStreamErrorType} from the iterator and the promises.
 */
export interface GenerationStream extends AsyncIterable<TokenChunk> {
  readonly result: Promise<GenerationResult>
  readonly usage: Promise<Usage>
  readonly finishReason: Promise<FinishReason>
}

export interface EmbedRequest {
  model: string
  /** Texts to embed (1-256, non-empty). */
  inputs: string[]
  signal?: AbortSignal
  /** Unix ms. */
  deadline?: number
  /** The place {@link Runtime.reserve} held for this job. */
  reservation?: Reservation
}

export interface EmbedResult {
  /** One vector per input, in order, all of the same length. */
  embeddings: Float32Array[]
  /** `promptTokens`: the tokens of all inputs, what an embedding job bills. */
  usage: Usage
  backend: string
}

/** What {@link LlmBackend.embed} rejects with. */
export type EmbedErrorType =
  | InvalidRequestError
  | UnknownModelError
  | EmbeddingUnsupportedError
  | AbortedError
  | DeadlineExceededError
  | GenerationError
  | ModelNotFoundError
  | ModelCorruptError
  | ModelTooLargeError
  | ModelLoadError
  | UpstreamUnreachableError
  | UpstreamStatusError
  | UpstreamProtocolError
  | RuntimeClosedError

export interface LlmBackend {
  /** e.g. `llama.cpp` or `openai`. */
  readonly name: string
  /** The model names this backend serves. */
  models(): string[]
  /** The features this backend honours for `model` (see `FEATURE_NAMES`). */
  features(model: string): FeatureName[]
  /**
   * The context size of `model` in tokens (prompt plus completion), when
   * known: a loaded llama model's, or an upstream's as configured.
   */
  contextSize(model: string): number | undefined
  /** Whether {@link embed} can serve `model`. */
  canEmbed(model: string): boolean
  /**
   * Embeds texts with `model`.
   * @throws {EmbedErrorType}
   */
  embed(request: EmbedRequest): Promise<EmbedResult>
  /**
   * Starts generation; a bad request, an unknown model or a closed backend
   * throw here, everything later comes through the stream.
   * @throws {LlmBackendGenerateErrorType}
   */
  generate(request: GenerateRequest): GenerationStream
  close(): Promise<void>
}

// ------------------------------------------------------------- tensor jobs

export type TensorOp = 'matmul' | 'onnx'

export interface TensorRequest {
  /** `matmul`: built-in `A[m,k] x B[k,n]` (float32). `onnx`: run `graph`. */
  op: TensorOp
  /** Serialized ONNX ModelProto, required for `onnx`, size-limited. */
  graph?: Uint8Array
  /** Inputs by position; for `onnx` their names must match the graph's inputs. */
  inputs: Tensor[]
  /** Which outputs to return for `onnx` (default: all). */
  outputNames?: string[]
  signal?: AbortSignal
  /** Unix ms. */
  deadline?: number
  /** The place {@link Runtime.reserve} held for this job. */
  reservation?: Reservation
}

export type TensorProvider = 'cuda' | 'cpu'

export interface TensorResult {
  outputs: Tensor[]
  /** The execution provider that actually ran the job. */
  provider: TensorProvider
  /**
   * Work done in GFLOP: exact (2mkn) for matmul. For an ONNX graph, whose
   * FLOPs are not counted, it is GFLOP-equivalents: run seconds x the
   * self-benchmarked matmul GFLOP/s (0 before the runtime has benchmarked).
   */
  gflop: number
  /** e.g. `onnxruntime/cpu`. */
  backend: string
}

/** What {@link TensorBackend.run} rejects with. */
export type TensorRunErrorType =
  | RuntimeClosedError
  | AbortedError
  | DeadlineExceededError
  | InvalidRequestError
  | TensorMalformedError
  | TensorShapeError
  | TensorTooLargeError
  | GraphInvalidError
  | GraphTooLargeError
  | TensorRunError

export interface TensorBackend {
  readonly name: string
  /** The provider jobs will run on (known after the first job or `ready()`). */
  provider(): TensorProvider
  /** @throws {TensorRunErrorType} */
  run(request: TensorRequest): Promise<TensorResult>
  close(): Promise<void>
}

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

// ----------------------------------------------------------------- config

export interface LlamaModelConfig {
  kind: 'llama'
  /** Name clients ask for. */
  name: string
  /** Local GGUF path or an `hf:` URI (downloaded by node-llama-cpp into `modelsDir`). */
  source: string
  gpu?: GpuPreference
  /** CPU threads, default `max(1, cores - 1)`. */
  threads?: number
  /** Context size in tokens (default: min(model's, 4096)). */
  contextSize?: number
  /** Parallel sequences = concurrency for this model (default 1). */
  maxConcurrency?: number
  /** Queued jobs beyond concurrency (default 16). */
  maxQueue?: number
}

export interface OpenAiModelConfig {
  kind: 'openai'
  name: string
  /** e.g. `http://127.0.0.1:8000` (vLLM), `http://127.0.0.1:8080` (llama-server), `http://127.0.0.1:11434` (Ollama). */
  baseUrl: string
  /** The model name the upstream expects (default: `name`). */
  upstreamModel?: string
  apiKey?: string
  /** Connect+headers timeout in ms (default 10 000). */
  timeoutMs?: number
  maxConcurrency?: number
  maxQueue?: number
  /**
   * What the upstream honours and the offer advertises (default: stop,
   * top_p, penalties, json_object, json_schema and tools, which vLLM and
   * Ollama accept; add `grammar` for vLLM's `guided_grammar`).
   */
  features?: FeatureName[]
  /**
   * The upstream's context size for this model in tokens, stated in offers
   * (default: not stated). The upstream still decides; this only lets a
   * client refuse a `max_tokens` that cannot fit before sending the job.
   */
  contextSize?: number
  /** The upstream serves `/v1/embeddings` for this model (default false). */
  embeddings?: boolean
}

export type LlmModelConfig = LlamaModelConfig | OpenAiModelConfig

export interface TensorConfig {
  /** `auto` (default) tries CUDA when a GPU was detected, else CPU. */
  provider?: 'auto' | TensorProvider
  /** Max ONNX graph bytes (default 64 MiB). */
  maxGraphBytes?: number
  /** Max bytes of one tensor (default 256 MiB). */
  maxTensorBytes?: number
  /** ORT intra-op threads (default `max(1, cores - 1)`). */
  threads?: number
  maxConcurrency?: number
  maxQueue?: number
}

export interface RuntimeConfig {
  /** Folder for the benchmark cache and downloaded models. */
  home?: string
  models?: LlmModelConfig[]
  /** Tensor jobs; omit or `false` to disable. */
  tensor?: TensorConfig | false
  /** Detected if omitted. */
  hardware?: HardwareInfo
  /** Clock for admission and deadlines (default `Date.now`). */
  now?: () => number
  /** Where the runtime and its backends log (default `defaultLogger()` of @libp2p/logger). */
  logger?: ComponentLogger
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
