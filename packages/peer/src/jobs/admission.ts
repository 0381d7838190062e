/** Whether the provider takes a JobRequest: its job limit, the request itself, the runtime's capacity. */
import { TENSOR_LANE } from '@cocoon-mesh/gpu-runtime'
import {
  JobKind,
  type JobRequest,
  missingFeatures,
  type Prices,
  RejectReason,
  requiredFeatures,
} from '@cocoon-mesh/protocol'
import { DEFAULT_MAX_CONCURRENT_JOBS, type JobServiceInit } from './provider-types.js'
import { findModel } from './serve-work.js'
import { type ValidationFailure, validateRequest } from './validate.js'

/**
 * Why the service refuses `request` at `price`, or `undefined` to accept it:
 * its own job limit (`active` jobs running), the request's validation, then
 * the runtime lane's admission (running plus queued against its limits).
 */
export function admissionFailure(
  request: JobRequest,
  price: Prices,
  service: { active: number; init: JobServiceInit; now: number },
): ValidationFailure | undefined {
  const { init } = service
  if (service.active >= (init.maxConcurrentJobs ?? DEFAULT_MAX_CONCURRENT_JOBS)) {
    return { reason: RejectReason.REJECT_REASON_OVER_CAPACITY, message: 'provider is at its job limit' }
  }
  const failure = validateRequest(request, {
    price,
    now: service.now,
    models: init.runtime.models(),
    embeddingModels: init.runtime.embeddingModels?.() ?? [],
  })
  if (failure !== undefined) return failure
  const key =
    request.kind === JobKind.JOB_KIND_TENSOR ? TENSOR_LANE : findModel(init.runtime.models(), request.model)
  const missing =
    key === undefined ? [] : missingFeatures(init.runtime.features?.(key) ?? [], requiredFeatures(request))
  if (missing.length > 0) {
    return {
      reason: RejectReason.REJECT_REASON_BAD_REQUEST,
      message: `the backend of ${request.model} here does not support ${missing.join(', ')}`,
    }
  }
  const stats = key === undefined ? undefined : init.runtime.stats()[key]
  if (request.kind === JobKind.JOB_KIND_TENSOR && stats === undefined) {
    return {
      reason: RejectReason.REJECT_REASON_UNKNOWN_MODEL,
      message: 'this provider does not run tensor jobs',
    }
  }
  if (stats !== undefined && stats.running + stats.queued >= stats.maxConcurrency + stats.maxQueue) {
    return {
      reason: RejectReason.REJECT_REASON_OVER_CAPACITY,
      message: `${stats.running} running and ${stats.queued} queued of ${stats.maxConcurrency}+${stats.maxQueue}`,
    }
  }
  return undefined
}
