/**
 * The prebundled Node entry, `@cocoon-mesh/client/bundle`: dist/index.js and
 * everything it imports (the libp2p stack, the workspace packages) bundled by
 * esbuild into dist/bundle/. Loading a few large files instead of some
 * thousand modules of ~200 packages is what makes a cold import fast (see the
 * README's figures). Dynamic imports stay separate chunks, so what a first job
 * does not need (payments from a home folder) still loads only when used; the
 * optional peer dependencies stay external. The tensor worker is an entry of
 * its own beside the chunks, where tensor-offload's `./tensor-worker.js` finds it.
 * Run by `npm run build` and before `npm pack`.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import * as esbuild from 'esbuild'

const PACKAGE_DIR = join(import.meta.dirname, '..')
const OUT_DIR = join(PACKAGE_DIR, 'dist/bundle')

/** Optional peer dependencies of settlement: the app installs them when it uses what needs them. */
const OPTIONAL = ['datastore-level', 'sodium-native', '@ton/sandbox', '@tonconnect/sdk']

// CommonJS dependencies call require() on Node builtins; an ESM bundle has none of its own
const REQUIRE_SHIM =
  "import { createRequire as __cocoonRequire } from 'node:module'; const require = __cocoonRequire(import.meta.url);"

await rm(OUT_DIR, { recursive: true, force: true })
await esbuild.build({
  absWorkingDir: PACKAGE_DIR,
  entryPoints: { index: 'dist/index.js', 'tensor-worker': 'dist/jobs/tensor-worker.js' },
  outdir: OUT_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  // error classes and libp2p components are told apart by name in logs and messages
  keepNames: true,
  external: OPTIONAL,
  banner: { js: REQUIRE_SHIM },
  logLevel: 'warning',
})
