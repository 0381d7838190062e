/**
 * Whether the provider takes a JobRequest, decided once: its job limit, the
 * request itself, then a place reserved in the runtime's admission lane, so
 * that a job accepted here never finds the runtime's queue full.
 */
import { QueueFullError, type Reservation, TENSOR_LANE } from '@cocoon-mesh/gpu-runtime'
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

/** How long a client is told to wait before asking a provider with a full queue again, ms. */
export const OVER_CAPACITY_RETRY_MS = 1000

/** A refusal, with the load a client spreads its jobs by when the provider is over capacity. */
export interface AdmissionRefusal extends ValidationFailure {
  retryAfterMs: number
  queueDepth: number
}

/** An admitted job: its place in the runtime's lane and how many jobs the lane holds with it. */
export interface Admitted {
  reservation: Reservation
  queueDepth: number
}

/**
 * Admits `request` at `price` or says why not: the service's own job limit
 * (`active` jobs running), the request's validation, the features its
 * constraints need from the model's backend, then a place reserved
 * in the runtime lane of its model (or the tensor lane). The caller passes
 * the reservation on to the runtime, or releases it when the job does not start.
 */
export function admitJob(
  request: JobRequest,
  price: Prices,
  service: { active: number; init: JobServiceInit; now: number },
): Admitted | AdmissionRefusal {
  const { init } = service
  if (service.active >= (init.maxConcurrentJobs ?? DEFAULT_MAX_CONCURRENT_JOBS)) {
    return overCapacity('provider is at its job limit', service.active)
  }
  const failure = validateRequest(request, {
    price,
    now: service.now,
    models: init.runtime.models(),
    embeddingModels: init.runtime.embeddingModels?.() ?? [],
  })
  if (failure !== undefined) return refused(failure)
  // an embedding shares its model's lane with generation
  const key =
    request.kind === JobKind.JOB_KIND_TENSOR ? TENSOR_LANE : findModel(init.runtime.models(), request.model)
  const missing =
    key === undefined ? [] : missingFeatures(init.runtime.features?.(key) ?? [], requiredFeatures(request))
  if (missing.length > 0) {
    return refused({
      reason: RejectReason.REJECT_REASON_BAD_REQUEST,
      message: `the backend of ${request.model} here does not support ${missing.join(', ')}`,
    })
  }
  if (key === undefined || init.runtime.stats()[key] === undefined) {
    return {
      reason: RejectReason.REJECT_REASON_UNKNOWN_MODEL,
      message:
        request.kind === JobKind.JOB_KIND_TENSOR
          ? 'this provider does not run tensor jobs'
          : `this provider does not serve ${request.model}`,
      retryAfterMs: 0,
      queueDepth: 0,
    }
  }
  try {
    const reservation = init.runtime.reserve(key)
    return { reservation, queueDepth: depth(init, key) }
  } catch (err) {
    if (!(err instanceof QueueFullError)) throw err
    return overCapacity(err.details ?? err.shortMessage, depth(init, key))
  }
}

function refused(failure: ValidationFailure): AdmissionRefusal {
  return { ...failure, retryAfterMs: 0, queueDepth: 0 }
}

function depth(init: JobServiceInit, key: string): number {
  const stats = init.runtime.stats()[key]
  return stats === undefined ? 0 : stats.running + stats.queued
}

function overCapacity(message: string, queueDepth: number): AdmissionRefusal {
  return {
    reason: RejectReason.REJECT_REASON_OVER_CAPACITY,
    message,
    retryAfterMs: OVER_CAPACITY_RETRY_MS,
    queueDepth,
  }
}
