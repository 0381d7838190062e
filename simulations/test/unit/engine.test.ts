import { describe, expect, it } from 'vitest'
import { Engine } from '../../src/engine/engine.js'
import { EventQueue, type PoppedEvent } from '../../src/engine/event-queue.js'
import { IndexedHeap } from '../../src/engine/indexed-heap.js'
import { hashString, Rng, substream } from '../../src/engine/prng.js'

describe('Rng', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new Rng(42)
    const b = new Rng(42)
    const c = new Rng(43)
    const xs = Array.from({ length: 100 }, () => a.nextU32())
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(xs)
    expect(Array.from({ length: 100 }, () => c.nextU32())).not.toEqual(xs)
  })

  it('draws uniform, exponential and log-normal values with the right means', () => {
    const rng = substream(7, 'test')
    const n = 200_000
    let u = 0
    let e = 0
    const logs: number[] = []
    let lo = 1
    let hi = 0
    for (let i = 0; i < n; i++) {
      const x = rng.next()
      lo = Math.min(lo, x)
      hi = Math.max(hi, x)
      u += x
      e += rng.exp(5)
      logs.push(rng.lognormal(100, 0.5))
    }
    expect(lo).toBeGreaterThanOrEqual(0)
    expect(hi).toBeLessThan(1)
    expect(u / n).toBeCloseTo(0.5, 2)
    expect(e / n).toBeGreaterThan(4.9)
    expect(e / n).toBeLessThan(5.1)
    logs.sort((x, y) => x - y)
    expect(logs[n / 2]).toBeGreaterThan(98)
    expect(logs[n / 2]).toBeLessThan(102)
  })

  it('derives independent named streams', () => {
    expect(hashString('a')).not.toBe(hashString('b'))
    expect(substream(1, 'x').nextU32()).not.toBe(substream(1, 'y').nextU32())
  })
})

describe('EventQueue', () => {
  it('pops in time order and keeps scheduling order for equal times', () => {
    const q = new EventQueue(2)
    const rng = new Rng(3)
    const times: number[] = []
    for (let i = 0; i < 5000; i++) {
      const t = rng.int(50)
      times.push(t)
      q.push(t, 1, i, 0)
    }
    const ev: PoppedEvent = { time: 0, kind: 0, a: 0, b: 0 }
    let lastTime = -1
    let lastIndex = -1
    let count = 0
    while (q.pop(ev)) {
      expect(ev.time).toBeGreaterThanOrEqual(lastTime)
      if (ev.time === lastTime) expect(ev.a).toBeGreaterThan(lastIndex)
      expect(times[ev.a]).toBe(ev.time)
      lastTime = ev.time
      lastIndex = ev.a
      count++
    }
    expect(count).toBe(5000)
    expect(q.pop(ev)).toBe(false)
  })
})

describe('IndexedHeap', () => {
  it('pops each index once, at its best offered time, in time order with ties lowest index first', () => {
    const rng = new Rng(5)
    const n = 2000
    const heap = new IndexedHeap(n)
    const best = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
    for (let k = 0; k < 20_000; k++) {
      const i = rng.int(n)
      // coarse times, so many ties
      const t = rng.int(50)
      expect(heap.offer(i, t)).toBe(t < (best[i] as number))
      best[i] = Math.min(best[i] as number, t)
    }
    const order: number[] = []
    for (let i = heap.pop(); i >= 0; i = heap.pop()) order.push(i)
    const offered = [...best.keys()].filter((i) => best[i] !== Number.POSITIVE_INFINITY)
    const expected = offered.sort((a, b) => (best[a] as number) - (best[b] as number) || a - b)
    expect(order).toEqual(expected)
    expect(heap.size).toBe(0)
  })

  it('moves an entry up when offered a better time while others wait', () => {
    const heap = new IndexedHeap(4)
    heap.offer(0, 10)
    heap.offer(1, 20)
    heap.offer(2, 30)
    expect(heap.offer(2, 40)).toBe(false)
    expect(heap.offer(2, 5)).toBe(true)
    expect(heap.peek()).toBe(2)
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).toEqual([2, 0, 1, -1])
  })
})

describe('Engine', () => {
  it('advances the virtual clock to each event and never backwards', () => {
    const e = new Engine()
    const seen: [number, number][] = []
    e.schedule(10, 1, 1)
    e.schedule(5, 1, 2)
    e.scheduleAt(-3, 1, 3) // in the past: runs now
    const handler = (_kind: number, a: number): void => {
      seen.push([e.now, a])
      if (a === 2) e.schedule(0, 1, 4) // same instant, after already queued ones at that time
    }
    expect(e.run(handler, 7)).toBe(3)
    expect(e.now).toBe(7)
    expect(e.run(handler)).toBe(1)
    expect(seen).toEqual([
      [0, 3],
      [5, 2],
      [5, 4],
      [10, 1],
    ])
    expect(e.clock()).toBe(10)
    expect(e.processed).toBe(4)
  })

  it('steps one event at a time up to a limit', () => {
    const e = new Engine()
    e.schedule(1, 1)
    e.schedule(2, 1)
    const h = (): void => {}
    expect(e.step(h, 1)).toBe(true)
    expect(e.step(h, 1)).toBe(false)
    expect(e.step(h)).toBe(true)
    expect(e.now).toBe(2)
  })
})
