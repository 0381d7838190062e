/**
 * @packageDocumentation
 *
 * The Cocoon Mesh network simulator: the real market code of
 * `@cocoon-mesh/client`, `@cocoon-mesh/protocol` and `@cocoon-mesh/settlement`
 * run at 100k peers in simulated time, on a discrete-event engine with a
 * seeded PRNG (same scenario + seed → byte-identical summary), a network
 * model (latency matrix with jitter, loss, bandwidth, NAT and relays, churn)
 * and models of gossipsub propagation and Kademlia routing.
 *
 * `cocoon-sim run scenarios/<name>.json [--seed N] [--out DIR]` writes
 * `summary.json`, `series.csv` and a self-contained `report.html`.
 */
export * from './engine/engine.js'
export * from './engine/event-queue.js'
export * from './engine/prng.js'
export * from './models/gossipsub.js'
export * from './models/kademlia.js'
export * from './network/churn.js'
export * from './network/latency.js'
export * from './network/nat.js'
export * from './network/peers.js'
export * from './output/report.js'
export * from './scenario/load.js'
export { scenarioSchema } from './scenario/schema.js'
export type * from './scenario/types.js'
export { type RunOptions, type RunResult, runScenario } from './sim/run.js'
export type { Summary } from './sim/summary.js'
export * from './sweep/errors.js'
export { mergeShards, readShardOutput, type ShardOutput } from './sweep/merge.js'
export { type SweepManifest, type SweepSummaryRow, summarise, writeSweepOutputs } from './sweep/outputs.js'
export {
  type RunSweepParameters,
  type RunSweepReturnType,
  runSweep,
  type Shard,
  type SweepRunResult,
} from './sweep/run-sweep.js'
export { expandSweep, type LoadedSweep, loadSweep, type SweepRun, type SweepSpec } from './sweep/spec.js'
export { type MeanCi, meanCi95 } from './sweep/stats.js'
