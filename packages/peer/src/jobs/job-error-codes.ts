/** The JobError code a provider answers a failure with, chosen by the failure's class. */

import {
  TensorHashMismatchError,
  TensorTooLargeError,
  VoucherRefusedError,
} from '@cocoon-mesh/client/internal'
import { jobErrorCode } from '@cocoon-mesh/gpu-runtime'
import { JobErrorCode } from '@cocoon-mesh/protocol'
import { CreditWindowExhaustedError } from '@cocoon-mesh/settlement'

/** The JobError code for a failure before the work started: reading the request or the input tensors. */
export function inputErrorCode(err: unknown): JobErrorCode {
  if (err instanceof VoucherRefusedError) return JobErrorCode.JOB_ERROR_CODE_PAYMENT
  if (err instanceof TensorTooLargeError) return JobErrorCode.JOB_ERROR_CODE_TOO_LARGE
  if (err instanceof TensorHashMismatchError) return JobErrorCode.JOB_ERROR_CODE_HASH_MISMATCH
  return JobErrorCode.JOB_ERROR_CODE_BAD_INPUT
}

/**
 * The JobError code for a failure of the work itself: the deadline or the
 * client's cancel when one of them stopped it, else the runtime's own mapping
 * by class (`jobErrorCode`), so a client fails over exactly when another
 * provider could succeed.
 */
export function workErrorCode(err: unknown, deadlinePassed: boolean, aborted: boolean): JobErrorCode {
  if (deadlinePassed) return JobErrorCode.JOB_ERROR_CODE_DEADLINE
  if (err instanceof VoucherRefusedError || err instanceof CreditWindowExhaustedError)
    return JobErrorCode.JOB_ERROR_CODE_PAYMENT
  if (aborted) return JobErrorCode.JOB_ERROR_CODE_CANCELLED
  return jobErrorCode(err)
}
