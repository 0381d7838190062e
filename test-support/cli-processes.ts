import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

export const ROOT = resolve(import.meta.dirname, '..')
export const PEER_PKG = join(ROOT, 'packages/peer')
/** The built `cocoon` binary. */
export const CLI = join(PEER_PKG, 'dist/cli/index.js')

/**
 * Builds the peer package's dist/ (one build at a time among the tests that
 * spawn the CLI) and checks the binary is there. Type errors elsewhere in the
 * workspace still emit, so a failing tsc alone does not fail the caller.
 */
export function buildPeerDist(): void {
  try {
    execFileSync(
      'flock',
      ['/tmp/cocoon-peer-dist-build.lock', join(ROOT, 'node_modules/.bin/tsc'), '-b', PEER_PKG],
      { stdio: 'pipe' },
    )
  } catch {
    // type errors elsewhere in the workspace still emit; the check below is what matters
  }
  if (!existsSync(CLI)) throw new Error(`building packages/peer left no ${CLI}`)
}

/** Sends `signal` (if the process still runs) and waits for it to exit. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill(signal)
  await exited
}

/** A spawned process's stdout lines, with waits for a matching line that fail when it exits first. */
export interface Proc {
  child: ChildProcess
  lines: string[]
  stderr(): string
  /** Resolves once `done(lines)` holds (checked on each new line); rejects if the process exits before. */
  until(done: (lines: string[]) => boolean, what: string): Promise<void>
  /** The first stdout line matching `re`, past or future (an `until` for that line). */
  line(re: RegExp): Promise<string>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * The processes of the running test: spawned with `spawn`, all SIGKILLed by
 * `stopAll` (call it in afterEach). A wait that fails names every process with
 * its last lines and stderr.
 */
export class ProcessGroup {
  private readonly children: ChildProcess[] = []
  /** Every process of the running test, for failure messages. */
  private readonly running: Array<{ name: string; lines: string[]; stderr(): string }> = []

  /** ms after which `until` rejects with a diagnosable error (not a timed assertion) */
  private readonly waitLimit: number

  constructor(waitLimit: number) {
    this.waitLimit = waitLimit
  }

  async stopAll(): Promise<void> {
    this.running.splice(0)
    await Promise.all(this.children.splice(0).map((child) => stop(child, 'SIGKILL')))
  }

  /**
   * Runs `node <args>`, with `env` over this process's environment. `prefix`
   * runs it under a command that execs it in place (`ip netns exec <ns>`), so
   * the PID stopped is still node's.
   */
  spawn(name: string, args: string[], env: NodeJS.ProcessEnv = {}, prefix: string[] = []): Proc {
    return this.spawnCommand(name, [...prefix, process.execPath, ...args], env)
  }

  /** Runs `argv` (a program other than node: a router's daemon), stopped with the others. */
  spawnCommand(name: string, argv: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
    const { running, waitLimit } = this
    // COCOON_E2E_DEBUG=cocoon:* passes DEBUG to the processes (their stderr is in failure messages)
    const debug = process.env.COCOON_E2E_DEBUG
    const [command, ...commandArgs] = argv as [string, ...string[]]
    const child = spawn(command, commandArgs, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, ...(debug === undefined ? {} : { DEBUG: debug }) },
    })
    this.children.push(child)
    const lines: string[] = []
    const listeners = new Set<() => void>()
    let buffer = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      buffer += chunk
      const parts = buffer.split('\n')
      buffer = parts.pop() ?? ''
      lines.push(...parts)
      for (const l of [...listeners]) l()
    })
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (code, signal) => r({ code, signal })),
    )
    running.push({ name, lines, stderr: () => stderr })
    const describeEnd = (what: string, why: string): Error =>
      new Error(
        `${name}: ${why} before ${what}\n${running
          .map(
            (p) =>
              `--- ${p.name}: last lines:\n${p.lines.slice(-20).join('\n')}\n--- ${p.name}: stderr:\n${p.stderr().slice(-3000)}`,
          )
          .join('\n')}`,
      )
    const until = (done: (lines: string[]) => boolean, what: string): Promise<void> => {
      if (done(lines)) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        // a diagnosable failure instead of the bare test timeout; not a timed assertion
        const timer = setTimeout(() => finish(describeEnd(what, `nothing within ${waitLimit} ms`)), waitLimit)
        const check = (): void => {
          if (done(lines)) finish(undefined)
        }
        const finish = (error: Error | undefined): void => {
          clearTimeout(timer)
          listeners.delete(check)
          if (error === undefined) resolve()
          else reject(error)
        }
        listeners.add(check)
        void exited.then(({ code, signal }) => {
          if (listeners.has(check)) {
            check()
            if (listeners.has(check)) finish(describeEnd(what, `exited (${code ?? signal})`))
          }
        })
      })
    }
    const line = async (re: RegExp): Promise<string> => {
      const match = (): string | undefined => lines.find((l) => re.test(l))
      await until(() => match() !== undefined, `a line matching ${re}`)
      return match() as string
    }
    return { child, lines, stderr: () => stderr, exited, until, line }
  }
}

/** Where {@link cocoon} runs the CLI: under a command that execs it in place (`ip netns exec <ns>`), with more environment. */
export interface CocoonRunOptions {
  prefix?: readonly string[]
  env?: NodeJS.ProcessEnv
}

/**
 * Runs a CLI command to completion and returns its stdout (rejects with its
 * stderr on failure). Asynchronous: the devnet answers from this process.
 */
export async function cocoon(args: string[], options: CocoonRunOptions = {}): Promise<string> {
  const [command, ...commandArgs] = [...(options.prefix ?? []), process.execPath, CLI, ...args] as [
    string,
    ...string[],
  ]
  try {
    const { stdout } = await promisify(execFile)(command, commandArgs, {
      encoding: 'utf8',
      timeout: 120_000,
      ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
    })
    return stdout
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    const where = options.prefix === undefined ? '' : ` (under ${options.prefix.join(' ')})`
    throw new Error(`cocoon ${args.join(' ')}${where} exited ${e.code}: ${e.stderr}${e.stdout}`)
  }
}
