/**
 * How much memory a run needs, estimated before it starts, so a scenario
 * that cannot finish is refused with the estimate instead of running for
 * minutes into an out-of-memory crash.
 *
 * The figures are peak resident set sizes of `cocoon-sim run` under Node 24,
 * fitted to `scale-100k` variants (table signatures, 2% providers, 20%
 * churn) on the 2-core reference machine (`/usr/bin/time -v`): 25k, 100k
 * and 300k peers with 1000 jobs gave 217, 383 and 822 MiB; 100k peers with
 * 300k jobs 495 MiB, and `scale-100k` itself (1M jobs) 747 MiB. Each
 * observer keeps its own book and rankings of every provider's offer:
 * `scale-100k` with 4, 16 and 64 observers peaked at 823, 1158 and 2362 MiB.
 * The gossip connections cost about 18 bytes each at their peak (the dial
 * lists, the sorted adjacency and its flags while the overlay is built):
 * `scale-100k` with 200 connections per peer peaked 175 MiB above 100
 * (928 against 753 MiB). With its gossip samples on 2 worker threads,
 * `scale-100k` peaked at 880–886 MiB and 300k peers at 1504 MiB, 117–129
 * MiB above one thread at both sizes: mostly the threads' own isolates.
 * With the rebuilds prepared ahead on a thread, which builds their overlays
 * there, they peaked at 771 and 1504 MiB. Each term is rounded up, so the
 * estimate sits above every measured run. 1M peers with 10M jobs on 2
 * gossip threads peaked at 2919–3204 MiB against an estimate of 7050 MiB:
 * the fit is safe, not tight, at that size.
 */
import { availableParallelism, totalmem } from 'node:os'
import { getHeapStatistics } from 'node:v8'
import { CocoonError } from '@cocoon-mesh/protocol'
import { gossipSampleThreads } from '../models/gossip-sample.js'
import { honestProviderCount } from './sizes.js'
import type { Scenario } from './types.js'

const MIB = 2 ** 20
/** The runtime, the market code and the fixed tables. */
export const BASE_BYTES = 170 * MIB
/** Per peer: network position, churn state, routing and gossip tables. */
export const PER_PEER_BYTES = 1280
/** Per observer and honest provider: the offer in the observer's book and its rankings. */
export const PER_OBSERVER_OFFER_BYTES = 14_000
/** Per job of `jobs.total`: its arrival, records and outcome. */
export const PER_JOB_BYTES = 420
/** Per gossip connection of a peer (`gossip.connections` × peers): the overlay's lists and flags. */
export const PER_CONNECTION_BYTES = 20
/** Per gossip sample thread beyond the run's own: its isolate and loaded modules. */
export const PER_GOSSIP_THREAD_BYTES = 64 * MIB
/** Per gossip sample thread and peer: the propagation's arrays, and the peer's share of the shared copies. */
export const PER_GOSSIP_THREAD_PEER_BYTES = 40

/** A run (or a sweep's concurrent runs) that would need more memory than the limit. */
export class MemoryLimitError extends CocoonError<'ERR_MEMORY_LIMIT'> {
  readonly code = 'ERR_MEMORY_LIMIT' as const
  override readonly name = 'MemoryLimitError'
  readonly estimateBytes: number
  readonly limitBytes: number

  constructor(shortMessage: string, details: string, estimateBytes: number, limitBytes: number) {
    super(shortMessage, { details })
    this.estimateBytes = estimateBytes
    this.limitBytes = limitBytes
  }
}

/** The worker threads a run with `gossipThreads` puts its gossip samples on: none for one, which is its own. */
function sampleThreads(scenario: Scenario, gossipThreads: number): number {
  const threads = gossipSampleThreads(gossipThreads, scenario.gossip.samples)
  return threads > 1 ? threads : 0
}

/** What the gossip sample threads of a run add (see the module comment). */
function gossipThreadBytes(scenario: Scenario, gossipThreads: number): number {
  return (
    sampleThreads(scenario, gossipThreads) *
    (PER_GOSSIP_THREAD_BYTES + PER_GOSSIP_THREAD_PEER_BYTES * scenario.peers.count)
  )
}

/** Peak resident memory of one run of `scenario` with its gossip samples on `gossipThreads` threads, bytes (see the module comment). */
export function estimateRunBytes(scenario: Scenario, gossipThreads = 1): number {
  return (
    gossipThreadBytes(scenario, gossipThreads) +
    BASE_BYTES +
    PER_PEER_BYTES * scenario.peers.count +
    PER_JOB_BYTES * scenario.jobs.total +
    PER_CONNECTION_BYTES * scenario.gossip.connections * scenario.peers.count +
    PER_OBSERVER_OFFER_BYTES * scenario.gossip.observers * honestProviderCount(scenario)
  )
}

/**
 * The memory a run may use: `maxMemoryMiB` when given, else the smaller of
 * 80% of the machine's memory and this process's heap limit (a run past the
 * heap limit dies of "heap out of memory").
 */
export function memoryLimitBytes(maxMemoryMiB?: number): number {
  if (maxMemoryMiB !== undefined) return maxMemoryMiB * MIB
  return Math.min(machineLimitBytes(), getHeapStatistics().heap_size_limit)
}

/** What runs side by side (a sweep's workers) may use together: `maxMemoryMiB`, else 80% of the machine's memory. */
export function machineLimitBytes(maxMemoryMiB?: number): number {
  return maxMemoryMiB !== undefined ? maxMemoryMiB * MIB : 0.8 * totalmem()
}

const mib = (bytes: number): string => `${Math.ceil(bytes / MIB)} MiB`

export interface FitsInMemoryOptions {
  /** Runs side by side (a sweep's workers); default 1. */
  concurrent?: number
  /** Threads each run puts its gossip samples on; default 1. */
  gossipThreads?: number
}

/**
 * Refuses `scenarios` run `concurrent` at a time when their estimate is over
 * `limitBytes`.
 * @throws {MemoryLimitError}
 */
export function assertFitsInMemory(
  scenarios: readonly Scenario[],
  limitBytes: number,
  { concurrent = 1, gossipThreads = 1 }: FitsInMemoryOptions = {},
): void {
  const size = (s: Scenario): number => estimateRunBytes(s, gossipThreads)
  const largest = scenarios.reduce<Scenario | undefined>(
    (big, s) => (big === undefined || size(s) > size(big) ? s : big),
    undefined,
  )
  if (largest === undefined) return
  const one = size(largest)
  const sideBySide = Math.min(concurrent, scenarios.length)
  const total = one * sideBySide
  if (total <= limitBytes) return
  const { count } = largest.peers
  const jobs = largest.jobs.total
  const { observers, connections } = largest.gossip
  const runs = sideBySide > 1 ? ` × ${sideBySide} concurrent runs` : ''
  const threads = sampleThreads(largest, gossipThreads)
  const threadTerm =
    threads > 0
      ? ` + ${threads} gossip threads (--gossip-threads) × (${mib(PER_GOSSIP_THREAD_BYTES)} + ${PER_GOSSIP_THREAD_PEER_BYTES} B × ${count} peers)`
      : ''
  throw new MemoryLimitError(
    `"${largest.name}" needs about ${mib(total)}, more than the limit of ${mib(limitBytes)}`,
    `estimate: ${mib(BASE_BYTES)} + ${PER_PEER_BYTES} B × ${count} peers (peers.count) + ${PER_JOB_BYTES} B × ${jobs} jobs (jobs.total) + ` +
      `${PER_CONNECTION_BYTES} B × ${connections} connections (gossip.connections) × ${count} peers + ` +
      `${PER_OBSERVER_OFFER_BYTES} B × ${observers} observers (gossip.observers) × ${honestProviderCount(largest)} providers${threadTerm} = ${mib(one)}${runs}. ` +
      'Lower peers.count, jobs.total, gossip.connections or gossip.observers' +
      (sideBySide > 1 ? ', or run fewer workers (--workers)' : '') +
      (threads > 0 ? ', or use fewer gossip threads (--gossip-threads 1)' : '') +
      `, or raise the limit with --max-memory <MiB> and Node's heap with NODE_OPTIONS=--max-old-space-size=<MiB> (this machine has ${mib(totalmem())}; ${availableParallelism()} cores).`,
    total,
    limitBytes,
  )
}
