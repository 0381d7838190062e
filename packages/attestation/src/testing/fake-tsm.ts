/**
 * A configfs-tsm report tree in a temp folder, laid out as the kernel lays it
 * out, and answered by a watcher in this process:
 *
 * - `mkdir <root>/<name>` gets `provider`, `generation` ("0"), `privlevel`,
 *   `auxblob` (sev_guest), and last `outblob`;
 * - a write of 64 bytes to `inblob` bumps `generation` and answers `outblob`
 *   with `makeQuote(inblob)`.
 *
 * `outblob` is a FIFO (made with `mkfifo`), so a reader that opens it waits
 * for the answer as it waits for the kernel to make the quote, and reads it
 * to EOF. What the kernel does and a folder cannot: `rmdir` of a populated
 * entry fails here (ENOTEMPTY), so readTsmQuote logs that it could not remove
 * the entry; close() removes the whole tree.
 *
 * It starts `mkfifo` processes, so tests that use it belong in test/e2e.
 */
import { execFile } from 'node:child_process'
import { constants, type FSWatcher, watch } from 'node:fs'
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface FakeTsmOptions {
  /** Parent folder; default a fresh one under the OS temp dir. */
  dir?: string
  /** What `provider` says; default 'tdx_guest'. */
  provider?: string
  /** The quote for a given inblob (the report data). */
  makeQuote: (reportData: Uint8Array) => Uint8Array | Promise<Uint8Array>
  /** sev_guest `auxblob` bytes. */
  auxBlob?: Uint8Array
  /** 'race': bump generation twice per write of inblob, as if a second writer raced the reader. */
  interfere?: 'race'
  /** Called with any failure of the watcher; without it the first failure is thrown by close(). */
  onError?: (error: unknown) => void
}

export interface FakeTsm {
  /** Pass as `root` / `tsmRoot`. */
  root: string
  /** Quotes answered so far. */
  readonly answered: number
  /** Stops the watchers and deletes the tree; throws the watcher's first failure when no onError was given. */
  close(): Promise<void>
}

interface Entry {
  path: string
  watcher: FSWatcher
  answered: boolean
}

export async function startFakeTsm(options: FakeTsmOptions): Promise<FakeTsm> {
  const base = options.dir ?? (await mkdtemp(join(tmpdir(), 'cocoon-fake-tsm-')))
  const root = join(base, 'tsm', 'report')
  await mkdir(root, { recursive: true })
  const entries = new Map<string, Entry>()
  const state: { answered: number; closed: boolean; errors: unknown[] } = {
    answered: 0,
    closed: false,
    errors: [],
  }
  const fail = (error: unknown): void => {
    if (state.closed) return
    if (options.onError === undefined) state.errors.push(error)
    else options.onError(error)
  }

  const tree: Tree = { root, options, entries, state, fail }
  const rootWatcher = watch(root, (_event, name) => {
    if (name !== null) void populate(tree, String(name)).catch(fail)
  })
  rootWatcher.on('error', fail)

  return {
    root,
    get answered() {
      return state.answered
    },
    async close() {
      state.closed = true
      rootWatcher.close()
      for (const entry of entries.values()) {
        entry.watcher.close()
        if (!entry.answered) await releaseReader(join(entry.path, 'outblob'))
      }
      await rm(options.dir === undefined ? base : root, { recursive: true, force: true })
      if (state.errors.length > 0) throw state.errors[0]
    },
  }
}

interface Tree {
  root: string
  options: FakeTsmOptions
  entries: Map<string, Entry>
  state: { answered: number; closed: boolean; errors: unknown[] }
  fail: (error: unknown) => void
}

/** A new directory under the root: lay out its attributes as configfs does, `outblob` (the FIFO) last. */
async function populate(tree: Tree, name: string): Promise<void> {
  const path = join(tree.root, name)
  if (tree.entries.has(name) || !(await isDirectory(path))) return
  const entry: Entry = { path, answered: false, watcher: watch(path) }
  tree.entries.set(name, entry)
  entry.watcher.on('change', (_event, file) => {
    if (String(file) === 'inblob') void answer(tree, entry).catch(tree.fail)
  })
  entry.watcher.on('error', tree.fail)
  await writeFile(join(path, 'provider'), `${tree.options.provider ?? 'tdx_guest'}\n`)
  await writeFile(join(path, 'generation'), '0\n')
  await writeFile(join(path, 'privlevel'), '0\n')
  if (tree.options.auxBlob !== undefined) await writeFile(join(path, 'auxblob'), tree.options.auxBlob)
  await run('mkfifo', [join(path, 'outblob')])
}

/** A write of 64 bytes to `inblob`: bump `generation`, then hand the quote to whoever reads `outblob`. */
async function answer(tree: Tree, entry: Entry): Promise<void> {
  const inblob = new Uint8Array(await readFile(join(entry.path, 'inblob')))
  if (inblob.byteLength !== 64 || entry.answered) return
  entry.answered = true
  const generationPath = join(entry.path, 'generation')
  const generation = Number((await readFile(generationPath, 'utf8')).trim())
  await writeFile(generationPath, `${generation + (tree.options.interfere === 'race' ? 2 : 1)}\n`)
  const quote = await tree.options.makeQuote(inblob)
  const outblob = await open(join(entry.path, 'outblob'), 'w')
  try {
    await outblob.write(quote)
  } finally {
    await outblob.close()
  }
  tree.state.answered++
}

/**
 * A reader blocked opening an unanswered FIFO outblob would hold a libuv
 * thread for good: open it for writing without blocking and close it, so the
 * reader sees EOF. ENXIO (no reader) and ENOENT (not made yet) leave nothing
 * to release.
 */
async function releaseReader(fifo: string): Promise<void> {
  try {
    const handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
    await handle.close()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENXIO' && code !== 'ENOENT') throw error
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}
