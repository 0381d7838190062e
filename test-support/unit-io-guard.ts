/**
 * Setup file of every workspace's `unit` test project (vitest.shared.ts): a
 * unit test must not open a socket or start a process. While a test file
 * under `test/unit/` runs, the calls that do either throw `UnitIoError`:
 * `net.Socket#connect` (net, tls, http clients, fetch), `net.Server#listen`
 * (net, http, tls servers), `dgram.Socket#bind`/`#connect` (a UDP send binds
 * first), and every `child_process` function. An attempt that the code under
 * test swallows still fails the test that made it. The originals come back
 * after the file, so nothing else running in the same worker is affected.
 *
 * Vitest's fork pool talks to its workers over the IPC channel set up when the
 * worker was forked, which none of these calls touch.
 */
import childProcess from 'node:child_process'
import dgram from 'node:dgram'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import { afterAll, afterEach } from 'vitest'

/** A unit test tried to open a socket or start a process. */
export class UnitIoError extends Error {
  override name = 'UnitIoError'
  /** The blocked call, e.g. `net.Server#listen`. */
  readonly call: string

  constructor(call: string) {
    super(`unit tests must not open sockets or processes (${call}): move this test to test/e2e`)
    this.call = call
  }
}

interface Patch {
  target: object
  key: string
  call: string
}

const PATCHES: Patch[] = [
  { target: net.Socket.prototype, key: 'connect', call: 'net.Socket#connect' },
  { target: net.Server.prototype, key: 'listen', call: 'net.Server#listen' },
  { target: dgram.Socket.prototype, key: 'bind', call: 'dgram.Socket#bind' },
  { target: dgram.Socket.prototype, key: 'connect', call: 'dgram.Socket#connect' },
  ...(['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const).map((key) => ({
    target: childProcess,
    key,
    call: `child_process.${key}`,
  })),
]

/** Calls blocked since the last check, in order. */
let blocked: string[] = []
const originals = new Map<Patch, unknown>()

function install(): void {
  for (const patch of PATCHES) {
    originals.set(patch, Reflect.get(patch.target, patch.key))
    Reflect.set(patch.target, patch.key, function blockedIo(): never {
      blocked.push(patch.call)
      throw new UnitIoError(patch.call)
    })
  }
  // named ESM imports (`import { spawn } from 'node:child_process'`) read the patched functions too
  syncBuiltinESMExports()
}

function restore(): void {
  for (const [patch, original] of originals) Reflect.set(patch.target, patch.key, original)
  originals.clear()
  syncBuiltinESMExports()
}

/** The calls blocked since the last check, which they no longer fail: for the guard's own test. */
export function takeBlockedIo(): string[] {
  const calls = blocked
  blocked = []
  return calls
}

function failOnBlocked(where: string): void {
  const calls = takeBlockedIo()
  if (calls.length > 0) throw new UnitIoError(`${calls.join(', ')} ${where}`)
}

// installed before the test file is imported, so its top-level code is covered too
install()

afterEach((context) => {
  // a test that failed on the guard's error already says so
  if (context.task.result?.state === 'fail') takeBlockedIo()
  else failOnBlocked('in this test, which caught the error')
})

afterAll(() => {
  try {
    failOnBlocked('in a hook of this file')
  } finally {
    restore()
  }
})
