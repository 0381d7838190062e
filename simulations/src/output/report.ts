import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
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

const CHARTS: { id: string; title: string; series: string[] }[] = [
  { id: 'jobs', title: 'Jobs per bucket', series: ['jobs_arrived', 'jobs_ok', 'jobs_failed'] },
  {
    id: 'price',
    title: 'Price (nanoTON / 1k completion tokens)',
    series: ['mean_price_paid', 'cheapest_offer'],
  },
  { id: 'util', title: 'Provider utilisation', series: ['utilisation'] },
  { id: 'peers', title: 'Online peers', series: ['online_peers'] },
  {
    id: 'book',
    title: 'Order book (observer 0) and spam in honest books',
    series: ['book_size', 'spam_in_books'],
  },
  {
    id: 'attack',
    title: 'Ranking passes and ms lost to attackers',
    series: ['attempts', 'attacker_wasted_ms'],
  },
]

/** A self-contained HTML report: summary table and one chart per group of series. */
export async function renderReport(summary: Summary, series: Record<string, number[]>): Promise<string> {
  const data = JSON.stringify({ charts: CHARTS, series }).replaceAll('<', '\\u003c')
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
<h2>Summary</h2><table id="summary">${rows}</table>
<script>${await chartJsBundle()}</script>
<script id="data" type="application/json">${data}</script>
<script>
const d = JSON.parse(document.getElementById('data').textContent)
const colors = ['#1f77b4', '#2ca02c', '#d62728', '#9467bd']
window.__charts = d.charts.map((c) => new Chart(document.getElementById('chart-' + c.id), {
  type: 'line',
  data: { labels: d.series.t_s, datasets: c.series.map((s, i) => ({ label: s, data: d.series[s], borderColor: colors[i], pointRadius: 0, borderWidth: 1.5 })) },
  options: { animation: false, scales: { x: { title: { display: true, text: 'simulated s' } } } },
}))
document.body.dataset.charts = String(window.__charts.length)
</script></body></html>
`
}

function flatten(value: unknown, prefix = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object') return [[prefix, value]]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    flatten(v, prefix === '' ? k : `${prefix}.${k}`),
  )
}
