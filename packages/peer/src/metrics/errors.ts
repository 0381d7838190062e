import { CocoonError } from '@cocoon-mesh/protocol'

/** The metrics endpoint could not listen (port taken, bad host). */
export class MetricsListenError extends CocoonError {
  readonly code = 'ERR_METRICS_LISTEN' as const
  override name = 'MetricsListenError'
}
