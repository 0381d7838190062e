/**
 * The page's bundle with esbuild's JS API: `src/main.ts` for browsers (ESM,
 * minified, with a metafile), `index.html` and `style.css` beside it, and a
 * server on esbuild's own `serve()` (rebuilding on each request, or serving
 * one build as it is).
 */
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

export const MINIAPP_DIR = fileURLToPath(new URL('..', import.meta.url))
export const DEFAULT_OUTDIR = fileURLToPath(new URL('../dist', import.meta.url))

/**
 * esbuild options every browser bundle of the project uses: the `browser`
 * condition (from `platform`) picks each dependency's browser build, and
 * `cocoon-source` bundles the workspace packages from their sources.
 */
export function browserOptions(): esbuild.BuildOptions {
  return {
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    metafile: true,
    sourcemap: 'linked',
    conditions: ['cocoon-source'],
    // the TON libraries use Node's global Buffer unimported: each use becomes an import of
    // the `buffer` package (src/buffer-global.ts), the one Node global a bundle gets
    inject: [fileURLToPath(new URL('../src/buffer-global.ts', import.meta.url))],
    logLevel: 'warning',
  }
}

function pageOptions(outdir: string): esbuild.BuildOptions {
  return {
    ...browserOptions(),
    absWorkingDir: MINIAPP_DIR,
    entryPoints: ['src/main.ts', 'index.html', 'style.css'],
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    // the wallets and payments are dynamic imports: a free job's page loads none of them
    splitting: true,
    loader: { '.html': 'copy' },
    outdir,
  }
}

/** Builds the page into `outdir` (default `examples/miniapp/dist`). */
export async function buildMiniApp(outdir = DEFAULT_OUTDIR): Promise<esbuild.BuildResult> {
  return esbuild.build(pageOptions(outdir))
}

export interface ServeMiniAppOptions {
  host?: string
  /** Default 8000; 0 picks a free port. */
  port?: number
  outdir?: string
  /**
   * Rebuild on each request (default true, for editing the page). `false`
   * builds once and serves the folder as it is: what a test or a benchmark
   * wants, whose page loads must not wait for a rebuild.
   */
  rebuild?: boolean
}

export interface ServedMiniApp {
  /** The page's URL, e.g. `http://127.0.0.1:8000/`. */
  url: string
  stop(): Promise<void>
}

/** Builds the page and serves its folder with esbuild's server. */
export async function serveMiniApp(options: ServeMiniAppOptions = {}): Promise<ServedMiniApp> {
  const outdir = options.outdir ?? DEFAULT_OUTDIR
  const rebuild = options.rebuild ?? true
  if (!rebuild) await buildMiniApp(outdir)
  // without entry points the context only serves `servedir`
  const ctx = await esbuild.context(rebuild ? pageOptions(outdir) : {})
  try {
    if (rebuild) await ctx.rebuild()
    const { hosts, port } = await ctx.serve({
      servedir: outdir,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 8000,
    })
    return {
      url: `http://${hosts[0] ?? '127.0.0.1'}:${port}/`,
      stop: () => ctx.dispose(),
    }
  } catch (error) {
    await ctx.dispose()
    throw error
  }
}
