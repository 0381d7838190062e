/**
 * Metrics of a provider's job service, registered through libp2p's `Metrics`
 * and fed from the service's `onEvent` events, so the service itself stays
 * free of metric code. libp2p's metric groups carry one label, so a job's kind
 * and outcome share the label `kind_outcome` as `<kind>/<outcome>`.
 */
import type { Metrics } from '@libp2p/interface'
import type { JobServiceEvent, JobServiceInit } from '../jobs/provider.js'

/** Registers the job metrics on `metrics` and returns the event handler that keeps them up to date. */
export function jobMetrics(metrics: Metrics): (event: JobServiceEvent) => void {
  const jobs = metrics.registerCounterGroup('cocoon_jobs_total', {
    label: 'kind_outcome',
    help: 'Jobs that ended, by kind and outcome (finished, failed, rejected)',
  })
  const rejections = metrics.registerCounterGroup('cocoon_job_rejections_total', {
    label: 'reason',
    help: 'Jobs rejected before they started, by reason',
  })
  const failures = metrics.registerCounterGroup('cocoon_job_failures_total', {
    label: 'code',
    help: 'Accepted jobs that ended without a result, by error code',
  })
  const active = metrics.registerMetric('cocoon_jobs_active', { help: 'Jobs accepted and not yet ended' })
  const tokens = metrics.registerCounter('cocoon_completion_tokens_total', {
    help: 'Completion tokens delivered in finished jobs',
  })
  const gflop = metrics.registerCounter('cocoon_tensor_gflop_total', {
    help: 'GFLOP computed in finished tensor jobs',
  })
  const billed = metrics.registerCounter('cocoon_billed_nanoton_total', {
    help: 'nanoTON billed in finished jobs (what the JobResults charged)',
  })
  const kinds = new Map<string, string>()
  const ended = (jobId: string, outcome: 'finished' | 'failed'): void => {
    active.decrement()
    jobs.increment({ [`${kinds.get(jobId) ?? 'unknown'}/${outcome}`]: true })
    kinds.delete(jobId)
  }
  return (event) => {
    switch (event.type) {
      case 'accepted':
        kinds.set(event.jobId, event.kind)
        active.increment()
        return
      case 'rejected':
        rejections.increment({ [String(event.reason)]: true })
        jobs.increment({ 'unknown/rejected': true })
        return
      case 'finished':
        ended(event.jobId, 'finished')
        tokens.increment(event.completionTokens)
        gflop.increment(event.gflop)
        billed.increment(Number(event.cost))
        return
      case 'failed':
        ended(event.jobId, 'failed')
        failures.increment({ [String(event.code)]: true })
        return
      case 'progress':
        return
    }
  }
}

/**
 * The job service's init with its `onEvent` also feeding the job metrics of
 * `metrics` (the service's `components.metrics`); `init` itself without metrics.
 */
export function withJobMetrics(init: JobServiceInit, metrics: Metrics | undefined): JobServiceInit {
  if (metrics === undefined) return init
  const record = jobMetrics(metrics)
  const onEvent = init.onEvent
  return {
    ...init,
    onEvent: (event) => {
      record(event)
      onEvent?.(event)
    },
  }
}
