import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Address } from '@ton/core'
import * as esbuild from 'esbuild'
import { type BrowserServer, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher } from '../../src/voucher/voucher.js'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

let server: Server | undefined
let browser: BrowserServer | undefined
let origin: string

beforeAll(async () => {
  const built = await esbuild.build({
    entryPoints: [fixture('browser-store-page.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    conditions: ['cocoon-source'],
    inject: [fixture('buffer-global.ts')],
    logLevel: 'silent',
  })
  const script = built.outputFiles[0]?.contents ?? new Uint8Array()
  const page = '<!doctype html><html><body><script type="module" src="/page.js"></script></body></html>'
  const http = createServer((req, res) => {
    if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    else res.writeHead(200, { 'content-type': 'text/html' }).end(page)
  })
  server = http
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
})

afterAll(async () => {
  const pid = browser?.process().pid
  await browser?.close()
  if (pid !== undefined && browser?.process().exitCode === null) process.kill(pid, 'SIGKILL')
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())))
})

describe('the voucher store in a real browser, on IndexedDB', () => {
  it('signs with the browser backend and loses nothing on a reload', async (context) => {
    if (CHROMIUM === undefined) {
      expect(process.env.CI, 'CI must have Debian chromium installed (see .ci/run)').toBeUndefined()
      context.skip()
    }
    browser = await chromium.launchServer({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    const client = await chromium.connect(browser.wsEndpoint())
    const page = await (await client.newContext()).newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(origin)
    await page.waitForFunction('typeof afterReload === "function"')

    const paid = (await page.evaluate('payTwenty()')) as {
      backend: string
      amounts: string[]
      lastSignature: string
    }
    expect(paid.backend).toBe('@noble/curves')
    expect(paid.amounts).toEqual(Array.from({ length: 20 }, (_, i) => String(7 * (i + 1))))
    // the browser's signature is byte for byte the one Node signs
    const channel = new Address(0, Buffer.alloc(32, 7)).toRawString()
    const key = signingKeyFromSeed(new Uint8Array(32).fill(9))
    const inNode = signVoucher({ key, channel, amount: 140n, jobId: 'job-a' })
    expect(paid.lastSignature).toBe(Buffer.from(inNode.signature).toString('hex'))

    await page.reload()
    await page.waitForFunction('typeof afterReload === "function"')
    const reloaded = await page.evaluate('afterReload()')
    expect(reloaded).toEqual({ signed: '140', newest: '140', next: '141', replay: 'ERR_VOUCHER_REPLAYED' })
    expect(errors).toEqual([])
    await client.close()
  })
})
