/**
 * Typed errors of the gpu-runtime. Each names one condition; `details` says
 * what was wrong and how to fix it. None of them leaves the runtime unusable.
 */
import { CocoonError } from '@cocoon-mesh/protocol'

/** Shared with the other packages: one class per condition across the mesh. */
export { AbortedError, DeadlineExceededError, TensorTooLargeError } from '@cocoon-mesh/protocol'

export class ModelNotFoundError extends CocoonError {
  readonly code = 'ERR_MODEL_NOT_FOUND' as const
  override name = 'ModelNotFoundError'
}

export class ModelCorruptError extends CocoonError {
  readonly code = 'ERR_MODEL_CORRUPT' as const
  override name = 'ModelCorruptError'
}

export class ModelTooLargeError extends CocoonError {
  readonly code = 'ERR_MODEL_TOO_LARGE' as const
  override name = 'ModelTooLargeError'
}

export class ModelLoadError extends CocoonError {
  readonly code = 'ERR_MODEL_LOAD' as const
  override name = 'ModelLoadError'
}

export class UnknownModelError extends CocoonError {
  readonly code = 'ERR_UNKNOWN_MODEL' as const
  override name = 'UnknownModelError'
}

export class InvalidRequestError extends CocoonError {
  readonly code = 'ERR_INVALID_REQUEST' as const
  override name = 'InvalidRequestError'
}

export class GenerationError extends CocoonError {
  readonly code = 'ERR_GENERATION' as const
  override name = 'GenerationError'
}

export class UpstreamUnreachableError extends CocoonError {
  readonly code = 'ERR_UPSTREAM_UNREACHABLE' as const
  override name = 'UpstreamUnreachableError'
}

export class UpstreamStatusError extends CocoonError {
  readonly code = 'ERR_UPSTREAM_STATUS' as const
  override name = 'UpstreamStatusError'
  readonly status: number
  constructor(shortMessage: string, options: { status: number; details?: string; cause?: unknown }) {
    super(shortMessage, options)
    this.status = options.status
  }
}

export class UpstreamProtocolError extends CocoonError {
  readonly code = 'ERR_UPSTREAM_PROTOCOL' as const
  override name = 'UpstreamProtocolError'
}

export class TensorMalformedError extends CocoonError {
  readonly code = 'ERR_TENSOR_MALFORMED' as const
  override name = 'TensorMalformedError'
}

export class TensorShapeError extends CocoonError {
  readonly code = 'ERR_TENSOR_SHAPE' as const
  override name = 'TensorShapeError'
}

export class GraphInvalidError extends CocoonError {
  readonly code = 'ERR_GRAPH_INVALID' as const
  override name = 'GraphInvalidError'
}

export class GraphTooLargeError extends CocoonError {
  readonly code = 'ERR_GRAPH_TOO_LARGE' as const
  override name = 'GraphTooLargeError'
}

export class TensorRunError extends CocoonError {
  readonly code = 'ERR_TENSOR_RUN' as const
  override name = 'TensorRunError'
}

export class TensorDisabledError extends CocoonError {
  readonly code = 'ERR_TENSOR_DISABLED' as const
  override name = 'TensorDisabledError'
}

export class QueueFullError extends CocoonError {
  readonly code = 'ERR_QUEUE_FULL' as const
  override name = 'QueueFullError'
}

export class RuntimeClosedError extends CocoonError {
  readonly code = 'ERR_RUNTIME_CLOSED' as const
  override name = 'RuntimeClosedError'
}

export class InvalidConfigError extends CocoonError {
  readonly code = 'ERR_INVALID_CONFIG' as const
  override name = 'InvalidConfigError'
}
