import { afterEach, describe, expect, it } from 'vitest'
import {
  DashboardFeed,
  DashboardListenError,
  type DashboardServer,
  type DashboardState,
  MAX_JOBS,
} from '../../src/dashboard/index.js'
import { startDashboardServer } from '../../src/dashboard/server.js'
import { Snapshots } from '../../src/dashboard/snapshot.js'
import { type CocoonPeer, createPeer } from '../../src/index.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function dashboard(
  maxClients?: number,
): Promise<{ server: DashboardServer; feed: DashboardFeed; snapshots: Snapshots }> {
  const peer: CocoonPeer = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
  cleanups.push(() => peer.stop())
  const feed = new DashboardFeed()
  const snapshots = new Snapshots({
    peer,
    feed,
    startedAt: Date.now(),
    providing: false,
    ledger: undefined,
    load: () => ({}),
    reachability: async () => [],
  })
  const server = await startDashboardServer({
    feed,
    snapshots,
    port: 0,
    ...(maxClients === undefined ? {} : { maxClients }),
  })
  cleanups.push(() => server.close())
  return { server, feed, snapshots }
}

function withPath(url: string, path: string): string {
  const u = new URL(url)
  u.pathname = path
  return u.toString()
}

/** Reads server-sent events from `res` until `done` holds for one event; the stream is then cancelled. */
async function readEvents(
  res: Response,
  done: (event: string, data: string) => boolean,
): Promise<{ event: string; data: string }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for (;;) {
      const { value, done: ended } = await reader.read()
      if (ended) throw new Error('the event stream ended')
      buffer += decoder.decode(value, { stream: true })
      let end = buffer.indexOf('\n\n')
      while (end !== -1) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? ''
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? ''
        if (done(event, data)) return { event, data }
        end = buffer.indexOf('\n\n')
      }
    }
  } finally {
    await reader.cancel()
  }
}

describe('node dashboard server', () => {
  it('answers only with its token, in the URL or the cookie the page got', async () => {
    const { server } = await dashboard()
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/)
    const token = new URL(server.url).searchParams.get('token') ?? ''
    for (const url of [
      withPath(server.url, '/').split('?')[0] ?? '',
      withPath(server.url, '/api/state').replace(token, `${token}x`),
      withPath(server.url, '/api/state').replace(token, token.slice(0, -1)),
    ]) {
      const res = await fetch(url)
      expect(res.status, url).toBe(401)
      expect(await res.text()).toContain('dashboard http://127.0.0.1:<port>/?token=')
    }
    const page = await fetch(server.url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<canvas id="earnings-chart">')
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    expect(cookie).toBe(`cocoon-dashboard=${token}`)
    const state = await fetch(withPath(server.url, '/api/state').split('?')[0] ?? '', { headers: { cookie } })
    expect(state.status).toBe(200)
    expect(((await state.json()) as DashboardState).peerId).toMatch(/^12D3KooW/)
    const chart = await fetch(withPath(server.url, '/chart.js'))
    expect(await chart.text()).toContain('Chart.js')
  })

  it('shows a failed claim pass and a failed channel claim, with their causes cut to a bounded length', async () => {
    const { server, feed } = await dashboard()
    feed.claimPass({ at: 1, error: `chain unreachable ${'x'.repeat(10_000)}` })
    feed.claimPass({
      at: 2,
      outcomes: [
        { channel: 'EQ-a', error: new Error('wallet short of fees') },
        { channel: 'EQ-b', reason: 'timer', paid: 5n, fee: 2n },
      ],
    })
    const state = (await (await fetch(withPath(server.url, '/api/state'))).json()) as DashboardState
    expect(state.claims.map((c) => [c.channel, c.ok, c.paid, c.fee, c.error?.slice(0, 20)])).toEqual([
      ['', false, undefined, undefined, 'chain unreachable xx'],
      ['EQ-a', false, undefined, undefined, 'wallet short of fees'],
      ['EQ-b', true, '5', '2', undefined],
    ])
    expect(state.claims[0]?.error?.length).toBeLessThanOrEqual(301)
  })

  it('pushes each event and the new state to the open streams, and refuses streams past its limit', async () => {
    const { server, feed } = await dashboard(2)
    const events = withPath(server.url, '/api/events')
    const a = await fetch(events)
    const b = await fetch(events)
    expect([a.status, b.status]).toEqual([200, 200])
    expect(a.headers.get('content-type')).toBe('text/event-stream')
    const third = await fetch(events)
    expect(third.status).toBe(503)
    expect(await third.text()).toContain('too many dashboard tabs')

    const pushed = readEvents(a, (event, data) => event === 'state' && data.includes('job-1'))
    feed.nodeEvent({
      event: 'job-accepted',
      fields: { jobId: 'job-1', client: 'peer-x', model: 'tiny', via: '/ip4/127.0.0.1/tcp/4001' },
    })
    feed.nodeEvent({
      event: 'job-finished',
      fields: { jobId: 'job-1', cost: '1200', tokens: 12, gflop: 0, via: '/ip4/127.0.0.1/tcp/4001' },
    })
    const state = JSON.parse((await pushed).data) as DashboardState
    expect(state.jobs.map((j) => [j.jobId, j.status, j.cost, j.tokens])).toEqual([
      ['job-1', 'finished', '1200', 12],
    ])

    // a closed stream frees its place
    await b.body?.cancel()
    await expect
      .poll(async () => {
        const res = await fetch(events)
        await res.body?.cancel()
        return res.status
      })
      .toBe(200)
  })

  it('keeps at most MAX_JOBS jobs, dropping the oldest ended ones', () => {
    const feed = new DashboardFeed()
    feed.nodeEvent({
      event: 'job-accepted',
      fields: { jobId: 'long-running', client: 'c', model: 'm', via: '/ip4/127.0.0.1/tcp/4001' },
    })
    for (let i = 0; i < MAX_JOBS + 10; i++) {
      feed.nodeEvent({
        event: 'job-accepted',
        fields: { jobId: `j${i}`, client: 'c', model: 'm', via: '/ip4/127.0.0.1/tcp/4001' },
      })
      feed.nodeEvent({
        event: 'job-failed',
        fields: { jobId: `j${i}`, client: 'c', code: 'X', message: 'boom' },
      })
    }
    const jobs = feed.state().jobs
    expect(jobs).toHaveLength(MAX_JOBS)
    expect(jobs[0]?.jobId).toBe('long-running')
    expect(jobs.at(-1)).toMatchObject({ jobId: `j${MAX_JOBS + 9}`, status: 'failed', cause: 'X: boom' })
    expect(jobs.some((j) => j.jobId === 'j0')).toBe(false)
  })

  it('says which port is taken instead of crashing', async () => {
    const { server, feed, snapshots } = await dashboard()
    const port = Number(new URL(server.url).port)
    const err = await startDashboardServer({ feed, snapshots, port }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DashboardListenError)
    expect((err as DashboardListenError).details).toContain(`127.0.0.1:${port}`)
  })
})
