/**
 * The simulator benchmark: the shipped scale-100k scenario (100k peers, 1M
 * jobs) against the raw engine's empty-event throughput measured in the same
 * run. Goal: <= 60 s wall on 2 cores, <= 4 GB RSS.
 */
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { reportBench } from '@cocoon-mesh/protocol'
import { Engine } from '../engine/engine.js'
import { Rng } from '../engine/prng.js'
import { loadScenario } from '../scenario/load.js'
import { runScenario } from '../sim/run.js'

function rawEngine(events: number): { perSecond: number; seconds: number } {
  const e = new Engine(1 << 16)
  const rng = new Rng(1)
  let left = events
  // a steady queue of ~100k pending events, like the simulation's
  const handler = (): void => {
    if (left-- > 0) e.schedule(rng.exp(1000), 1, 0, 0)
  }
  for (let i = 0; i < 100_000; i++) e.schedule(rng.exp(1000), 1, 0, 0)
  const t = performance.now()
  const n = e.run(handler)
  const seconds = (performance.now() - t) / 1000
  return { perSecond: n / seconds, seconds }
}

const path = process.argv[2] ?? fileURLToPath(new URL('../../scenarios/scale-100k.json', import.meta.url))
const scenario = await loadScenario(path)
const warm = rawEngine(1_000_000)
void warm
const raw = rawEngine(5_000_000)
globalThis.gc?.()
const rssBefore = process.memoryUsage().rss
const started = performance.now()
const result = await runScenario(scenario, { gossipThreads: availableParallelism() })
const wall = (performance.now() - started) / 1000
const peakRssMb = process.resourceUsage().maxRSS / 1024
const eventsPerSecond = result.events / wall

reportBench({
  bench: `sim.${scenario.name}.events_per_s`,
  value: eventsPerSecond,
  unit: 'events/s',
  baseline: raw.perSecond,
})
reportBench({
  bench: `sim.${scenario.name}.wall_s`,
  value: wall,
  unit: 's',
  // the raw engine's time for the same number of events
  baseline: result.events / raw.perSecond,
  better: 'lower',
})
reportBench({
  bench: `sim.${scenario.name}.peak_rss_mb`,
  value: peakRssMb,
  unit: 'MB',
  baseline: rssBefore / 1024 / 1024,
  better: 'lower',
})
reportBench({
  bench: `sim.${scenario.name}.jobs_per_s`,
  value: result.summary.jobs.arrived / wall,
  unit: 'jobs/s',
})
console.log(
  JSON.stringify({
    scenario: scenario.name,
    peers: result.summary.peers.total,
    jobs: result.summary.jobs.arrived,
    events: result.events,
    wallSeconds: Math.round(wall * 10) / 10,
    peakRssMb: Math.round(peakRssMb),
    rawEngineEventsPerSecond: Math.round(raw.perSecond),
  }),
)
