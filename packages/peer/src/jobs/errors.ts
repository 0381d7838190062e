import { CocoonError, type CocoonErrorOptions, JobErrorCode, RejectReason } from '@cocoon-mesh/protocol'

/** The peer sent a well-formed frame that is not allowed at this point of the job. */
export class UnexpectedFrameError extends CocoonError {
  readonly code = 'ERR_UNEXPECTED_FRAME' as const
  override name = 'UnexpectedFrameError'
}

/** A tensor's bytes did not match its header (sha256, length or offsets). */
export class TensorHashMismatchError extends CocoonError {
  readonly code = 'ERR_TENSOR_HASH_MISMATCH' as const
  override name = 'TensorHashMismatchError'
}

/** The worker thread reassembling a large received tensor failed or exited. */
export class TensorWorkerFailedError extends CocoonError {
  readonly code = 'ERR_TENSOR_WORKER_FAILED' as const
  override name = 'TensorWorkerFailedError'
}

/** Shared with the other packages: one class per condition across the mesh. */
export {
  AbortedError,
  MalformedMessageError,
  MessageTooLargeError,
  StreamEndedError,
  TensorTooLargeError,
} from '@cocoon-mesh/protocol'

/** The provider sent nothing for longer than the idle timeout. */
export class ProviderTimeoutError extends CocoonError {
  readonly code = 'ERR_PROVIDER_TIMEOUT' as const
  override name = 'ProviderTimeoutError'
}

/** No stream could be opened to the provider. */
export class ProviderUnreachableError extends CocoonError {
  readonly code = 'ERR_PROVIDER_UNREACHABLE' as const
  override name = 'ProviderUnreachableError'
}

/** The provider answered the JobRequest with a JobReject. */
export class JobRejectedError extends CocoonError {
  readonly code = 'ERR_JOB_REJECTED' as const
  override name = 'JobRejectedError'
  readonly reason: RejectReason

  constructor(reason: RejectReason, shortMessage: string, options?: CocoonErrorOptions) {
    super(shortMessage, options)
    this.reason = reason
  }
}

/** The provider accepted the job then ended it with a JobError. */
export class JobFailedError extends CocoonError {
  readonly code = 'ERR_JOB_FAILED' as const
  override name = 'JobFailedError'
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

/** The job's deadline passed. */
export class JobDeadlineError extends CocoonError {
  readonly code = 'ERR_JOB_DEADLINE' as const
  override name = 'JobDeadlineError'
}

/** No live offer matches the job (model, kind, trust tier, max price). */
export class NoProviderError extends CocoonError {
  readonly code = 'ERR_NO_PROVIDER' as const
  override name = 'NoProviderError'
}

/** Every matching provider rejected the job. `rejections` says who and why. */
export class AllRejectedError extends CocoonError {
  readonly code = 'ERR_ALL_REJECTED' as const
  override name = 'AllRejectedError'
  readonly rejections: Array<{ providerId: string; reason: RejectReason; message: string }>

  constructor(
    rejections: Array<{ providerId: string; reason: RejectReason; message: string }>,
    options?: CocoonErrorOptions,
  ) {
    super(`all ${rejections.length} matching providers rejected the job`, options)
    this.rejections = rejections
  }
}

/** Every provider tried failed mid-job (and none are left). */
export class AllProvidersFailedError extends CocoonError {
  readonly code = 'ERR_ALL_PROVIDERS_FAILED' as const
  override name = 'AllProvidersFailedError'
}

/** Matching offers exist, but the job would cost more than the budget left. */
export class BudgetExceededError extends CocoonError {
  readonly code = 'ERR_BUDGET_EXCEEDED' as const
  override name = 'BudgetExceededError'
}

/** The job request is invalid before anything is sent (e.g. neither prompt nor messages). */
export class InvalidJobError extends CocoonError {
  readonly code = 'ERR_INVALID_JOB' as const
  override name = 'InvalidJobError'
}

export function rejectReasonName(reason: RejectReason): string {
  return RejectReason[reason] ?? String(reason)
}
