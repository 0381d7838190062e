import { describe, expect, it } from 'vitest'
import { Engine } from '../../src/engine/engine.js'
import { SimulationInvariantError } from '../../src/engine/errors.js'
import { Rng } from '../../src/engine/prng.js'
import { ChurnTimeline } from '../../src/network/churn-timeline.js'

const PEERS = 300
const params = { session: { type: 'exponential', meanMs: 5_000 }, offlineMeanMs: 3_000 } as const

/** A run that only churns: the engine applies the timeline's toggles as the simulator's handlers do. */
function churnRun(seed: number): { engine: Engine; timeline: ChurnTimeline; online: Uint8Array } {
  const engine = new Engine()
  const rng = new Rng(seed, 7)
  const timeline = new ChurnTimeline(params, rng)
  const online = new Uint8Array(PEERS).fill(1)
  for (let peer = 0; peer < PEERS; peer++) {
    const delay = rng.exp(params.session.meanMs)
    engine.schedule(delay, 0, peer)
    timeline.start(peer, engine.now + delay)
  }
  return { engine, timeline, online }
}

function step(run: ReturnType<typeof churnRun>, until: number): void {
  const { engine, timeline, online } = run
  while (
    engine.step((_, peer) => {
      const toggle = timeline.take(peer, engine.now)
      online[peer] = toggle.leave ? 0 : 1
      engine.scheduleAt(toggle.next, 0, peer)
    }, until)
  );
}

describe('churn timeline', () => {
  it('says ahead who the run will find online', () => {
    const run = churnRun(3)
    for (let t = 10_000; t <= 60_000; t += 10_000) {
      const predicted = run.timeline.onlineBefore(t, run.online)
      step(run, t - 1e-9)
      expect(Array.from(predicted)).toEqual(Array.from(run.online))
      // the prediction is a copy: the run's own state is not touched by looking ahead
      expect(predicted).not.toBe(run.online)
    }
    expect(run.online.some((o) => o === 0)).toBe(true)
    expect(run.online.some((o) => o === 1)).toBe(true)
  })

  it('refuses a toggle the run makes out of its order', () => {
    const run = churnRun(5)
    expect(() => run.timeline.take(0, 1)).toThrow(SimulationInvariantError)
  })

  it('refuses a peer that starts churning after the timeline was read', () => {
    const run = churnRun(5)
    run.timeline.onlineBefore(1_000, run.online)
    expect(() => run.timeline.start(0, 10)).toThrow(SimulationInvariantError)
  })
})
