import { CocoonError } from '@cocoon-mesh/protocol'

/** The metrics endpoint could not listen (port taken, bad host). */
export class MetricsListenError extends CocoonError<'ERR_METRICS_LISTEN'> {
  readonly code = 'ERR_METRICS_LISTEN' as const
  override readonly name = 'MetricsListenError'
}

/** Every error of the metrics endpoint. */
export type MetricsError = MetricsListenError

/** The codes of {@link MetricsError}. */
export type MetricsErrorCode = MetricsError['code']
