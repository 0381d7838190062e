/** The page's files: shipped in the package's `dashboard/` folder, chart.js from node_modules (no CDN). */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { errorMessage } from '@cocoon-mesh/protocol'
import { DashboardAssetsError } from './errors.js'

const require = createRequire(import.meta.url)
/** `packages/peer/dashboard/`, from src/dashboard and dist/dashboard alike. */
const ASSETS_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url))

export interface DashboardAssets {
  html: string
  app: string
  css: string
  /** chart.js's UMD bundle. */
  chart: string
}

/**
 * Reads the page's files once, at start.
 * @throws {DashboardAssetsError} when one is missing (a broken install).
 */
export async function loadDashboardAssets(): Promise<DashboardAssets> {
  const read = async (path: string): Promise<string> => {
    try {
      return await readFile(path, 'utf8')
    } catch (cause) {
      throw new DashboardAssetsError('the dashboard page cannot be served', {
        details: `${path} is missing or unreadable (${errorMessage(cause)}); reinstall @cocoon-mesh/peer, or start without --dashboard-port.`,
        cause,
      })
    }
  }
  const [html, app, css, chart] = await Promise.all([
    read(join(ASSETS_DIR, 'index.html')),
    read(join(ASSETS_DIR, 'app.js')),
    read(join(ASSETS_DIR, 'style.css')),
    read(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js')),
  ])
  return { html, app, css, chart }
}
