/** The shared bounded waits of test-support/wait.ts. */
import { describe, expect, it } from 'vitest'
import { LineLog, WaitTimeoutError, waitForEvent, waitForEvents } from '../../test-support/wait.ts'

describe('waitForEvent', () => {
  it('resolves at once when the condition already holds', async () => {
    await expect(
      waitForEvent(new EventTarget(), 'x', () => true, { what: 'nothing' }),
    ).resolves.toBeUndefined()
  })

  it('re-checks on each event and stops listening once it holds', async () => {
    const target = new EventTarget()
    let checks = 0
    let ready = false
    const waiting = waitForEvent(
      target,
      'tick',
      () => {
        checks++
        return ready
      },
      { what: 'ready' },
    )
    target.dispatchEvent(new Event('tick'))
    await new Promise((r) => setImmediate(r))
    ready = true
    target.dispatchEvent(new Event('tick'))
    await waiting
    const settled = checks
    target.dispatchEvent(new Event('tick'))
    await new Promise((r) => setImmediate(r))
    expect(settled).toBe(3)
    expect(checks).toBe(3)
  })

  it('takes an async condition and any of several sources', async () => {
    const a = new EventTarget()
    const b = new EventTarget()
    let ready = false
    const waiting = waitForEvents(
      [
        [a, 'x'],
        [b, 'y'],
      ],
      async () => ready,
      { what: 'ready' },
    )
    ready = true
    b.dispatchEvent(new Event('y'))
    await expect(waiting).resolves.toBeUndefined()
  })

  it('fails naming what it waited for once the time is up', async () => {
    const error = await waitForEvent(new EventTarget(), 'x', () => false, {
      what: 'the thing that never comes',
      timeoutMs: 20,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WaitTimeoutError)
    expect((error as Error).message).toBe('timed out after 20 ms waiting for the thing that never comes')
  })

  it('fails with the error the condition threw', async () => {
    const broken = new Error('broken check')
    await expect(
      waitForEvent(
        new EventTarget(),
        'x',
        () => {
          throw broken
        },
        { what: 'x' },
      ),
    ).rejects.toBe(broken)
  })
})

describe('LineLog', () => {
  it('keeps the lines and resolves on the one awaited', async () => {
    const log = new LineLog()
    const waiting = log.until((lines) => lines.includes('ready'), { what: 'ready' })
    log.log('starting')
    log.log('ready')
    await waiting
    expect(log.lines).toEqual(['starting', 'ready'])
  })
})
