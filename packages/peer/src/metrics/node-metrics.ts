/**
 * A node's metrics registry: where its `Metrics` (libp2p's interface, which
 * libp2p and every Cocoon metric register through) writes, and what the
 * `/metrics` endpoint serves.
 *
 * One registry per node. libp2p's prometheus-metrics registers its own
 * `libp2p_*` series on the registry it is given, so a second node on the same
 * registry clashes on those names; and it keeps one process-wide name-to-metric
 * table, cleared by each new instance, that returns an already registered
 * metric by name. So nodes with metrics in one process each get their own
 * registry and are created one after another (every Cocoon metric is
 * registered while its node is created).
 */
import type { ComponentLogger, Metrics } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'

export interface NodeMetrics {
  /** The registry to serve (`startMetricsServer`). */
  readonly registry: Registry
  /** Pass to `createPeer({ metrics })` and to whatever else of the node counts (settlement). */
  readonly metrics: Metrics
}

export interface NodeMetricsOptions {
  /** The logger of libp2p's metrics component (default `defaultLogger()`). */
  logger?: ComponentLogger
}

/** A fresh registry with process metrics, and libp2p's Prometheus `Metrics` writing to it. */
export function createNodeMetrics(options: NodeMetricsOptions = {}): NodeMetrics {
  const registry = new Registry()
  const metrics = prometheusMetrics({ registry })({ logger: options.logger ?? defaultLogger() })
  return { registry, metrics }
}
