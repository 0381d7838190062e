import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url))

export interface BenchChild {
  proc: ChildProcess
  ready: { address?: string }
  request<T>(message: unknown): Promise<T>
  stop(): Promise<void>
}

/** Forks a benchmark child in `role` and waits for it to report ready. */
export async function forkChild(
  role: string,
  variant?: 'tuned' | 'stock' | 'joined' | 'stock-joined' | 'inthread',
): Promise<BenchChild> {
  // COCOON_BENCH_PROF=<dir> writes a V8 CPU profile of each child there
  const prof = process.env.COCOON_BENCH_PROF
  const proc = fork(CHILD, variant === undefined ? [role] : [role, variant], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [
      ...(prof === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${prof}`]),
      // COCOON_BENCH_NODE_ARGS: extra V8/Node flags for the children (e.g. GC tuning experiments)
      ...(process.env.COCOON_BENCH_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? []),
    ],
  })
  const ready = await new Promise<{ address?: string }>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as { address?: string }))
    proc.once('exit', (code) => reject(new Error(`bench child ${role} exited with ${code}`)))
  })
  return {
    proc,
    ready,
    request<T>(message: unknown) {
      return new Promise<T>((resolve) => {
        proc.once('message', (m) => resolve(m as T))
        proc.send(message as object)
      })
    },
    async stop() {
      if (proc.exitCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.send({ type: 'stop' })
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}
