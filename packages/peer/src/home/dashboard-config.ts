/** The `dashboard` section of the config: the node's web page (`cocoon node start --dashboard-port`). */
import { bad } from './config-fields.js'

export interface DashboardConfig {
  /** Serve the dashboard on 127.0.0.1 at this port (0: any free one); off when absent. */
  port?: number
}

export const DEFAULT_DASHBOARD_CONFIG: DashboardConfig = {}

/** The commented section `cocoon init` writes, after the others. */
export const DASHBOARD_CONFIG_TEXT = `
  // A web page on 127.0.0.1 showing peers, offers, jobs, channels and earnings live
  // (--dashboard-port). Set "port" (0: any free one); the node prints the page's URL with its
  // access token at start, as a "dashboard http://127.0.0.1:<port>/?token=..." line.
  "dashboard": {}
`

/** The `dashboard` section of `source`. */
export function dashboardConfig(source: string, section: Record<string, unknown>): DashboardConfig {
  const port = section.port
  if (port === undefined) return {}
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw bad(source, 'dashboard.port', 'a TCP port from 0 to 65535 (0 picks a free one)', port)
  return { port }
}
