import { describe, expect, it } from 'vitest'
import { Admission } from '../../src/admission.js'
import { AbortedError, DeadlineExceededError, QueueFullError, UnknownModelError } from '../../src/errors.js'

/** A virtual clock and timer, as the simulator uses. */
function virtualTime() {
  let t = 1000
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = []
  return {
    now: () => t,
    schedule: (fn: () => void, delay: number) => {
      const timer = { at: t + delay, fn, cancelled: false }
      timers.push(timer)
      return () => {
        timer.cancelled = true
      }
    },
    advance(ms: number) {
      t += ms
      for (const timer of timers.splice(0)) {
        if (timer.cancelled) continue
        if (timer.at <= t) timer.fn()
        else timers.push(timer)
      }
    },
  }
}

describe('admission', () => {
  it('admitNow takes a free slot synchronously and never queues', async () => {
    const a = new Admission({ limits: { m: { maxConcurrency: 2, maxQueue: 1 } }, ...virtualTime() })
    const r1 = a.admitNow('m')
    const r2 = await a.enqueue('m')
    // both slots taken: the queue has room, but admitNow does not wait in it
    expect(() => a.admitNow('m')).toThrow(QueueFullError)
    expect(() => a.admitNow('m')).toThrow(/No free slot for m/)
    const queued = a.enqueue('m')
    r1()
    // the freed slot goes to the queued job first, not to a caller of admitNow
    const r3 = await queued
    expect(() => a.admitNow('m')).toThrow(QueueFullError)
    r2()
    const r4 = a.admitNow('m')
    expect(a.stats().m).toMatchObject({ running: 2, queued: 0 })
    r3()
    r4()
    expect(() => a.admitNow('x')).toThrow(UnknownModelError)
  })

  it('admitNow leaves reserved places to their jobs', () => {
    const a = new Admission({ limits: { m: { maxConcurrency: 2, maxQueue: 0 } }, ...virtualTime() })
    a.reserve('m')
    a.admitNow('m')
    expect(() => a.admitNow('m')).toThrow(QueueFullError)
  })

  it('runs up to maxConcurrency, queues up to maxQueue, rejects the rest', async () => {
    const time = virtualTime()
    const a = new Admission({ limits: { m: { maxConcurrency: 2, maxQueue: 1 } }, ...time })
    const r1 = await a.enqueue('m')
    const r2 = await a.enqueue('m')
    let thirdStarted = false
    const third = a.enqueue('m').then((r) => {
      thirdStarted = true
      return r
    })
    expect(a.stats().m).toMatchObject({ running: 2, queued: 1 })
    expect(() => a.enqueue('m')).toThrow(QueueFullError)
    await Promise.resolve()
    expect(thirdStarted).toBe(false)
    r1()
    r1() // double release is harmless
    const r3 = await third
    expect(thirdStarted).toBe(true)
    expect(a.stats().m).toMatchObject({ running: 2, queued: 0 })
    r2()
    r3()
    expect(a.stats().m).toMatchObject({ running: 0, queued: 0 })
  })

  it('keeps FIFO order', async () => {
    const a = new Admission({ limits: { m: { maxConcurrency: 1, maxQueue: 5 } } })
    const first = await a.enqueue('m')
    const order: number[] = []
    const waits = [1, 2, 3].map((i) =>
      a.enqueue('m').then((release) => {
        order.push(i)
        release()
      }),
    )
    first()
    await Promise.all(waits)
    expect(order).toEqual([1, 2, 3])
  })

  it('aborting a queued job removes it with AbortedError', async () => {
    const a = new Admission({ limits: { m: { maxConcurrency: 1, maxQueue: 2 } } })
    const release = await a.enqueue('m')
    const controller = new AbortController()
    const queued = a.enqueue('m', { signal: controller.signal })
    controller.abort()
    await expect(queued).rejects.toBeInstanceOf(AbortedError)
    expect(a.stats().m?.queued).toBe(0)
    release()
    expect(() => a.enqueue('m', { signal: controller.signal })).toThrow(AbortedError)
  })

  it('a queued job whose deadline passes gets DeadlineExceededError (virtual clock)', async () => {
    const time = virtualTime()
    const a = new Admission({ limits: { m: { maxConcurrency: 1, maxQueue: 2 } }, ...time })
    const release = await a.enqueue('m')
    const queued = a.enqueue('m', { deadline: time.now() + 500 })
    time.advance(499)
    expect(a.stats().m?.queued).toBe(1)
    time.advance(1)
    await expect(queued).rejects.toBeInstanceOf(DeadlineExceededError)
    expect(() => a.enqueue('m', { deadline: time.now() })).toThrow(DeadlineExceededError)
    release()
    expect(a.stats().m?.running).toBe(0)
  })

  it('unknown keys are typed errors', () => {
    const a = new Admission({ limits: {} })
    expect(() => a.enqueue('x')).toThrow(UnknownModelError)
  })
})

describe('admission reservations', () => {
  it('a reserved place counts as queued and is never refused for a full queue', async () => {
    const a = new Admission({ limits: { m: { maxConcurrency: 1, maxQueue: 1 } } })
    const first = a.reserve('m')
    const second = a.reserve('m')
    expect(() => a.reserve('m')).toThrow(QueueFullError)
    expect(a.stats().m).toMatchObject({ running: 0, queued: 2 })
    // a job without a reservation finds no room beside the reserved places
    expect(() => a.enqueue('m')).toThrow(QueueFullError)
    const release = await a.enqueue('m', { reservation: first })
    const queued = a.enqueue('m', { reservation: second })
    expect(a.stats().m).toMatchObject({ running: 1, queued: 1 })
    release()
    ;(await queued)()
    expect(a.stats().m).toMatchObject({ running: 0, queued: 0 })
  })

  it('a released reservation gives its place back once, and cannot be used afterwards', () => {
    const a = new Admission({ limits: { m: { maxConcurrency: 1, maxQueue: 0 } } })
    const r = a.reserve('m')
    expect(() => a.reserve('m')).toThrow(QueueFullError)
    r.release()
    r.release()
    expect(a.stats().m).toMatchObject({ running: 0, queued: 0 })
    const other = a.reserve('m')
    // the released reservation no longer holds a place: it is checked like any job
    expect(() => a.enqueue('m', { reservation: r })).toThrow(QueueFullError)
    other.release()
  })

  it('a reservation of another lane holds no place in this one', () => {
    const a = new Admission({
      limits: { m: { maxConcurrency: 1, maxQueue: 0 }, n: { maxConcurrency: 1, maxQueue: 0 } },
    })
    const inN = a.reserve('n')
    const inM = a.reserve('m')
    expect(() => a.enqueue('m', { reservation: inN })).toThrow(QueueFullError)
    inM.release()
    inN.release()
    expect(() => a.reserve('x')).toThrow(UnknownModelError)
  })
})
