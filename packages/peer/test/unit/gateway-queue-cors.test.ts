import { AbortedError } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { corsHeaders, preflight } from '../../src/gateway/cors.js'
import { GatewayQueueFullError, ProvidersBusyError, toOpenAiError } from '../../src/gateway/errors.js'
import { GatewayQueue } from '../../src/gateway/queue.js'

/** Virtual time: timers fire only when the test advances the clock. */
function virtualTimers() {
  let t = 0
  const pending: Array<{ at: number; fn: () => void; live: boolean }> = []
  return {
    now: () => t,
    timers: {
      schedule(fn: () => void, ms: number) {
        const timer = { at: t + ms, fn, live: true }
        pending.push(timer)
        return () => {
          timer.live = false
        }
      },
    },
    advance(ms: number) {
      t += ms
      for (const timer of pending.splice(0)) {
        if (!timer.live) continue
        if (timer.at <= t) timer.fn()
        else pending.push(timer)
      }
    },
  }
}

describe('GatewayQueue', () => {
  it('runs up to maxRunning, hands a released slot to the first waiter, refuses beyond maxWaiting', async () => {
    const clock = virtualTimers()
    const q = new GatewayQueue({ maxRunning: 1, maxWaiting: 1, maxWaitMs: 1000, ...clock })
    const first = await q.acquire(q.deadline())
    const second = q.acquire(q.deadline())
    await expect(q.acquire(q.deadline())).rejects.toBeInstanceOf(GatewayQueueFullError)
    expect(q.waiting).toBe(1)
    first()
    const release = await second
    expect(q.running).toBe(1)
    release()
    release()
    expect(q.running).toBe(0)
  })

  it('a waiter past its deadline gets ProvidersBusyError, an aborted one AbortedError', async () => {
    const clock = virtualTimers()
    const q = new GatewayQueue({
      maxRunning: 1,
      maxWaiting: 4,
      maxWaitMs: 1000,
      retryAfterMs: 2000,
      ...clock,
    })
    await q.acquire(q.deadline())
    const late = q.acquire(q.deadline())
    const controller = new AbortController()
    const aborted = q.acquire(q.deadline(), controller.signal)
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortedError)
    clock.advance(1000)
    const error = await late.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProvidersBusyError)
    expect(toOpenAiError(error)).toMatchObject({ status: 503, retryAfterMs: 2000 })
    expect(q.waiting).toBe(0)
  })

  it('nextRelease wakes one waiter per job that ends', async () => {
    const clock = virtualTimers()
    const q = new GatewayQueue({ maxRunning: 4, maxWaiting: 4, maxWaitMs: 1000, ...clock })
    const a = await q.acquire(q.deadline())
    let woken = 0
    const w1 = q.nextRelease(q.deadline()).then(() => woken++)
    const w2 = q.nextRelease(q.deadline()).then(() => woken++)
    a()
    await w1
    expect(woken).toBe(1)
    clock.advance(1000)
    await expect(w2).rejects.toBeInstanceOf(ProvidersBusyError)
    expect(toOpenAiError(new GatewayQueueFullError('full', 1500))).toMatchObject({
      status: 429,
      retryAfterMs: 1500,
    })
  })
})

describe('CORS', () => {
  const cors = { origins: ['http://app.example'] }

  it('answers an allowed preflight with methods, the requested headers and max age; refuses other origins', () => {
    const ok = preflight('http://app.example', 'content-type', cors)
    expect(ok.status).toBe(204)
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': 'http://app.example',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    })
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined()
    expect(preflight('http://evil.example', undefined, cors).status).toBe(403)
    expect(preflight('http://app.example', undefined, undefined).status).toBe(403)
  })

  it('a wildcard allows any origin, never with credentials; credentials go to listed origins only', () => {
    expect(corsHeaders('http://x.example', { origins: ['*'] })['access-control-allow-origin']).toBe('*')
    const wild = corsHeaders('http://x.example', { origins: ['*'], credentials: true })
    expect(wild['access-control-allow-origin']).toBe('*')
    expect(wild['access-control-allow-credentials']).toBeUndefined()
    const listed = corsHeaders('http://app.example', {
      origins: ['*', 'http://app.example'],
      credentials: true,
    })
    expect(listed['access-control-allow-origin']).toBe('http://app.example')
    expect(listed['access-control-allow-credentials']).toBe('true')
    expect(corsHeaders(undefined, cors)).toEqual({})
  })
})
