import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { NodeConfig, NodeMessage } from './node.js'

// From dist this is ./node.js; when loaded from src (tests resolve sources), run the built file.
const NODE_SCRIPT = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('../../dist/demo/node.js', import.meta.url)
    : new URL('./node.js', import.meta.url),
)

/** A bound on a {@link MeshNode} wait. */
export interface MeshWaitOptions {
  /** What is awaited, for the error (default: the predicate's source text). */
  what?: string
  /** Longest wait, ms (default 30 s). */
  timeoutMs?: number
}

const DEFAULT_WAIT_MS = 30_000

/** A child process of a local mesh. */
export interface MeshNode {
  readonly peerId: string
  readonly addrs: string[]
  /** Provider with payments: the wallet its offers name as payout address. */
  readonly payoutAddress?: string
  readonly proc: ChildProcess
  /** Log lines of the node (claims, payment errors), in order. */
  readonly logs: string[]
  /**
   * Resolves on the first log line matching `predicate` (past or future); rejects
   * with an Error naming what it waited for when none comes within the timeout.
   */
  waitForLog(predicate: (line: string) => boolean, options?: MeshWaitOptions): Promise<string>
  /** Job events reported by the node's job service, in order. */
  readonly events: Array<Record<string, unknown>>
  /**
   * Resolves on the first job event matching `predicate` (past or future); rejects
   * with an Error naming what it waited for when none comes within the timeout.
   */
  waitForEvent(
    predicate: (event: Record<string, unknown>) => boolean,
    options?: MeshWaitOptions,
  ): Promise<Record<string, unknown>>
  /** SIGKILL: the process dies without closing anything. */
  kill(): void
  /** SIGTERM and wait for exit (SIGKILL after 5 s). */
  stop(): Promise<void>
}

/** Forks one mesh node and waits until it reports ready. */
export async function startMeshNode(config: NodeConfig): Promise<MeshNode> {
  // a plain node process on the built files, whatever loader flags the parent runs with (e.g. vitest)
  const { NODE_OPTIONS: _ignored, ...env } = process.env
  const proc = fork(NODE_SCRIPT, [JSON.stringify(config)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // COCOON_NODE_PROF=<dir> writes a V8 CPU profile of each node there
    execArgv:
      process.env.COCOON_NODE_PROF === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${process.env.COCOON_NODE_PROF}`],
    env,
  })
  const events = recorder<Record<string, unknown>>('job event')
  const logs = recorder<string>('log line')
  const ready = await new Promise<{ peerId: string; addrs: string[]; payoutAddress?: string }>(
    (resolve, reject) => {
      proc.on('message', (m: NodeMessage) => {
        if (m.type === 'ready') resolve(m)
        if (m.type === 'log') logs.push(m.line)
        if (m.type === 'job') events.push(m.event)
      })
      proc.once('exit', (code, signal) => reject(new Error(`mesh node exited early (${code ?? signal})`)))
    },
  )
  return {
    peerId: ready.peerId,
    addrs: ready.addrs,
    ...(ready.payoutAddress === undefined ? {} : { payoutAddress: ready.payoutAddress }),
    proc,
    events: events.items,
    logs: logs.items,
    waitForLog: logs.waitFor,
    waitForEvent: events.waitFor,
    kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/**
 * Items in arrival order, with a bounded wait for the first one matching a
 * predicate (past or future). `kind` names an item in the timeout error.
 */
function recorder<T>(kind: string): {
  items: T[]
  push(item: T): void
  waitFor(predicate: (item: T) => boolean, options?: MeshWaitOptions): Promise<T>
} {
  const items: T[] = []
  const waiters: Array<{ predicate: (item: T) => boolean; resolve: (item: T) => void }> = []
  return {
    items,
    push(item) {
      items.push(item)
      for (const w of [...waiters]) {
        if (w.predicate(item)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(item)
        }
      }
    },
    waitFor(predicate, options = {}) {
      const found = items.find(predicate)
      if (found !== undefined) return Promise.resolve(found)
      const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS
      const what = options.what ?? `a ${kind} matching ${predicate.toString()}`
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (item: T) => {
            clearTimeout(timer)
            resolve(item)
          },
        }
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(
            new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${items.length} ${kind}s seen)`),
          )
        }, timeoutMs)
        waiters.push(waiter)
      })
    },
  }
}

export interface LocalMesh {
  bootstrap: MeshNode
  providers: MeshNode[]
  /** Bootstrap multiaddrs for clients. */
  bootstrapAddrs: string[]
  stop(): Promise<void>
}

/** Starts a bootstrap peer and one provider process per entry of `providers`. */
export async function startLocalMesh(options: {
  providers: Array<Omit<NodeConfig, 'role' | 'bootstrap'>>
  home?: string
}): Promise<LocalMesh> {
  const started: MeshNode[] = []
  try {
    const bootstrap = await startMeshNode({ role: 'bootstrap' })
    started.push(bootstrap)
    const providers = await Promise.all(
      options.providers.map((p, i) =>
        startMeshNode({
          role: 'provider',
          bootstrap: bootstrap.addrs,
          ...(options.home !== undefined ? { home: `${options.home}/provider-${i}` } : {}),
          ...p,
        }).then((node) => {
          started.push(node)
          return node
        }),
      ),
    )
    return {
      bootstrap,
      providers,
      bootstrapAddrs: bootstrap.addrs,
      async stop() {
        await Promise.allSettled(started.map((n) => n.stop()))
      },
    }
  } catch (err) {
    await Promise.allSettled(started.map((n) => n.stop()))
    throw err
  }
}
