/**
 * Page load to first token on loopback in headless chromium: the Mini App
 * page against a local mesh (one provider serving the tiny model), clicked as
 * soon as it is ready. Baseline, in the same page load: navigation start to
 * the page's libp2p node started (`cocoon:libp2p-started`).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalMesh } from '@cocoon-mesh/peer'
import { reportBench } from '@cocoon-mesh/protocol'
import { serveMiniApp } from '../scripts/bundle.ts'
import { HAS_CHROMIUM, launchChromium } from '../scripts/chromium.ts'

/** The page's performance marks (ms since navigation start), or the error it showed. */
interface Marks {
  first?: number
  started?: number
  error?: string
}

/** Page loads measured; the median is reported. */
const RUNS = 5

export async function firstTokenBench(): Promise<void> {
  if (!HAS_CHROMIUM) {
    process.stderr.write(
      'page load to first token: skipped, no /usr/bin/chromium (apt-get install chromium)\n',
    )
    return
  }
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-bench-miniapp-'))
  const mesh = await startLocalMesh({ providers: [{ price: '1000' }], home: dir })
  const served = await serveMiniApp({ port: 0, outdir: join(dir, 'page'), rebuild: false })
  const chromium = await launchChromium()
  try {
    const ws = mesh.bootstrapAddrs.find((a) => a.includes('/ws/')) ?? ''
    const url = `${served.url}?bootstrap=${encodeURIComponent(ws)}&maxTokens=8`
    const firsts: number[] = []
    const starts: number[] = []
    for (let i = 0; i < RUNS; i++) {
      // a fresh context each time: nothing cached, a cold IndexedDB, a new identity
      const context = await chromium.browser.newContext()
      try {
        const page = await context.newPage()
        await page.goto(url)
        await page.waitForFunction(
          () => document.getElementById('status')?.textContent?.startsWith('ready') === true,
        )
        await page.click('#summarise')
        const marks = await page.waitForFunction(
          (): Marks | false => {
            const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime
            const first = at('cocoon:first-token')
            const error = document.getElementById('error')
            if (error?.hidden === false) return { error: error.textContent ?? '' }
            return first === undefined ? false : { first, started: at('cocoon:libp2p-started') ?? 0 }
          },
          undefined,
          { timeout: 60_000 },
        )
        const m = await marks.jsonValue()
        if (m === false || m.first === undefined)
          throw new Error(`the page showed an error: ${m ? m.error : ''}`)
        firsts.push(m.first)
        starts.push(m.started ?? 0)
      } finally {
        await context.close()
      }
    }
    reportBench({
      bench: 'browser page load to first token (loopback, headless chromium) vs page load to libp2p started',
      value: median(firsts),
      unit: 'ms',
      baseline: median(starts),
      better: 'lower',
    })
  } finally {
    await chromium.close()
    await served.stop()
    await mesh.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}
