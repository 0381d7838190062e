/**
 * The light SDK as an app installs it: `npm pack` of `@cocoon-mesh/client` and
 * of the workspace packages it depends on, `npm install` of those tarballs in
 * an empty folder (third-party packages from the registry or npm's cache),
 * and what that tree holds. Shared by the npm-pack test and the client's
 * install-size and first-token benchmarks, so both measure the same install.
 */
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { HEAVY_PACKAGES } from './browser-bundle.ts'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '..')
export const SDK_PACKAGE = '@cocoon-mesh/client'

/** npm under the Node running this process (the project's Node 24, not whatever `node` the shell finds first). */
function npm(args: string[], cwd: string): Promise<{ stdout: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  }
  // vitest's loader flags must not leak into npm
  delete env.NODE_OPTIONS
  return run('npm', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 })
}

interface NpmLsNode {
  dependencies?: Record<string, NpmLsNode>
}

/** `@cocoon-mesh/*` packages the SDK needs at run time (itself included), from `npm ls --omit=dev`. */
export async function sdkWorkspacePackages(): Promise<string[]> {
  const { stdout } = await npm(['ls', '--omit=dev', '--all', '--json', '-w', SDK_PACKAGE], ROOT)
  const found = new Set<string>([SDK_PACKAGE])
  const walk = (node: NpmLsNode): void => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (name.startsWith('@cocoon-mesh/')) found.add(name)
      walk(child)
    }
  }
  walk(JSON.parse(stdout) as NpmLsNode)
  return [...found].sort()
}

export interface PackedTarball {
  name: string
  /** Absolute path of the .tgz. */
  path: string
  /** Bytes of the tarball. */
  size: number
  /** Every path in the tarball, relative to the package's root (`dist/index.js`). */
  files: string[]
}

interface NpmPackEntry {
  name: string
  filename: string
  size: number
  files: Array<{ path: string }>
}

/** `npm pack` of `names` (workspace packages, built) into `dir`. */
export async function packWorkspaces(names: string[], dir: string): Promise<PackedTarball[]> {
  const args = ['pack', '--json', '--pack-destination', dir, ...names.flatMap((n) => ['-w', n])]
  const { stdout } = await npm(args, ROOT)
  return (JSON.parse(stdout) as NpmPackEntry[]).map((e) => ({
    name: e.name,
    path: join(dir, e.filename),
    size: e.size,
    files: e.files.map((f) => f.path),
  }))
}

export interface SdkInstall {
  /** The temporary folder holding the tarballs and the app folder. */
  dir: string
  /** The app folder: a package.json and node_modules with the SDK installed. */
  appDir: string
  tarballs: PackedTarball[]
  /** Removes `dir`. */
  remove(): Promise<void>
}

/**
 * Packs the SDK and its workspace dependencies and installs the tarballs in
 * an empty app folder under a new temporary folder. The caller removes it
 * (`remove()`), also when this throws after creating it.
 */
export async function installSdk(): Promise<SdkInstall> {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-sdk-install-'))
  const remove = () => rm(dir, { recursive: true, force: true })
  try {
    const tarballDir = join(dir, 'tarballs')
    const appDir = join(dir, 'app')
    await mkdir(tarballDir)
    await mkdir(appDir)
    const tarballs = await packWorkspaces(await sdkWorkspacePackages(), tarballDir)
    const app = { name: 'cocoon-sdk-app', version: '0.0.0', private: true, type: 'module' }
    await writeFile(join(appDir, 'package.json'), `${JSON.stringify(app, null, 2)}\n`)
    await npm(
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((t) => t.path)],
      appDir,
    )
    return { dir, appDir, tarballs, remove }
  } catch (err) {
    await remove()
    throw err
  }
}

/** Lifecycle scripts that npm runs on install: a package with one may build native code. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const

export interface InstalledTree {
  /** Installed packages (every `node_modules/<name>` and `node_modules/@scope/<name>`, nested ones too). */
  packages: string[]
  /** Bytes of every file under node_modules (their sizes, not the disk blocks they take). */
  bytes: number
  /** Packages from the heavy list (model runtimes, the chain emulator, LevelDB, sodium-native). */
  heavy: string[]
  /** Native addons: `*.node` files, `binding.gyp` files, packages with `gypfile` or install scripts. */
  native: string[]
}

/** What `appDir`'s node_modules holds. */
export async function inspectInstall(appDir: string): Promise<InstalledTree> {
  const tree: InstalledTree = { packages: [], bytes: 0, heavy: [], native: [] }
  await walkModules(join(appDir, 'node_modules'), tree)
  tree.packages.sort()
  return tree
}

async function walkModules(modulesDir: string, tree: InstalledTree): Promise<void> {
  const entries = await readdir(modulesDir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name === '.bin') {
      if (entry.isFile()) tree.bytes += (await stat(join(modulesDir, entry.name))).size
      continue
    }
    if (entry.name.startsWith('@')) {
      for (const scoped of await readdir(join(modulesDir, entry.name), { withFileTypes: true })) {
        if (scoped.isDirectory()) await visitPackage(join(modulesDir, entry.name, scoped.name), tree)
      }
    } else if (!entry.name.startsWith('.')) {
      await visitPackage(join(modulesDir, entry.name), tree)
    }
  }
}

interface PackageJson {
  name?: string
  gypfile?: boolean
  scripts?: Record<string, string>
}

async function visitPackage(dir: string, tree: InstalledTree): Promise<void> {
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson
  const name = manifest.name ?? dir
  tree.packages.push(name)
  if ((HEAVY_PACKAGES as readonly string[]).includes(name)) tree.heavy.push(name)
  if (manifest.gypfile === true) tree.native.push(`${name} (gypfile)`)
  for (const script of INSTALL_SCRIPTS) {
    if (manifest.scripts?.[script] !== undefined) tree.native.push(`${name} (${script} script)`)
  }
  await walkFiles(dir, name, tree)
}

/** Sizes and native files of one package's files; its own node_modules is walked as packages. */
async function walkFiles(dir: string, name: string, tree: InstalledTree): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') await walkModules(path, tree)
      else await walkFiles(path, name, tree)
    } else if (entry.isFile()) {
      tree.bytes += (await stat(path)).size
      if (entry.name.endsWith('.node') || entry.name === 'binding.gyp') {
        tree.native.push(`${name} (${entry.name})`)
      }
    }
  }
}

/** The scripts of test-support/sdk-app/ an installed app runs. */
export type SdkAppScript = 'first-job.mjs' | 'home-payments.mjs' | 'import-libp2p.mjs'

/** What a script of test-support/sdk-app/ prints: at least where its time went and its RSS. */
export interface SdkAppOutput {
  timings: Record<string, number | null>
  rssMb: number
  [key: string]: unknown
}

/**
 * Copies `script` into the app folder and runs it there in a fresh process of
 * this Node, killed after `timeoutMs`; resolves with the JSON line it printed.
 */
export async function runInApp(
  appDir: string,
  script: SdkAppScript,
  args: string[],
  timeoutMs = 60_000,
): Promise<SdkAppOutput> {
  const target = join(appDir, script)
  await copyFile(join(import.meta.dirname, 'sdk-app', script), target)
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  const { stdout } = await run(process.execPath, [target, ...args], {
    cwd: appDir,
    env,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  })
  const line = stdout.trim().split('\n').at(-1) ?? ''
  return JSON.parse(line) as SdkAppOutput
}
