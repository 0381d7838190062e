import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { renderReport } from '../../src/output/report.js'
import { runScenario } from '../../src/sim/run.js'
import { small } from './helpers.js'

const run = promisify(execFile)
const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))

describe('report.html', () => {
  it('is self-contained and draws every chart in a headless browser', async () => {
    const { summary, series, csv, distributions } = await runScenario(small())
    const html = await renderReport(summary, series, distributions)
    // each CDF rises from its least to its greatest sample
    for (const curve of [distributions.spreadMs, distributions.lookupMs, distributions.pricePerK]) {
      expect(curve.length).toBeGreaterThan(1)
      expect(curve.at(-1)?.[1]).toBe(1)
      expect(curve.every(([x], i) => i === 0 || x >= (curve[i - 1] as [number, number])[0])).toBe(true)
    }
    expect(distributions.pricePerK.at(-1)?.[0]).toBeLessThanOrEqual(summary.price.p90PaidPerK * 10)
    // structure: chart.js inlined, no external resources
    expect(html).toContain('<canvas id="chart-jobs">')
    expect(html).not.toMatch(/<script[^>]+src=/)
    expect(html).not.toMatch(/<link[^>]+href=/)
    expect(html.length).toBeGreaterThan(150_000) // the chart.js UMD bundle is in it
    // a bucket without a paid job has no price: an empty cell, a gap in the chart, never a zero
    const priceColumn = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(',')[4])
    expect(priceColumn).not.toContain('0')
    expect(series.mean_price_paid_per_k?.length).toBe(priceColumn.length)
    expect(csv.split('\n')[0]).toBe(
      't_s,jobs_arrived,jobs_ok,jobs_failed,mean_price_paid_per_k,cheapest_offer_per_k,utilisation,online_peers,book_size,spam_in_books,attempts,attacker_wasted_ms',
    )
    if (CHROMIUM === undefined) {
      // Without a browser only the structure above is checked; CI installs one, so there it must be found.
      expect(process.env.CI, 'CI must have Debian chromium installed (see .ci/run)').toBeUndefined()
      return
    }
    const dir = await mkdtemp(join(tmpdir(), 'cocoon-sim-report-'))
    dirs.push(dir)
    const file = join(dir, 'report.html')
    await writeFile(file, html)
    const { stdout } = await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--virtual-time-budget=5000',
        '--dump-dom',
        `file://${file}`,
      ],
      { timeout: 50_000, maxBuffer: 64 * 1024 * 1024 },
    )
    // the page's script sets data-charts after constructing every Chart without throwing
    expect(stdout).toContain('data-charts="9"')
    // every chart has a y axis title with its unit, as chart.js constructed it
    expect(stdout).toContain('nanoTON per 1k completion tokens')
    expect(stdout).toMatch(/data-axes="[^"|]+(\|[^"|]+){8}"/)
    // the CDFs' x axes carry their units
    expect(stdout).toContain('ms after publication|simulated ms|nanoTON per 1k completion tokens"')
  })
})
