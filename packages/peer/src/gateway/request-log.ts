/**
 * One record per HTTP request: filled in while the request is served, then
 * logged as one line and counted in the gateway's metrics when the response
 * ends. Metrics go through libp2p's `Metrics`, as every Cocoon metric does.
 */
import type { Logger, Metrics } from '@libp2p/interface'

export interface RequestRecord {
  method: string
  path: string
  model?: string
  /** Set when it differs from the HTTP status: an error reported inside a started stream. */
  status?: number
  promptTokens?: number
  completionTokens?: number
  /** The provider that served the (last part of the) job. */
  provider?: string
  jobId?: string
  /** The caller's `user` field. */
  user?: string
  /** Milliseconds from arrival to the first token, for completions. */
  firstTokenMs?: number
  /** The error message of a failed request. */
  error?: string
}

/** Writes the request line and feeds the metrics. */
export type RequestLogger = (record: RequestRecord & { status: number }, latencyMs: number) => void

/** Gauges read at scrape time. */
export interface GatewayGauges {
  running: () => number
  waiting: () => number
}

export function requestLogger(
  log: Logger,
  metrics: Metrics | undefined,
  gauges: GatewayGauges,
): RequestLogger {
  const m = metrics === undefined ? undefined : register(metrics, gauges)
  return (r, latencyMs) => {
    const line =
      '%s %s model=%s status=%d prompt_tokens=%s completion_tokens=%s provider=%s latency_ms=%d job=%s user=%s'
    const args = [
      r.method,
      r.path,
      r.model ?? '-',
      r.status,
      r.promptTokens ?? '-',
      r.completionTokens ?? '-',
      r.provider ?? '-',
      Math.round(latencyMs),
      r.jobId ?? '-',
      r.user ?? '-',
    ]
    if (r.status >= 500) log.error(`${line} error=%s`, ...args, r.error ?? '')
    else if (r.error !== undefined) log(`${line} error=%s`, ...args, r.error)
    else log(line, ...args)
    if (m === undefined) return
    m.requests.increment({ [String(r.status)]: true })
    if (r.promptTokens !== undefined) m.tokens.increment({ prompt: r.promptTokens })
    if (r.completionTokens !== undefined) m.tokens.increment({ completion: r.completionTokens })
    m.latency.observe(latencyMs / 1000)
    if (r.firstTokenMs !== undefined) m.firstToken.observe(r.firstTokenMs / 1000)
  }
}

function register(metrics: Metrics, gauges: GatewayGauges) {
  metrics.registerMetric('cocoon_gateway_jobs_running', {
    help: 'Jobs the gateway has in flight',
    calculate: gauges.running,
  })
  metrics.registerMetric('cocoon_gateway_requests_waiting', {
    help: "Requests waiting in the gateway's queue for a slot or a provider with room",
    calculate: gauges.waiting,
  })
  return {
    requests: metrics.registerCounterGroup('cocoon_gateway_requests_total', {
      label: 'status',
      help: 'HTTP requests answered, by status',
    }),
    tokens: metrics.registerCounterGroup('cocoon_gateway_tokens_total', {
      label: 'kind',
      help: 'Tokens of answered completions, by kind (prompt, completion)',
    }),
    latency: metrics.registerHistogram('cocoon_gateway_request_seconds', {
      help: 'Time from request arrival to the end of the response, seconds',
    }),
    firstToken: metrics.registerHistogram('cocoon_gateway_first_token_seconds', {
      help: 'Time from request arrival to the first token, seconds',
    }),
  }
}
