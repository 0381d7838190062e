import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Distributions } from '../sim/distributions.js'
import type { Summary } from '../sim/summary.js'

const require = createRequire(import.meta.url)

/** The chart.js UMD bundle from node_modules, inlined so the report opens offline. */
export async function chartJsBundle(): Promise<string> {
  const main = require.resolve('chart.js')
  const bundle = await readFile(join(dirname(main), 'chart.umd.min.js'), 'utf8')
  return bundle.replaceAll('</script', '<\\/script')
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** One chart: its series (CSV column → legend label) and the y axis title with its unit. */
interface ChartSpec {
  id: string
  title: string
  y: string
  series: Record<string, string>
}

const CHARTS: ChartSpec[] = [
  {
    id: 'jobs',
    title: 'Jobs per bucket',
    y: 'jobs per bucket',
    series: { jobs_arrived: 'arrived', jobs_ok: 'succeeded', jobs_failed: 'failed' },
  },
  {
    id: 'price',
    title: 'Price',
    y: 'nanoTON per 1k completion tokens',
    series: { mean_price_paid_per_k: 'mean price paid', cheapest_offer_per_k: 'cheapest live offer' },
  },
  {
    id: 'util',
    title: 'Provider utilisation',
    y: 'busy slots ÷ slots',
    series: { utilisation: 'mean utilisation' },
  },
  { id: 'peers', title: 'Online peers', y: 'peers', series: { online_peers: 'online peers' } },
  {
    id: 'book',
    title: 'Order book size',
    y: 'offers',
    series: { book_size: 'offers in observer 0’s book', spam_in_books: 'spam offers in honest books' },
  },
  {
    id: 'attack',
    title: 'Cost of attackers',
    y: 'passes / simulated ms per bucket',
    series: { attempts: 'ranking passes', attacker_wasted_ms: 'ms lost to attackers' },
  },
]

/** One cumulative distribution chart: which curve, and the x axis title with its unit. */
interface CdfSpec {
  id: string
  title: string
  x: string
  curve: keyof Distributions
}

const CDFS: CdfSpec[] = [
  { id: 'cdf-spread', title: 'Offer spread', x: 'ms after publication', curve: 'spreadMs' },
  { id: 'cdf-lookup', title: 'DHT lookup time', x: 'simulated ms', curve: 'lookupMs' },
  { id: 'cdf-price', title: 'Price paid', x: 'nanoTON per 1k completion tokens', curve: 'pricePerK' },
]

/** A self-contained HTML report: summary table, one chart per group of series, and the CDFs. */
export async function renderReport(
  summary: Summary,
  series: Record<string, number[]>,
  distributions: Distributions,
): Promise<string> {
  const data = JSON.stringify({ charts: CHARTS, series, cdfs: CDFS, distributions }).replaceAll(
    '<',
    '\\u003c',
  )
  const rows = flatten(summary)
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(String(v))}</td></tr>`)
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cocoon-sim: ${escapeHtml(summary.scenario)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}canvas{max-height:320px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5em}table{border-collapse:collapse;font-size:13px}
td{border-bottom:1px solid #ddd;padding:2px 8px}</style></head>
<body><h1>${escapeHtml(summary.scenario)} (seed ${summary.seed})</h1>
<div class="grid">${CHARTS.map((c) => `<div><h3>${escapeHtml(c.title)}</h3><canvas id="chart-${c.id}"></canvas></div>`).join('')}</div>
<h2>Distributions</h2>
<div class="grid">${CDFS.map((c) => `<div><h3>${escapeHtml(c.title)} (CDF)</h3><canvas id="chart-${c.id}"></canvas></div>`).join('')}</div>
<h2>Summary</h2><table id="summary">${rows}</table>
<script>${await chartJsBundle()}</script>
<script id="data" type="application/json">${data}</script>
<script>
const d = JSON.parse(document.getElementById('data').textContent)
const colors = ['#1f77b4', '#2ca02c', '#d62728', '#9467bd']
window.__charts = d.charts.map((c) => new Chart(document.getElementById('chart-' + c.id), {
  type: 'line',
  data: {
    labels: d.series.t_s,
    // a null point (a bucket with no price) is a gap, never a zero
    datasets: Object.entries(c.series).map(([s, label], i) => ({ label, data: d.series[s], borderColor: colors[i], pointRadius: 0, borderWidth: 1.5, spanGaps: false })),
  },
  options: { animation: false, scales: {
    x: { title: { display: true, text: 'simulated time (s)' } },
    y: { title: { display: true, text: c.y } },
  } },
}))
// a CDF: value on x, the share of samples at or below it on y; an empty curve draws no line
window.__charts.push(...d.cdfs.map((c) => new Chart(document.getElementById('chart-' + c.id), {
  type: 'line',
  data: { datasets: [{ label: c.title, data: d.distributions[c.curve].map(([x, y]) => ({ x, y })), borderColor: colors[0], pointRadius: 0, borderWidth: 1.5, stepped: true }] },
  options: { animation: false, scales: {
    x: { type: 'linear', title: { display: true, text: c.x } },
    y: { min: 0, max: 1, title: { display: true, text: 'share of samples ≤ x' } },
  } },
})))
document.body.dataset.charts = String(window.__charts.length)
document.body.dataset.axes = window.__charts.map((c) => c.options.scales.y.title.text).join('|')
document.body.dataset.xaxes = window.__charts.map((c) => c.options.scales.x.title.text).join('|')
</script></body></html>
`
}

function flatten(value: unknown, prefix = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object') return [[prefix, value]]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    flatten(v, prefix === '' ? k : `${prefix}.${k}`),
  )
}
