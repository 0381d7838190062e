/** Client demand: job arrivals per client group (steady, diurnal, bursty). */
import { EV_ARRIVAL, EV_BURST_TOGGLE } from './events.js'
import { assign } from './jobs.js'
import type { World } from './world.js'

/**
 * Job arrivals per client group: a Poisson process at the group's rate
 * (steady), modulated by a sine (diurnal, by thinning), or switched on and
 * off by an exponential on/off process (bursty, the rate scaled so the mean
 * matches). Each arrival picks a random client of the group.
 */
export function startDemand(world: World): void {
  world.scenario.clients.forEach((g, i) => {
    if ((world.groupRate[i] as number) <= 0) return
    if (g.pattern.type === 'bursty') {
      world.groupOn[i] = 1
      world.engine.schedule(world.rng.demand.exp(g.pattern.meanOnMs), EV_BURST_TOGGLE, i)
    }
    scheduleArrival(world, i)
  })
}

function peakRate(world: World, g: number): number {
  const group = world.scenario.clients[g]
  const base = world.groupRate[g] as number
  if (group === undefined) return base
  if (group.pattern.type === 'diurnal') return base * (1 + group.pattern.amplitude)
  if (group.pattern.type === 'bursty') {
    const { meanOnMs, meanOffMs } = group.pattern
    return (base * (meanOnMs + meanOffMs)) / meanOnMs
  }
  return base
}

export function scheduleArrival(world: World, g: number): void {
  const rate = peakRate(world, g)
  if (rate > 0) world.engine.schedule(world.rng.demand.exp(1 / rate), EV_ARRIVAL, g)
}

export function toggleBurst(world: World, g: number): void {
  const group = world.scenario.clients[g]
  if (group?.pattern.type !== 'bursty') return
  const on = world.groupOn[g] === 1 ? 0 : 1
  world.groupOn[g] = on
  world.engine.schedule(
    world.rng.demand.exp(on === 1 ? group.pattern.meanOnMs : group.pattern.meanOffMs),
    EV_BURST_TOGGLE,
    g,
  )
}

export function arrival(world: World, g: number): void {
  scheduleArrival(world, g)
  const group = world.scenario.clients[g]
  if (group === undefined) return
  if (world.jobCount >= world.jobCap) {
    // demand goes on past jobs.total; say how much of it the cap turned away
    world.metrics.jobsOverCap++
    return
  }
  if (group.pattern.type === 'bursty' && world.groupOn[g] !== 1) return
  if (group.pattern.type === 'diurnal') {
    const base = world.groupRate[g] as number
    const rate =
      base *
      (1 + group.pattern.amplitude * Math.sin((2 * Math.PI * world.engine.now) / group.pattern.periodMs))
    if (world.rng.demand.next() * peakRate(world, g) > rate) return
  }
  const clients = world.groupClients[g] as Int32Array
  const m = world.metrics
  // the job comes from an online client of the group (offline ones submit nothing)
  let c = clients[world.rng.demand.int(clients.length)] as number
  for (let tries = 1; world.peers.online[world.clientPeers[c] as number] !== 1; tries++) {
    if (tries >= 8) {
      m.jobsClientOffline++
      return
    }
    c = clients[world.rng.demand.int(clients.length)] as number
  }
  const j = world.jobCount++
  const s = world.scenario
  const model = world.rng.jobs.int(s.models.length)
  const spec = s.models[model]
  world.jobClient[j] = c
  world.jobModel[j] = model
  world.jobPrompt[j] = Math.max(
    0,
    Math.round(world.rng.jobs.lognormal(spec?.promptMedian ?? 0, spec?.sigma ?? 0)),
  )
  world.jobCompletion[j] = Math.max(
    1,
    Math.round(world.rng.jobs.lognormal(spec?.completionMedian ?? 1, spec?.sigma ?? 0)),
  )
  m.jobsArrived++
  m.add('jobs_arrived', world.engine.now)
  assign(world, j)
}
