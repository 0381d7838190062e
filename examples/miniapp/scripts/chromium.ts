/**
 * Debian's chromium (`apt-get install chromium`) driven by playwright-core,
 * never a downloaded browser: for the page's browser test and benchmark.
 */
import { existsSync } from 'node:fs'
import { type Browser, type BrowserServer, chromium } from 'playwright-core'

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

export interface LaunchedBrowser {
  browser: Browser
  /** The chromium process's id. */
  pid: number | undefined
  /** Closes the browser, then SIGKILLs its process by pid if it is still there. */
  close(): Promise<void>
}

/** Launches headless chromium as a server process (its pid known) and connects to it. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const server: BrowserServer = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  })
  const pid = server.process().pid
  const kill = (): void => {
    const proc = server.process()
    if (pid !== undefined && proc.exitCode === null && proc.signalCode === null) process.kill(pid, 'SIGKILL')
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
