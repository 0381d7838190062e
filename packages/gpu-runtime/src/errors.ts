/**
 * Typed errors of the gpu-runtime. Each names one condition; `details` says
 * what was wrong and how to fix it. None of them leaves the runtime unusable.
 * Match them by class (`err instanceof QueueFullError`); the family of
 * client faults is one class, {@link InvalidInputError}.
 */
import {
  type AbortedError,
  CocoonError,
  type DeadlineExceededError,
  type TensorTooLargeError,
} from '@cocoon-mesh/protocol'

/** Shared with the other packages: one class per condition across the mesh. */
export { AbortedError, DeadlineExceededError, TensorTooLargeError } from '@cocoon-mesh/protocol'

/** The configured model source (local path or `hf:` URI) does not resolve to a readable file. */
export class ModelNotFoundError extends CocoonError<'ERR_MODEL_NOT_FOUND'> {
  readonly code = 'ERR_MODEL_NOT_FOUND' as const
  override readonly name = 'ModelNotFoundError'
}

/** The model file is corrupt: its GGUF header does not parse, or llama.cpp rejects it. */
export class ModelCorruptError extends CocoonError<'ERR_MODEL_CORRUPT'> {
  readonly code = 'ERR_MODEL_CORRUPT' as const
  override readonly name = 'ModelCorruptError'
}

/** The model does not fit in the memory (RAM plus VRAM) this machine has free. */
export class ModelTooLargeError extends CocoonError<'ERR_MODEL_TOO_LARGE'> {
  readonly code = 'ERR_MODEL_TOO_LARGE' as const
  override readonly name = 'ModelTooLargeError'
}

/** The model loaded but llama.cpp could not create a context for it (for another reason than memory). */
export class ModelLoadError extends CocoonError<'ERR_MODEL_LOAD'> {
  readonly code = 'ERR_MODEL_LOAD' as const
  override readonly name = 'ModelLoadError'
}

/**
 * The bytes are not a well-formed GGUF header (bad magic, version, counts, or
 * a tensor past the end of the file). {@link readGgufSummary} throws it; the
 * runtime reports it as the cause of a {@link ModelCorruptError}.
 */
export class GgufFormatError extends CocoonError<'ERR_GGUF_FORMAT'> {
  readonly code = 'ERR_GGUF_FORMAT' as const
  override readonly name = 'GgufFormatError'
}

/** A job names a model this runtime (or backend, or admission lane) does not serve. */
export class UnknownModelError extends CocoonError<'ERR_UNKNOWN_MODEL'> {
  readonly code = 'ERR_UNKNOWN_MODEL' as const
  override readonly name = 'UnknownModelError'
}

/**
 * The job's input is at fault (the request, a tensor or the ONNX graph), not
 * the provider: another provider would refuse it the same way, so a client
 * does not fail over. One `instanceof InvalidInputError` matches the family.
 */
export abstract class InvalidInputError<C extends string = string> extends CocoonError<C> {}

/** A generate or tensor request breaks the request rules (no prompt, bad maxTokens, unknown op...). */
export class InvalidRequestError extends InvalidInputError<'ERR_INVALID_REQUEST'> {
  readonly code = 'ERR_INVALID_REQUEST' as const
  override readonly name = 'InvalidRequestError'
}

/**
 * The prompt's tokens plus the requested `maxTokens` exceed the model's
 * context: the counts say by how much (the prompt counted by the model's own
 * tokenizer, or as the upstream reported it). Shorten the messages or lower
 * `maxTokens`.
 */
export class ContextLengthExceededError extends InvalidInputError<'ERR_CONTEXT_LENGTH_EXCEEDED'> {
  readonly code = 'ERR_CONTEXT_LENGTH_EXCEEDED' as const
  override readonly name = 'ContextLengthExceededError'
  readonly contextSize: number
  readonly promptTokens: number
  readonly maxTokens: number
  constructor(shortMessage: string, options: ContextLimitCounts & { details?: string; cause?: unknown }) {
    super(shortMessage, options)
    this.contextSize = options.contextSize
    this.promptTokens = options.promptTokens
    this.maxTokens = options.maxTokens
  }
}

/** The counts of a {@link ContextLengthExceededError}, in tokens. */
export interface ContextLimitCounts {
  contextSize: number
  promptTokens: number
  maxTokens: number
}

/** A tensor is not `{ name, dtype, shape, data }` with a supported dtype and matching byte length. */
export class TensorMalformedError extends InvalidInputError<'ERR_TENSOR_MALFORMED'> {
  readonly code = 'ERR_TENSOR_MALFORMED' as const
  override readonly name = 'TensorMalformedError'
}

/** Well-formed tensors that do not fit the op or graph (count, dtype, dimensions, names). */
export class TensorShapeError extends InvalidInputError<'ERR_TENSOR_SHAPE'> {
  readonly code = 'ERR_TENSOR_SHAPE' as const
  override readonly name = 'TensorShapeError'
}

/** The ONNX graph is missing or onnxruntime rejects it. */
export class GraphInvalidError extends InvalidInputError<'ERR_GRAPH_INVALID'> {
  readonly code = 'ERR_GRAPH_INVALID' as const
  override readonly name = 'GraphInvalidError'
}

/**
 * The request needs a feature (stop, top_p, penalties, a grammar, tools) the
 * backend serving its model does not honour; `feature` names it. Another
 * provider may honour it, so this is not the client's fault.
 */
export class FeatureUnsupportedError extends CocoonError<'ERR_FEATURE_UNSUPPORTED'> {
  readonly code = 'ERR_FEATURE_UNSUPPORTED' as const
  override readonly name = 'FeatureUnsupportedError'
  readonly feature: string
  constructor(shortMessage: string, options: { feature: string; details?: string; cause?: unknown }) {
    super(shortMessage, options)
    this.feature = options.feature
  }
}

/** An embedding job names a model whose backend cannot embed. */
export class EmbeddingUnsupportedError extends CocoonError<'ERR_EMBEDDING_UNSUPPORTED'> {
  readonly code = 'ERR_EMBEDDING_UNSUPPORTED' as const
  override readonly name = 'EmbeddingUnsupportedError'
}

/** Generation failed inside the backend (llama.cpp, or the upstream reported an error mid-stream). */
export class GenerationError extends CocoonError<'ERR_GENERATION'> {
  readonly code = 'ERR_GENERATION' as const
  override readonly name = 'GenerationError'
}

/** The OpenAI-compatible upstream could not be reached, or dropped the stream. */
export class UpstreamUnreachableError extends CocoonError<'ERR_UPSTREAM_UNREACHABLE'> {
  readonly code = 'ERR_UPSTREAM_UNREACHABLE' as const
  override readonly name = 'UpstreamUnreachableError'
}

/** The upstream answered with a non-2xx HTTP status (in `status`). */
export class UpstreamStatusError extends CocoonError<'ERR_UPSTREAM_STATUS'> {
  readonly code = 'ERR_UPSTREAM_STATUS' as const
  override readonly name = 'UpstreamStatusError'
  readonly status: number
  constructor(shortMessage: string, options: { status: number; details?: string; cause?: unknown }) {
    super(shortMessage, options)
    this.status = options.status
  }
}

/** The upstream's stream is not what the OpenAI API sends (invalid JSON, ended early). */
export class UpstreamProtocolError extends CocoonError<'ERR_UPSTREAM_PROTOCOL'> {
  readonly code = 'ERR_UPSTREAM_PROTOCOL' as const
  override readonly name = 'UpstreamProtocolError'
}

/** The ONNX graph is larger than the tensor backend's `maxGraphBytes`. */
export class GraphTooLargeError extends CocoonError<'ERR_GRAPH_TOO_LARGE'> {
  readonly code = 'ERR_GRAPH_TOO_LARGE' as const
  override readonly name = 'GraphTooLargeError'
}

/** onnxruntime failed while running a valid graph on matching inputs, or produced no output. */
export class TensorRunError extends CocoonError<'ERR_TENSOR_RUN'> {
  readonly code = 'ERR_TENSOR_RUN' as const
  override readonly name = 'TensorRunError'
}

/** A tensor job reached a runtime configured with `tensor: false`. */
export class TensorDisabledError extends CocoonError<'ERR_TENSOR_DISABLED'> {
  readonly code = 'ERR_TENSOR_DISABLED' as const
  override readonly name = 'TensorDisabledError'
}

/** The model's admission queue is full: the provider is over capacity right now. */
export class QueueFullError extends CocoonError<'ERR_QUEUE_FULL'> {
  readonly code = 'ERR_QUEUE_FULL' as const
  override readonly name = 'QueueFullError'
}

/** The runtime (or the backend) was closed before or while the job ran. */
export class RuntimeClosedError extends CocoonError<'ERR_RUNTIME_CLOSED'> {
  readonly code = 'ERR_RUNTIME_CLOSED' as const
  override readonly name = 'RuntimeClosedError'
}

/** The runtime config is wrong (bad or duplicate model name, unknown model kind). */
export class InvalidConfigError extends CocoonError<'ERR_INVALID_CONFIG'> {
  readonly code = 'ERR_INVALID_CONFIG' as const
  override readonly name = 'InvalidConfigError'
}

/** Every error the gpu-runtime throws, its own and the shared protocol ones. */
export type GpuRuntimeError =
  | ModelNotFoundError
  | ModelCorruptError
  | ModelTooLargeError
  | ModelLoadError
  | GgufFormatError
  | UnknownModelError
  | InvalidRequestError
  | ContextLengthExceededError
  | TensorMalformedError
  | TensorShapeError
  | GraphInvalidError
  | GenerationError
  | FeatureUnsupportedError
  | EmbeddingUnsupportedError
  | UpstreamUnreachableError
  | UpstreamStatusError
  | UpstreamProtocolError
  | GraphTooLargeError
  | TensorRunError
  | TensorDisabledError
  | QueueFullError
  | RuntimeClosedError
  | InvalidConfigError
  | AbortedError
  | DeadlineExceededError
  | TensorTooLargeError

/** The codes of {@link GpuRuntimeError}. */
export type GpuRuntimeErrorCode = GpuRuntimeError['code']
