/**
 * The typed errors of the job path (`/cocoon/job/1.0.0`, both sides). One
 * class per condition; match them with `instanceof`. Conditions shared with
 * the other packages (an abort, a deadline, a stream that ended, a frame that
 * does not decode, a tensor too large) are protocol's classes, re-exported.
 */
import {
  type AbortedError,
  CocoonError,
  type CocoonErrorOptions,
  type DeadlineExceededError,
  JobErrorCode,
  type MalformedMessageError,
  type MessageTooLargeError,
  RejectReason,
  type StreamEndedError,
  type TensorTooLargeError,
  type UnsupportedVersionError,
} from '@cocoon-mesh/protocol'

/** Shared with the other packages: one class per condition across the mesh. */
export {
  AbortedError,
  DeadlineExceededError,
  MalformedMessageError,
  MessageTooLargeError,
  StreamEndedError,
  TensorTooLargeError,
  UnsupportedVersionError,
} from '@cocoon-mesh/protocol'

// ---- the stream -------------------------------------------------------------

/** The peer sent a well-formed frame that is not allowed at this point of the job. */
export class UnexpectedFrameError extends CocoonError<'ERR_UNEXPECTED_FRAME'> {
  readonly code = 'ERR_UNEXPECTED_FRAME' as const
  override readonly name = 'UnexpectedFrameError'
}

/** A provider's embedding result is not one float32 tensor of shape [inputs, dimensions]. */
export class MalformedEmbeddingError extends CocoonError<'ERR_MALFORMED_EMBEDDING'> {
  readonly code = 'ERR_MALFORMED_EMBEDDING' as const
  override readonly name = 'MalformedEmbeddingError'
}

/** A provider's tool calls name a tool the job did not offer, are too many, or carry arguments that are not JSON. */
export class MalformedToolCallError extends CocoonError<'ERR_MALFORMED_TOOL_CALL'> {
  readonly code = 'ERR_MALFORMED_TOOL_CALL' as const
  override readonly name = 'MalformedToolCallError'
}

/** A provider whose offer lists `stop` streamed one of the job's stop strings. */
export class StopIgnoredError extends CocoonError<'ERR_STOP_IGNORED'> {
  readonly code = 'ERR_STOP_IGNORED' as const
  override readonly name = 'StopIgnoredError'
}

/** The provider waited longer than its read timeout for the client's next frame (the JobRequest or an input frame). */
export class ReadTimeoutError extends CocoonError<'ERR_READ_TIMEOUT'> {
  readonly code = 'ERR_READ_TIMEOUT' as const
  override readonly name = 'ReadTimeoutError'
}

/** The job stream closed (the client reset it, or it was closed) while the provider still served the job; the work stops. */
export class JobStreamClosedError extends CocoonError<'ERR_JOB_STREAM_CLOSED'> {
  readonly code = 'ERR_JOB_STREAM_CLOSED' as const
  override readonly name = 'JobStreamClosedError'
}

/**
 * The provider refused a voucher the client sent (a bad signature, a replay,
 * more than the deposit): the job stops and the client is told why with a
 * JobError of code PAYMENT. The settlement error is the cause.
 */
export class VoucherRefusedError extends CocoonError<'ERR_VOUCHER_REFUSED'> {
  readonly code = 'ERR_VOUCHER_REFUSED' as const
  override readonly name = 'VoucherRefusedError'
}

/** A job stream did not close gracefully (the close failed or timed out), so it was reset with this error as the reason. */
export class CloseFailedError extends CocoonError<'ERR_CLOSE_FAILED'> {
  readonly code = 'ERR_CLOSE_FAILED' as const
  override readonly name = 'CloseFailedError'
}

// ---- tensors ----------------------------------------------------------------

/** A tensor's bytes did not match its header (sha256, length or offsets). */
export class TensorHashMismatchError extends CocoonError<'ERR_TENSOR_HASH_MISMATCH'> {
  readonly code = 'ERR_TENSOR_HASH_MISMATCH' as const
  override readonly name = 'TensorHashMismatchError'
}

/** The worker thread reassembling a large received tensor failed or exited. */
export class TensorWorkerFailedError extends CocoonError<'ERR_TENSOR_WORKER_FAILED'> {
  readonly code = 'ERR_TENSOR_WORKER_FAILED' as const
  override readonly name = 'TensorWorkerFailedError'
}

// ---- the provider's side ----------------------------------------------------

/** The client sent a JobCancel: the provider stops the job. */
export class JobCancelledError extends CocoonError<'ERR_JOB_CANCELLED'> {
  readonly code = 'ERR_JOB_CANCELLED' as const
  override readonly name = 'JobCancelledError'
}

/** The token batcher was cancelled (the job ended some other way): nothing more is sent. */
export class TokenBatcherCancelledError extends CocoonError<'ERR_TOKEN_BATCHER_CANCELLED'> {
  readonly code = 'ERR_TOKEN_BATCHER_CANCELLED' as const
  override readonly name = 'TokenBatcherCancelledError'
}

// ---- one attempt, on the client's side ---------------------------------------

/** The provider sent nothing for longer than the idle timeout. */
export class ProviderTimeoutError extends CocoonError<'ERR_PROVIDER_TIMEOUT'> {
  readonly code = 'ERR_PROVIDER_TIMEOUT' as const
  override readonly name = 'ProviderTimeoutError'
}

/** No stream could be opened to the provider. */
export class ProviderUnreachableError extends CocoonError<'ERR_PROVIDER_UNREACHABLE'> {
  readonly code = 'ERR_PROVIDER_UNREACHABLE' as const
  override readonly name = 'ProviderUnreachableError'
}

/**
 * An attempt ended before its JobResult: the client resets the stream with
 * this reason (a failure on its side, or the caller stopped reading), and the
 * failover books it when an attempt's events end without a result.
 */
export class AttemptEndedError extends CocoonError<'ERR_ATTEMPT_ENDED'> {
  readonly code = 'ERR_ATTEMPT_ENDED' as const
  override readonly name = 'AttemptEndedError'
}

/**
 * The provider claimed more than the client can account for: tokens beyond
 * the request's `maxTokens`, a JobResult whose completion tokens exceed those
 * received, whose prompt tokens exceed the bound of what was sent, or whose
 * cost exceeds the accepted price times the counted usage. The attempt is
 * refused and the provider recorded as cheating. `claimed` and `counted` say
 * by how much.
 */
export class UsageMismatchError extends CocoonError<'ERR_USAGE_MISMATCH'> {
  readonly code = 'ERR_USAGE_MISMATCH' as const
  override readonly name = 'UsageMismatchError'
  readonly claimed: UsageFigures
  readonly counted: UsageFigures

  constructor(
    shortMessage: string,
    figures: { claimed: UsageFigures; counted: UsageFigures },
    options?: CocoonErrorOptions,
  ) {
    super(shortMessage, options)
    this.claimed = figures.claimed
    this.counted = figures.counted
  }
}

/** The usage figures a {@link UsageMismatchError} compares: what the provider claimed, what the client counted (prompt: its upper bound). */
export interface UsageFigures {
  promptTokens: number
  completionTokens: number
  cost: bigint
}

/** The provider's JobAccept quoted a price above its own offer or above the request's max price. */
export class PriceAboveOfferError extends CocoonError<'ERR_PRICE_ABOVE_OFFER'> {
  readonly code = 'ERR_PRICE_ABOVE_OFFER' as const
  override readonly name = 'PriceAboveOfferError'
}

/** The provider answered the JobRequest with a JobReject. */
export class JobRejectedError extends CocoonError<'ERR_JOB_REJECTED'> {
  readonly code = 'ERR_JOB_REJECTED' as const
  override readonly name = 'JobRejectedError'
  readonly reason: RejectReason
  /** With OVER_CAPACITY: the provider's estimate of when it has room, ms (0: none). */
  readonly retryAfterMs: number
  /** With OVER_CAPACITY: the jobs the provider said it holds. */
  readonly queueDepth: number

  constructor(
    reason: RejectReason,
    shortMessage: string,
    options?: CocoonErrorOptions & { retryAfterMs?: number; queueDepth?: number },
  ) {
    super(shortMessage, options)
    this.reason = reason
    this.retryAfterMs = options?.retryAfterMs ?? 0
    this.queueDepth = options?.queueDepth ?? 0
  }
}

/** The provider accepted the job then ended it with a JobError. */
export class JobFailedError extends CocoonError<'ERR_JOB_FAILED'> {
  readonly code = 'ERR_JOB_FAILED' as const
  override readonly name = 'JobFailedError'
  readonly jobErrorCode: JobErrorCode

  constructor(jobErrorCode: JobErrorCode, shortMessage: string, options?: CocoonErrorOptions) {
    super(shortMessage, options)
    this.jobErrorCode = jobErrorCode
  }

  /** True when the error is about the request itself, so another provider would fail the same way. */
  get isClientFault(): boolean {
    return (
      this.jobErrorCode === JobErrorCode.JOB_ERROR_CODE_BAD_INPUT ||
      this.jobErrorCode === JobErrorCode.JOB_ERROR_CODE_HASH_MISMATCH ||
      this.jobErrorCode === JobErrorCode.JOB_ERROR_CODE_TOO_LARGE
    )
  }
}

/**
 * The provider refused the prompt as longer than its model's context, with
 * counts the client found credible (see `contextLimitError`): its context
 * size and the prompt's tokens by its tokenizer, both as the provider said,
 * and the job's own `maxTokens`. The counts only word the error; nothing is
 * billed by them. Another provider of the model would refuse it too, so the
 * job ends here.
 */
export class ContextLengthExceededError extends CocoonError<'ERR_CONTEXT_LENGTH_EXCEEDED'> {
  readonly code = 'ERR_CONTEXT_LENGTH_EXCEEDED' as const
  override readonly name = 'ContextLengthExceededError'
  readonly contextSize: number
  readonly promptTokens: number
  readonly maxTokens: number

  constructor(
    shortMessage: string,
    counts: { contextSize: number; promptTokens: number; maxTokens: number },
    options?: CocoonErrorOptions,
  ) {
    super(shortMessage, options)
    this.contextSize = counts.contextSize
    this.promptTokens = counts.promptTokens
    this.maxTokens = counts.maxTokens
  }
}

// ---- the whole job, on the client's side -------------------------------------

/** No live offer matches the job (model, kind, trust tier, max price). */
export class NoProviderError extends CocoonError<'ERR_NO_PROVIDER'> {
  readonly code = 'ERR_NO_PROVIDER' as const
  override readonly name = 'NoProviderError'
}

/**
 * The provider's tier, as this client verified it, is below the job's
 * `min_trust_tier`: the job is not sent to it (nothing of the input left the
 * client) and another provider is tried.
 */
export class BelowTrustTierError extends CocoonError<'ERR_BELOW_TRUST_TIER'> {
  readonly code = 'ERR_BELOW_TRUST_TIER' as const
  override readonly name = 'BelowTrustTierError'
}

/** Every matching provider rejected the job. `rejections` says who and why. */
export class AllRejectedError extends CocoonError<'ERR_ALL_REJECTED'> {
  readonly code = 'ERR_ALL_REJECTED' as const
  override readonly name = 'AllRejectedError'
  readonly rejections: Array<{ providerId: string; reason: RejectReason; message: string }>

  constructor(
    rejections: Array<{ providerId: string; reason: RejectReason; message: string }>,
    options?: CocoonErrorOptions,
  ) {
    super(`all ${rejections.length} matching providers rejected the job`, options)
    this.rejections = rejections
  }
}

/**
 * Every provider that could serve the job is reachable only through a relay
 * (the client got a limited, relayed connection to it), and each rejected
 * the job with `RELAYED`: its relays carry no jobs.
 */
export class RelayedJobsRefusedError extends CocoonError<'ERR_RELAYED_JOBS_REFUSED'> {
  readonly code = 'ERR_RELAYED_JOBS_REFUSED' as const
  override readonly name = 'RelayedJobsRefusedError'
}

/** Every provider tried failed mid-job (and none are left). */
export class AllProvidersFailedError extends CocoonError<'ERR_ALL_PROVIDERS_FAILED'> {
  readonly code = 'ERR_ALL_PROVIDERS_FAILED' as const
  override readonly name = 'AllProvidersFailedError'
}

/** Matching offers exist, but the job would cost more than the budget left. */
export class BudgetExceededError extends CocoonError<'ERR_BUDGET_EXCEEDED'> {
  readonly code = 'ERR_BUDGET_EXCEEDED' as const
  override readonly name = 'BudgetExceededError'
}

/** The job request is invalid before anything is sent (e.g. neither prompt nor messages). */
export class InvalidJobError extends CocoonError<'ERR_INVALID_JOB'> {
  readonly code = 'ERR_INVALID_JOB' as const
  override readonly name = 'InvalidJobError'
}

/** A call that needs Node (a home folder, the file system) was made in a browser. */
export class NodeOnlyError extends CocoonError<'ERR_NODE_ONLY'> {
  readonly code = 'ERR_NODE_ONLY' as const
  override readonly name = 'NodeOnlyError'
}

/**
 * A call needs an optional package the app did not install (payments from a
 * home folder need `datastore-level` for their LevelDB voucher store).
 */
export class MissingDependencyError extends CocoonError<'ERR_MISSING_DEPENDENCY'> {
  readonly code = 'ERR_MISSING_DEPENDENCY' as const
  override readonly name = 'MissingDependencyError'
}

/** Every error the job path throws: its own classes and the shared protocol ones. */
export type JobPathError =
  | StopIgnoredError
  | MalformedToolCallError
  | MalformedEmbeddingError
  | UnexpectedFrameError
  | ReadTimeoutError
  | JobStreamClosedError
  | CloseFailedError
  | VoucherRefusedError
  | TensorHashMismatchError
  | TensorWorkerFailedError
  | JobCancelledError
  | TokenBatcherCancelledError
  | ProviderTimeoutError
  | ProviderUnreachableError
  | AttemptEndedError
  | UsageMismatchError
  | PriceAboveOfferError
  | JobRejectedError
  | JobFailedError
  | ContextLengthExceededError
  | NoProviderError
  | BelowTrustTierError
  | AllRejectedError
  | RelayedJobsRefusedError
  | AllProvidersFailedError
  | BudgetExceededError
  | InvalidJobError
  | AbortedError
  | DeadlineExceededError
  | MalformedMessageError
  | MessageTooLargeError
  | StreamEndedError
  | TensorTooLargeError
  | UnsupportedVersionError

/** The codes of {@link JobPathError}, as a union a `switch` can be checked against. */
export type JobPathErrorCode = JobPathError['code']

export function rejectReasonName(reason: RejectReason): string {
  return RejectReason[reason] ?? String(reason)
}
