/** The node's web dashboard (`cocoon node start --dashboard-port`). */

import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import { errorLine } from '@cocoon-mesh/protocol'
import { type Finding, selfFindings } from '../cli/doctor-checks.js'
import type { ProviderLedger } from '../cli/provider-channels.js'
import type { ProviderJobs } from '../jobs/serve.js'
import type { DashboardFeed } from './feed.js'
import { type DashboardServer, startDashboardServer } from './server.js'
import { Snapshots } from './snapshot.js'

export * from './errors.js'
export { DashboardFeed, type FeedState, type JobRow, MAX_JOBS } from './feed.js'
export type { DashboardServer, StartDashboardServerErrorType } from './server.js'
export type { DashboardState } from './snapshot.js'

export interface ServeDashboardParameters {
  peer: CocoonPeer
  feed: DashboardFeed
  port: number
  home: string
  providing: boolean
  startedAt: number
  ledger: ProviderLedger | undefined
  jobs: ProviderJobs | undefined
}

/**
 * Serves the dashboard of a started node on 127.0.0.1:`port`.
 * @throws {import('./server.js').StartDashboardServerErrorType}
 */
export function serveDashboard(p: ServeDashboardParameters): Promise<DashboardServer> {
  const snapshots = new Snapshots({
    peer: p.peer,
    feed: p.feed,
    startedAt: p.startedAt,
    providing: p.providing,
    ledger: p.ledger,
    load: () => {
      const stats = p.jobs?.runtime.stats() ?? {}
      return Object.fromEntries(
        Object.entries(stats).map(([model, s]) => [model, { running: s.running, queued: s.queued }]),
      )
    },
    reachability: () => reachability(p.home),
  })
  return startDashboardServer({ feed: p.feed, snapshots, port: p.port })
}

/** `cocoon doctor`'s check that the node answers on each address it advertises; a failed check is a finding too. */
async function reachability(home: string): Promise<Finding[]> {
  try {
    return await selfFindings(home)
  } catch (error) {
    return [{ check: 'listening', status: 'fail', message: errorLine(error), fix: 'See `cocoon doctor`.' }]
  }
}
