import { CocoonError } from '@cocoon-mesh/protocol'

/** The dashboard could not listen (port taken, bad host). */
export class DashboardListenError extends CocoonError<'ERR_DASHBOARD_LISTEN'> {
  readonly code = 'ERR_DASHBOARD_LISTEN' as const
  override readonly name = 'DashboardListenError'
}

/** The page's files (HTML, script, chart.js) are missing from the installed package. */
export class DashboardAssetsError extends CocoonError<'ERR_DASHBOARD_ASSETS'> {
  readonly code = 'ERR_DASHBOARD_ASSETS' as const
  override readonly name = 'DashboardAssetsError'
}

/** Every error of the dashboard. */
export type DashboardError = DashboardListenError | DashboardAssetsError

/** The codes of {@link DashboardError}. */
export type DashboardErrorCode = DashboardError['code']
