import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

/** Packages a light (browser) client must never pull in: native addons, the chain emulator, LevelDB, models. */
export const HEAVY_PACKAGES = [
  '@ton/sandbox',
  'datastore-level',
  'classic-level',
  'level',
  'sodium-native',
  'node-llama-cpp',
  'onnxruntime-node',
] as const

/** What one browser bundle of an entry holds. */
export interface BrowserBundle {
  /** Every input file of the bundle, as esbuild names it (relative to the repository's root). */
  inputs: string[]
  /** The npm packages among the inputs (`@scope/name` or `name`). */
  packages: Set<string>
  /** Inputs or imports that are Node builtins (`node:fs`, `crypto`, …), which a browser does not have. */
  nodeBuiltins: string[]
  /** Imports esbuild left unbundled: none may remain for a page to load. */
  external: string[]
  /** Build errors (e.g. `Could not resolve "node:crypto"`), empty when it bundled. */
  errors: string[]
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))

function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
  return match?.[1]
}

/**
 * Bundles `entry` the way a web app's bundler does (esbuild, platform
 * `browser`: the `browser` export condition and package `browser` fields),
 * resolving the workspace packages to their sources through the
 * `cocoon-source` condition, and reports what went in. A package's own
 * `browser` field that disables a builtin (`"crypto": false`) is how it opts
 * out in browsers, so such `(disabled):` inputs are not Node builtins.
 */
export async function browserBundle(entry: string): Promise<BrowserBundle> {
  let metafile: esbuild.Metafile
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['cocoon-source'],
      metafile: true,
      outdir: 'browser-bundle',
      logLevel: 'silent',
    })
    metafile = result.metafile
  } catch (error) {
    const failure = error as { errors?: esbuild.Message[] }
    const errors = (failure.errors ?? []).map((m) => `${m.text} (${m.location?.file ?? entry})`)
    if (errors.length === 0) throw error
    return { inputs: [], packages: new Set(), nodeBuiltins: [], external: [], errors }
  }
  const inputs = Object.keys(metafile.inputs)
  const packages = new Set(inputs.map(packageOf).filter((p) => p !== undefined))
  const imports = Object.values(metafile.inputs).flatMap((input) => input.imports)
  const nodeBuiltins = [
    ...inputs.filter((i) => BUILTINS.has(i)),
    ...imports.filter((i) => BUILTINS.has(i.path)).map((i) => i.path),
  ]
  const external = [
    ...new Set(imports.filter((i) => i.external && !i.path.startsWith('<runtime>')).map((i) => i.path)),
  ]
  return { inputs, packages, nodeBuiltins, external, errors: [] }
}
