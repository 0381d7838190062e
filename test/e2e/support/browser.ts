/// <reference lib="dom" />
/**
 * Debian's chromium driven by playwright-core (never a downloaded browser),
 * and the Mini App page served by esbuild for it.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { type ServedMiniApp, serveMiniApp } from '../../../examples/miniapp/scripts/bundle.ts'

export {
  CHROMIUM,
  HAS_CHROMIUM,
  type LaunchedBrowser,
  launchChromium,
} from '../../../examples/miniapp/scripts/chromium.ts'

declare global {
  interface Window {
    /** The output's text at each change during a job, recorded by {@link summarise}. */
    __updates?: string[]
  }
}

/** Where screenshots of browser tests go (gitignored), kept after the run. */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', '.artifacts')

/** The page built into `outdir` and served on a free port of 127.0.0.1. */
export function servePage(outdir: string): Promise<ServedMiniApp> {
  return serveMiniApp({ host: '127.0.0.1', port: 0, outdir, rebuild: false })
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
    { timeout: timeoutMs },
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
