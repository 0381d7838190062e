/**
 * The built `cocoon-sim run` refuses a scenario its memory estimate says
 * cannot finish, before it starts: exit 1, the estimate and the fields to
 * change, and no output files.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'

const PKG = resolve(import.meta.dirname, '../..')
const CLI = join(PKG, 'dist/cli.js')
let dir: string

beforeAll(async () => {
  execFileSync(
    'flock',
    ['/tmp/cocoon-sim-dist-build.lock', join(PKG, '../node_modules/.bin/tsc'), '-b', PKG],
    {
      stdio: 'pipe',
    },
  )
  dir = await mkdtemp(join(tmpdir(), 'cocoon-sim-memory-'))
}, 120_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

it('refuses 2M peers under a 1 GiB limit with the estimate, and runs a small scenario under it', async () => {
  const big = join(dir, 'big.json')
  await writeFile(
    big,
    JSON.stringify({ name: 'two-million', peers: { count: 2_000_000 }, jobs: { total: 10 } }),
  )
  const out = join(dir, 'out-big')
  const refused = await promisify(execFile)(
    process.execPath,
    [CLI, 'run', big, '--out', out, '--max-memory', '1024'],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  ).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  )
  expect(refused?.code).toBe(1)
  expect(refused?.stderr).toMatch(/^"two-million" needs about \d+ MiB, more than the limit of 1024 MiB$/m)
  expect(refused?.stderr).toContain('2000000 peers (peers.count)')
  expect(existsSync(out)).toBe(false)

  const small = join(dir, 'small.json')
  await writeFile(
    small,
    JSON.stringify({ name: 'small', durationMs: 10_000, peers: { count: 50 }, jobs: { total: 20 } }),
  )
  await promisify(execFile)(
    process.execPath,
    [CLI, 'run', small, '--out', join(dir, 'out-small'), '--max-memory', '1024'],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  )
  expect(existsSync(join(dir, 'out-small', 'summary.json'))).toBe(true)
}, 120_000)
