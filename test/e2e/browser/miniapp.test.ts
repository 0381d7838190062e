/// <reference lib="dom" />
/**
 * The Mini App example page in Debian's headless chromium against a local
 * mesh of real processes and a devnet: the page's light peer joins over
 * WebSockets, opens a payment channel from its devnet wallet, buys a job,
 * streams its tokens into the DOM and shows who served it and what it cost,
 * and after a reload pays through the same channel; a provider killed mid-job
 * is failed over.
 */
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { type LocalMesh, startLocalMesh } from '@cocoon-mesh/peer'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServedMiniApp } from '../../../examples/miniapp/scripts/bundle.ts'
import {
  CHROMIUM,
  HAS_CHROMIUM,
  type LaunchedBrowser,
  launchChromium,
  pageUrl,
  screenshot,
  servePage,
  summarise,
} from '../support/browser.js'
import { useDevnetFixture } from '../support/devnet-fixture.js'
import { useScratchHome } from '../support/scratch-home.js'

const PRICE = '2000000' // nanoTON per 1k tokens
const chain = useDevnetFixture('cocoon-e2e-miniapp-chain-')
const scratch = useScratchHome('cocoon-e2e-miniapp-')
const { cleanups } = scratch

let chromium: LaunchedBrowser | undefined
let served: ServedMiniApp | undefined

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  served = await servePage(join(scratch.home, 'page'))
  chromium = await launchChromium()
})

afterAll(async () => {
  await chromium?.close()
  await served?.stop()
})

async function mesh(providers: Parameters<typeof startLocalMesh>[0]['providers']): Promise<LocalMesh> {
  const m = await startLocalMesh({ providers, home: await mkdtemp(join(scratch.home, 'mesh-')) })
  cleanups.push(() => m.stop())
  return m
}

async function openPage(m: LocalMesh, query: Record<string, string> = {}): Promise<Page> {
  if (chromium === undefined || served === undefined) throw new Error('chromium starts in beforeAll')
  const context = await chromium.browser.newContext()
  cleanups.push(() => context.close())
  const page = await context.newPage()
  const logs: string[] = []
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`))
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`))
  cleanups.push(async () => {
    if (process.env.COCOON_E2E_DEBUG !== undefined) console.log(logs.join('\n'))
  })
  await page.goto(pageUrl(served.url, m.bootstrapAddrs, query))
  await page.waitForFunction(
    () => document.getElementById('status')?.textContent?.startsWith('ready') === true,
  )
  return page
}

it.runIf(!HAS_CHROMIUM)(`has Debian chromium at ${CHROMIUM} in CI`, () => {
  console.warn(`skipping the Mini App browser tests: no ${CHROMIUM} (apt-get install chromium)`)
  expect(process.env.CI, 'CI must have Debian chromium installed (see .ci/run)').toBeUndefined()
})

describe.runIf(HAS_CHROMIUM)('the Mini App page in chromium', () => {
  it('pays a provider through a channel from the page, streams the job in, and pays through the same channel after a reload', async () => {
    const m = await mesh([{ price: PRICE, chainEndpoint: chain.devnet.endpoint }])
    const page = await openPage(m, { devnet: chain.devnet.endpoint })
    const first = await summarise(page)
    await screenshot(page, 'miniapp-paid-job')
    // tokens arrived in more than one piece before the job completed
    expect(new Set(first.updates.filter((u) => u !== '')).size).toBeGreaterThan(1)
    expect(first.output.length).toBeGreaterThan(0)
    expect(first.usage.provider).toBe(m.providers[0]?.peerId)
    expect(first.usage.price).toBe(PRICE)
    expect(first.usage.tier).toBe('open')
    expect(BigInt(first.usage.cost ?? '0')).toBeGreaterThan(0n)
    expect(first.usageText).toContain('served by')
    const channel = first.usage.channel
    expect(channel).toMatch(/^0:[0-9a-f]{64}$/)
    const signed = BigInt(first.usage.signed ?? '0')
    expect(signed).toBeGreaterThan(0n)

    // a reload keeps the identity, the wallet and the voucher store (IndexedDB): same channel, higher voucher
    await page.reload()
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent?.startsWith('ready') === true,
    )
    const second = await summarise(page)
    await screenshot(page, 'miniapp-paid-job-after-reload')
    expect(second.usage.channel).toBe(channel)
    expect(BigInt(second.usage.signed ?? '0')).toBeGreaterThan(signed)
    expect(BigInt(second.usage.cost ?? '0')).toBeGreaterThan(0n)
  })

  it('fails over to the second provider when the serving one is killed mid-job', async () => {
    const m = await mesh([{ price: PRICE }, { price: PRICE }])
    const page = await openPage(m, { maxTokens: '400' })
    const done = summarise(page)
    // the first tokens are in the page: kill the provider that accepted the job
    await page.waitForFunction(() => (document.getElementById('output')?.textContent ?? '').length > 0)
    const accepted = await Promise.any(
      m.providers.map((p) => p.waitForEvent((e) => e.type === 'accepted').then(() => p)),
    )
    accepted.kill()
    const job = await done
    await screenshot(page, 'miniapp-failover')
    const survivor = m.providers.find((p) => p !== accepted)
    expect(job.usage.provider).toBe(survivor?.peerId)
    expect(job.usageText).toContain('failover')
  })

  it('tells the user what to do when the address is wrong or the mesh does not answer', async () => {
    if (chromium === undefined || served === undefined) throw new Error('chromium starts in beforeAll')
    const closed = await closedPort()
    const context = await chromium.browser.newContext()
    cleanups.push(() => context.close())
    const page = await context.newPage()
    const peer = '12D3KooWAYnr1PxX76iRYErQY5LCzzLp57Ma2Mr8KQEuGfC8HNg8'
    await page.goto(served.url)
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent?.startsWith('ready') === true,
    )
    // a TCP address: a browser cannot dial it
    await page.fill('#bootstrap', `/ip4/127.0.0.1/tcp/${closed}/p2p/${peer}`)
    await page.click('#summarise')
    await page.waitForFunction(() => document.getElementById('error')?.hidden === false)
    expect(await page.locator('#error').textContent()).toContain('only over WebSockets')
    // nothing listens there: the page gives up on the bootstrap peer within its bound and says why
    await page.fill('#bootstrap', `/ip4/127.0.0.1/tcp/${closed}/ws/p2p/${peer}`)
    await page.click('#summarise')
    await page.waitForFunction(
      () => document.getElementById('error')?.textContent?.includes('did not answer'),
      undefined,
      {
        timeout: 30_000,
      },
    )
    expect(await page.locator('#error').textContent()).toContain('npm run demo -- --serve')
    await screenshot(page, 'miniapp-mesh-unreachable')
  })
})

/** A loopback port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no TCP port was bound')
  return address.port
}
