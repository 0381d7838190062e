/// <reference lib="dom.iterable" />
/**
 * The node dashboard in Debian's headless Chromium, against a paid local mesh
 * on the devnet: a provider (`cocoon node start --provide --dashboard-port 0`,
 * its own process) and paying clients in their own processes. The page must
 * refuse requests without the printed token, show each job as the node logged
 * it, show the channel as `cocoon earnings --json` reports it, and update when
 * a second job finishes without being reloaded.
 */
import { existsSync } from 'node:fs'
import { TonChainClient } from '@cocoon-mesh/settlement'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  buildPeerDist,
  CLI as cli,
  cocoon,
  type Proc,
  ProcessGroup,
  stop,
} from '../../test-support/cli-processes.ts'
import {
  CHROMIUM,
  HAS_CHROMIUM,
  type LaunchedBrowser,
  launchChromium,
  screenshot,
} from './support/browser.js'
import { useDevnetFixture } from './support/devnet-fixture.js'
import { events, exitReport, MODEL, PER_K, paidNodes } from './support/paid-nodes.js'

const fx = useDevnetFixture('cocoon-dashboard-')
const procs = new ProcessGroup(120_000)
const { makeProvider, startProvider, makeClient, startClient, earnings } = paidNodes(fx, procs)

let chromium: LaunchedBrowser | undefined

beforeAll(async () => {
  buildPeerDist()
  expect(existsSync(cli)).toBe(true)
  if (HAS_CHROMIUM) chromium = await launchChromium()
}, 240_000)

afterAll(async () => {
  await chromium?.close()
})

afterEach(async () => {
  await procs.stopAll()
})

/** One paid job by a client process; resolves with what the node logged for it once the client is done. */
async function paidJob(
  node: Proc,
  job: { home: string; address: string; prompt: string; seen: number },
): Promise<{ jobId: string; cost: string; tokens: number }> {
  const client = startClient({
    home: job.home,
    endpoint: fx.devnet.endpoint,
    bootstrap: [job.address],
    model: MODEL,
    prompt: job.prompt,
    maxTokens: 24,
  })
  await client.until(() => events(client).some((e) => e.event === 'done' || e.event === 'error'), 'job done')
  expect(
    events(client).find((e) => e.event === 'error'),
    exitReport(client),
  ).toBeUndefined()
  // the store is single-process: the next client may open it only once this one exited
  await client.exited
  const finished = () => node.lines.filter((l) => l.startsWith('job-finished '))
  await node.until(() => finished().length > job.seen, 'job-finished')
  const m = /^job-finished (\S+) cost=(\d+) tokens=(\d+) /.exec(finished()[job.seen] ?? '')
  expect(m).not.toBeNull()
  return { jobId: m?.[1] ?? '', cost: m?.[2] ?? '', tokens: Number(m?.[3]) }
}

/** What the page shows of a job row. */
function jobOnPage(page: Page, jobId: string) {
  return page.evaluate((id) => {
    const row = [...document.querySelectorAll('#jobs tr')].find((r) => r.getAttribute('data-job-id') === id)
    const cell = (f: string) => row?.querySelector(`[data-field="${f}"]`)
    return {
      status: row?.getAttribute('data-status'),
      tokens: cell('tokens')?.textContent,
      cost: cell('cost')?.getAttribute('data-nano'),
    }
  }, jobId)
}

/** Waits until the page shows the channel fully claimed with `vouchers` nanoTON of vouchers; returns its row. */
async function settledChannel(page: Page, channel: string, vouchers: bigint) {
  await page.waitForFunction(
    ({ channel, vouchers }) => {
      const row = document.querySelector(`#channels tr[data-channel="${channel}"]`)
      const nano = (f: string) => row?.querySelector(`[data-field="${f}"]`)?.getAttribute('data-nano')
      return nano('vouchers') === vouchers && nano('claimed') === vouchers && nano('claimable') === '0'
    },
    { channel, vouchers: vouchers.toString() },
  )
  return page.evaluate((channel) => {
    const row = document.querySelector(`#channels tr[data-channel="${channel}"]`)
    const nano = (f: string) => row?.querySelector(`[data-field="${f}"]`)?.getAttribute('data-nano') ?? ''
    return { vouchers: nano('vouchers'), claimed: nano('claimed'), claimable: nano('claimable') }
  }, channel)
}

it.runIf(!HAS_CHROMIUM)(`has Debian chromium at ${CHROMIUM} in CI`, () => {
  console.warn(`skipping the dashboard browser test: no ${CHROMIUM} (apt-get install chromium)`)
  expect(process.env.CI, 'CI must have Debian chromium installed (see .ci/run)').toBeUndefined()
})

describe.runIf(HAS_CHROMIUM)('the node dashboard (headless Chromium, paid mesh on the devnet)', () => {
  it('needs its token, shows jobs and channels as the node and `cocoon earnings` report them, and updates live', async () => {
    const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 60_000 })
    const provider = await makeProvider(chain, 'provider')
    const { home: clientHome, channel } = await makeClient(provider, 'client')
    const { node, address } = await startProvider(provider, ['--dashboard-port', '0'])
    const url = (await node.line(/^dashboard http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+$/)).split(' ')[1] ?? ''
    const base = url.slice(0, url.indexOf('?'))

    // without the token, or with a wrong one, nothing but how to get the URL
    for (const attempt of [base, `${base}api/state`, `${base}api/events`, `${base}?token=wrong`]) {
      const res = await fetch(attempt)
      expect(res.status, attempt).toBe(401)
      expect(await res.text()).toContain('Open the URL the node printed at start')
    }

    if (chromium === undefined) throw new Error('chromium starts in beforeAll')
    // closed with the browser if the test fails before its end
    const context = await chromium.browser.newContext()
    const page = await context.newPage()
    // a bound on each wait for the page on a loaded machine, not a timed assertion
    page.setDefaultTimeout(120_000)
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    await page.goto(url)
    await page.waitForFunction(
      () => document.body.dataset.live === 'true' && document.body.dataset.chart === 'ready',
    )
    expect(await page.textContent('#peer-id')).toBe(provider.peerId)
    expect(await page.textContent('#own-offer')).toContain(MODEL)
    // reloading would reset this: it proves the later updates came over the event stream
    await page.evaluate(() => {
      document.body.dataset.loaded = 'once'
    })

    const first = await paidJob(node, {
      home: clientHome,
      address,
      prompt: 'Tell me about channels.',
      seen: 0,
    })
    expect(first.tokens).toBeGreaterThan(0)
    await page.waitForFunction(
      (id) =>
        document.querySelector(`#jobs tr[data-job-id="${id}"]`)?.getAttribute('data-status') === 'finished',
      first.jobId,
    )
    expect(await jobOnPage(page, first.jobId)).toEqual({
      status: 'finished',
      tokens: String(first.tokens),
      cost: first.cost,
    })
    // by the claim policy (2 s after the last voucher) the node claims the whole job
    await settledChannel(page, channel, BigInt(first.cost))

    const second = await paidJob(node, { home: clientHome, address, prompt: 'And vouchers?', seen: 1 })
    await page.waitForFunction(
      (id) =>
        document.querySelector(`#jobs tr[data-job-id="${id}"]`)?.getAttribute('data-status') === 'finished',
      second.jobId,
    )
    expect(await jobOnPage(page, second.jobId)).toEqual({
      status: 'finished',
      tokens: String(second.tokens),
      cost: second.cost,
    })
    const shown = await settledChannel(page, channel, BigInt(first.cost) + BigInt(second.cost))
    expect(await page.evaluate(() => document.body.dataset.loaded)).toBe('once')
    // each claim is listed with its fee (the chain shows a claim before its pass ends: wait for the pass),
    // and the chart has a point per change of earnings
    const claimLines = () => node.lines.filter((l) => l.startsWith(`claimed ${channel} `)).length
    await node.until(() => claimLines() >= 2, 'two claims')
    await page.waitForFunction(
      (n) => document.querySelectorAll('#claims tr[data-claim="ok"]').length === n,
      claimLines(),
    )
    const claims = await page.$$eval('#claims tr[data-claim="ok"] [data-field="fee"]', (cells) =>
      cells.map((c) => c.getAttribute('data-nano') ?? ''),
    )
    for (const fee of claims) expect(BigInt(fee)).toBeGreaterThan(0n)
    expect(Number(await page.evaluate(() => document.body.dataset.chartPoints))).toBeGreaterThanOrEqual(3)

    // a job that pays nothing is refused; the page shows the refusal with the node's cause
    const unpaid = cocoon([
      'run',
      '--home',
      clientHome,
      '--bootstrap',
      address,
      '--model',
      MODEL,
      '--prompt',
      'hi',
    ])
    await expect(unpaid).rejects.toThrow(/PAYMENT_REQUIRED|payment/i)
    const refusal = await node.line(/^job-rejected /)
    const [, refusedId, reason] = /^job-rejected (\S+) client=\S+ reason=(\S+)/.exec(refusal) ?? []
    await page.waitForFunction(
      (id) =>
        document.querySelector(`#jobs tr[data-job-id="${id}"]`)?.getAttribute('data-status') === 'rejected',
      refusedId,
    )
    const cause = await page.textContent(`#jobs tr[data-job-id="${refusedId}"] [data-field="cause"]`)
    expect(cause).toContain(`${reason}: `)

    // another provider of the model joins: the page lists it as a peer and its offer in the book
    const other = await makeProvider(chain, 'other-provider')
    await startProvider(other, ['--bootstrap', address])
    await page.waitForFunction(
      (peerId) =>
        [...document.querySelectorAll('#book tr')].some((r) => r.textContent?.includes(peerId)) &&
        [...document.querySelectorAll('#peers li')].some((li) => li.textContent === peerId),
      other.peerId,
    )
    const offered = await page.$$eval('#book tr', (rows) =>
      rows.map((r) =>
        [...r.querySelectorAll('td')].map((td) => td.getAttribute('data-nano') ?? td.textContent),
      ),
    )
    expect(offered).toContainEqual(expect.arrayContaining([other.peerId, MODEL, PER_K.toString()]))

    expect(problems).toEqual([])
    await screenshot(page, 'dashboard')
    const shownEarned = await page.getAttribute('#earned', 'data-nano')
    await context.close()

    // `cocoon earnings --json` reads the same store once the node released it
    await stop(node.child, 'SIGTERM')
    expect(await node.exited, exitReport(node)).toEqual({ code: 0, signal: null })
    const reported = await earnings(provider.home)
    expect(reported.channels).toEqual([{ ...shown, channel, closed: false }])
    expect(shownEarned).toBe(reported.earned)
  }, 400_000)
})
