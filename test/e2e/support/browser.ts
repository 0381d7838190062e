/**
 * Debian's chromium driven by playwright-core (never a downloaded browser),
 * and the Mini App page served by esbuild for it.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type Browser, type BrowserServer, chromium, type Page } from 'playwright-core'
import { type ServedMiniApp, serveMiniApp } from '../../../examples/miniapp/scripts/bundle.ts'

declare global {
  interface Window {
    /** The output's text at each change during a job, recorded by {@link summarise}. */
    __updates?: string[]
  }
}

export const CHROMIUM = '/usr/bin/chromium'
export const HAS_CHROMIUM = existsSync(CHROMIUM)

/** Flags that work here as root; playwright gives the browser a fresh temporary --user-data-dir. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Where screenshots of browser tests go (gitignored), kept after the run. */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', '.artifacts')

export interface LaunchedBrowser {
  browser: Browser
  /** The chromium process's id. */
  pid: number | undefined
  /** Closes the browser, then SIGKILLs its process by pid if it is still there. */
  close(): Promise<void>
}

/** Launches headless Debian chromium as a server process (its pid known) and connects to it. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const server: BrowserServer = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  })
  const pid = server.process().pid
  const kill = (): void => {
    if (pid !== undefined && server.process().exitCode === null) process.kill(pid, 'SIGKILL')
  }
  try {
    const browser = await chromium.connect(server.wsEndpoint())
    return {
      browser,
      pid,
      async close() {
        await browser.close().catch((error: unknown) => console.error('closing chromium failed:', error))
        await server.close().catch((error: unknown) => console.error('stopping chromium failed:', error))
        kill()
      },
    }
  } catch (error) {
    await server.close()
    kill()
    throw error
  }
}

/** The page built into `outdir` and served on a free port of 127.0.0.1. */
export function servePage(outdir: string): Promise<ServedMiniApp> {
  return serveMiniApp({ host: '127.0.0.1', port: 0, outdir })
}

/** The page's URL for a mesh: `?bootstrap=<ws addr>` and any more query parameters. */
export function pageUrl(page: string, bootstrapAddrs: string[], more: Record<string, string> = {}): string {
  const ws = bootstrapAddrs.find((a) => a.includes('/ws/'))
  if (ws === undefined) throw new Error(`the bootstrap peer has no /ws address: ${bootstrapAddrs.join(', ')}`)
  const url = new URL(page)
  url.searchParams.set('bootstrap', ws)
  for (const [k, v] of Object.entries(more)) url.searchParams.set(k, v)
  return url.toString()
}

/** What the page showed of one job. */
export interface PageJob {
  /** The output's text after each change while the job ran, before the usage line appeared. */
  updates: string[]
  output: string
  usage: Record<string, string>
  usageText: string
}

/**
 * Clicks Summarise and waits (event-driven, bounded by `timeoutMs`) until the
 * usage line or an error shows. Records every change of the output before the
 * usage line appears; rejects with the page's error text when it shows one.
 */
export async function summarise(page: Page, timeoutMs = 90_000): Promise<PageJob> {
  await page.evaluate(() => {
    const output = document.getElementById('output')
    const usage = document.getElementById('usage')
    if (output === null || usage === null) throw new Error('the page has no #output or #usage')
    const updates: string[] = []
    window.__updates = updates
    new MutationObserver(() => {
      if (usage.dataset.cost === undefined) updates.push(output.textContent ?? '')
    }).observe(output, { childList: true, characterData: true, subtree: true })
  })
  await page.click('#summarise')
  await page.waitForFunction(
    () => {
      const usage = document.getElementById('usage')
      const error = document.getElementById('error')
      return usage?.dataset.cost !== undefined || error?.hidden === false
    },
    undefined,
    { timeout: timeoutMs, polling: 'mutation' },
  )
  const error = await page.locator('#error')
  if (await error.isVisible()) throw new Error(`the page showed an error: ${await error.textContent()}`)
  return page.evaluate(() => {
    const usage = document.getElementById('usage')
    const data: Record<string, string> = {}
    for (const [k, v] of Object.entries(usage?.dataset ?? {})) if (v !== undefined) data[k] = v
    return {
      updates: window.__updates ?? [],
      output: document.getElementById('output')?.textContent ?? '',
      usage: data,
      usageText: usage?.textContent ?? '',
    }
  })
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
