import { describe, expect, it } from 'vitest'
import { createNodeLog } from '../../src/cli/node-log.js'
import { Teardown } from '../../src/cli/teardown.js'
import { ShutdownFailedError } from '../../src/home/errors.js'

const NOW = Date.UTC(2026, 11, 2, 1, 0, 0)

describe('the node log', () => {
  it('prints the readable lines by default', () => {
    const lines: string[] = []
    const log = createNodeLog('text', (l) => lines.push(l))
    log.event('job-rejected', { jobId: 'j1', client: 'c1', reason: 'price', message: 'too\n  cheap' })
    log.event('offer-removed', { provider: 'p', models: ['a', 'b'], sequence: '3', reason: 'expired' })
    log.line('claimed 0:ab 100 reason=timer')
    expect(lines).toEqual([
      'job-rejected j1 client=c1 reason=price too cheap',
      'offer-removed p models=a,b seq=3 reason=expired',
      'claimed 0:ab 100 reason=timer',
    ])
  })

  it('prints one JSON object per line with the event name and its fields', () => {
    const lines: string[] = []
    const log = createNodeLog(
      'json',
      (l) => lines.push(l),
      () => NOW,
    )
    log.event('job-finished', { jobId: 'j1', cost: '12', tokens: 4, gflop: 0, via: '/ip4/1.2.3.4/tcp/1' })
    log.line('claim-pass-failed ERR_X: chain down')
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        time: '2026-12-02T01:00:00.000Z',
        event: 'job-finished',
        jobId: 'j1',
        cost: '12',
        tokens: 4,
        gflop: 0,
        via: '/ip4/1.2.3.4/tcp/1',
      },
      { time: '2026-12-02T01:00:00.000Z', event: 'claim-pass-failed', message: 'ERR_X: chain down' },
    ])
  })

  it('prints the dashboard URL in both formats and hands each event to its observer after writing it', () => {
    const url = 'http://127.0.0.1:4100/?token=abc'
    const seen: string[] = []
    const text: string[] = []
    const log = createNodeLog(
      'text',
      (l) => text.push(l),
      () => NOW,
      (e) => seen.push(`${e.event} after ${text.length} lines`),
    )
    log.event('dashboard', { url })
    log.line('claimed 0:ab 100 reason=timer')
    expect(text).toEqual([`dashboard ${url}`, 'claimed 0:ab 100 reason=timer'])
    expect(seen).toEqual(['dashboard after 1 lines', 'line after 2 lines'])
    const json: string[] = []
    createNodeLog(
      'json',
      (l) => json.push(l),
      () => NOW,
    ).event('dashboard', { url })
    expect(json.map((l) => JSON.parse(l))).toEqual([
      { time: '2026-12-02T01:00:00.000Z', event: 'dashboard', url },
    ])
  })
})

describe('the teardown stack', () => {
  it('stops in reverse order, reports each failure with its cause and throws them together', async () => {
    const order: string[] = []
    const reported: Array<[string, string]> = []
    const teardown = new Teardown((step, cause) => reported.push([step, (cause as Error).message]))
    teardown.defer('first', () => order.push('first'))
    teardown.defer('second', () => {
      throw new Error('disk gone')
    })
    teardown.defer('third', () => order.push('third'))
    const failure = await teardown.run().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(order).toEqual(['third', 'first'])
    expect(reported).toEqual([['second', 'disk gone']])
    expect(failure).toBeInstanceOf(ShutdownFailedError)
    expect((failure as ShutdownFailedError).failures.map((f) => f.step)).toEqual(['second'])
  })
})
