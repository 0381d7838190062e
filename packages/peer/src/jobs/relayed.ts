/**
 * Jobs over relayed connections. A circuit-relay v2 connection is "limited":
 * the relay resets it after a byte or time budget, and every byte crosses
 * the relay's uplink. A provider serves jobs on one only when its operator
 * opted in, within the operator's limits and the relay's own.
 */
import type { FrameBudget } from '@cocoon-mesh/client/internal'
import type { Connection } from '@libp2p/interface'
import { RelayBudgetExceededError } from './errors.js'

/** The operator's opt-in (`network.relay.jobs`). */
export interface RelayedJobsPolicy {
  enabled: boolean
  /** Bytes a relayed job may send. */
  maxBytes: number
  /** How long a relayed job may run, ms. */
  maxDurationMs: number
}

/** How a job stream's connection may be used: not relayed, relayed within limits, or refused. */
export type RelayedJobVerdict =
  | { relayed: false }
  | { relayed: true; allowed: false }
  | { relayed: true; allowed: true; maxBytes: number; maxDurationMs: number }

/** The budget of a job arriving on `connection`: the operator's limits, cut to what the relay still allows. */
export function relayedJobVerdict(
  connection: Pick<Connection, 'limits'>,
  policy: RelayedJobsPolicy | undefined,
): RelayedJobVerdict {
  const limits = connection.limits
  if (limits === undefined) return { relayed: false }
  if (policy?.enabled !== true) return { relayed: true, allowed: false }
  const relayBytes = limits.bytes === undefined ? Number.POSITIVE_INFINITY : Number(limits.bytes)
  const relayMs = limits.seconds === undefined ? Number.POSITIVE_INFINITY : limits.seconds * 1000
  return {
    relayed: true,
    allowed: true,
    maxBytes: Math.min(policy.maxBytes, relayBytes),
    maxDurationMs: Math.min(policy.maxDurationMs, relayMs),
  }
}

/** The message of the `RELAYED` JobReject: what the client's operator and the provider's can do. */
export const RELAYED_REJECT_MESSAGE =
  'this provider serves no jobs over relayed connections (its operator can enable network.relay.jobs, forward a port or enable UPnP)'

/** The bound on what a relayed job writes: past `maxBytes` the write throws {@link RelayBudgetExceededError}. */
export function relayFrameBudget(maxBytes: number): FrameBudget {
  return {
    maxBytes,
    exceeded: (sent, max) =>
      new RelayBudgetExceededError('job output exceeds what this relayed connection may carry', {
        details: `${sent} bytes would be sent, at most ${max} are allowed over the relay`,
      }),
  }
}
