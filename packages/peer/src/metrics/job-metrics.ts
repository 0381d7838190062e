/**
 * Prometheus metrics of a provider's job service, fed from its `onEvent`
 * hook so the service itself stays free of metric code. Registered on the
 * registry passed in (never the global one).
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { JobServiceEvent } from '../jobs/provider.js'

/** Returns the `onEvent` handler that keeps the job metrics of `registry` up to date. */
export function jobMetrics(registry: Registry): (event: JobServiceEvent) => void {
  const jobs = new Counter({
    name: 'cocoon_jobs_total',
    help: 'Jobs that ended, by kind and outcome (finished, failed, rejected)',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  })
  const rejections = new Counter({
    name: 'cocoon_job_rejections_total',
    help: 'Jobs rejected before they started, by reason',
    labelNames: ['reason'],
    registers: [registry],
  })
  const failures = new Counter({
    name: 'cocoon_job_failures_total',
    help: 'Accepted jobs that ended without a result, by error code',
    labelNames: ['code'],
    registers: [registry],
  })
  const active = new Gauge({
    name: 'cocoon_jobs_active',
    help: 'Jobs accepted and not yet ended',
    registers: [registry],
  })
  const tokens = new Counter({
    name: 'cocoon_completion_tokens_total',
    help: 'Completion tokens delivered in finished jobs',
    registers: [registry],
  })
  const gflop = new Counter({
    name: 'cocoon_tensor_gflop_total',
    help: 'GFLOP computed in finished tensor jobs',
    registers: [registry],
  })
  const billed = new Counter({
    name: 'cocoon_billed_nanoton_total',
    help: 'nanoTON billed in finished jobs (what the JobResults charged)',
    registers: [registry],
  })
  const kinds = new Map<string, string>()
  return (event) => {
    switch (event.type) {
      case 'accepted':
        kinds.set(event.jobId, event.kind)
        active.inc()
        return
      case 'rejected':
        rejections.inc({ reason: event.reason })
        jobs.inc({ kind: 'unknown', outcome: 'rejected' })
        return
      case 'finished':
        active.dec()
        jobs.inc({ kind: kinds.get(event.jobId) ?? 'unknown', outcome: 'finished' })
        kinds.delete(event.jobId)
        tokens.inc(event.completionTokens)
        gflop.inc(event.gflop)
        billed.inc(Number(event.cost))
        return
      case 'failed':
        active.dec()
        jobs.inc({ kind: kinds.get(event.jobId) ?? 'unknown', outcome: 'failed' })
        kinds.delete(event.jobId)
        failures.inc({ code: String(event.code) })
        return
      case 'progress':
        return
    }
  }
}
