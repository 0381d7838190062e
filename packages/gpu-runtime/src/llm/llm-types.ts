/** The shapes of LLM jobs on the gpu-runtime: generation and embedding requests, their streams and results, the backend that runs them. */
import type {
  ChatTurn as ChatMessage,
  FeatureName,
  GenerationConstraints,
  ToolCall,
} from '@cocoon-mesh/protocol'
import type { Reservation } from '../admission.js'
import type { LlmModelConfig } from '../config-types.js'
import type {
  AbortedError,
  ContextLengthExceededError,
  DeadlineExceededError,
  EmbeddingUnsupportedError,
  FeatureUnsupportedError,
  GenerationError,
  InvalidRequestError,
  ModelCorruptError,
  ModelLoadError,
  ModelNotFoundError,
  ModelTooLargeError,
  RuntimeClosedError,
  UnknownModelError,
  UpstreamProtocolError,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from '../errors.js'
import type { Runtime } from '../types.js'

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

/** What any backend call may fail with once a request is valid: the model, the upstream or the runtime failed. */
export type BackendRunErrorType =
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
 * What iterating a {@link GenerationStream} throws, and what its promises
 * reject with (they resolve after an abort or a deadline; the iterator throws).
 */
export type GenerationStreamErrorType =
  | AbortedError
  | DeadlineExceededError
  | InvalidRequestError
  | ContextLengthExceededError
  | UnknownModelError
  | BackendRunErrorType

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
  | BackendRunErrorType

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
