import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { PeerHostError } from './errors.js'
import type { HostRequest, HostResponse, HostResult, HostResultOf } from './host-protocol.js'
import type { Group } from './peer-group.js'

type Result<K extends HostResult['op']> = HostResultOf<K>

/** The host's compiled script: beside this file in dist, or in dist when this file runs from its source (tests). */
const HOST_SCRIPT = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('../../dist/crosscheck/host.js', import.meta.url)
    : new URL('./host.js', import.meta.url),
)

/** How long one request to a host may take; starting a hundred peers is the slowest. */
const REQUEST_LIMIT_MS = 180_000

/**
 * A group of peers in a child process (a peer host, `host.ts`), reached over
 * IPC. Every request is bounded; a host that exits fails what it owed.
 */
export class RemoteGroup implements Group {
  private nextId = 0
  private readonly pending = new Map<number, { resolve(r: HostResult): void; reject(e: Error): void }>()
  private exited: Error | undefined

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (msg: HostResponse) => {
      const waiter = this.pending.get(msg.id)
      this.pending.delete(msg.id)
      if (msg.ok) waiter?.resolve(msg.result)
      else waiter?.reject(new PeerHostError(`peer host ${child.pid} failed: ${msg.error}`))
    })
    child.on('exit', (code, signal) => {
      this.exited = new PeerHostError(`peer host ${child.pid} exited (${signal ?? `code ${code}`})`)
      for (const waiter of this.pending.values()) waiter.reject(this.exited)
      this.pending.clear()
    })
  }

  /** Starts a host process, inside a network namespace when `prefix` is `ip netns exec <ns>`. */
  static spawn(prefix: string[] = []): RemoteGroup {
    const [command, ...args] = [...prefix, process.execPath, HOST_SCRIPT]
    const child = spawn(command as string, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    return new RemoteGroup(child)
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  private call<K extends HostResult['op']>(request: HostRequest & { op: K }): Promise<Result<K>> {
    if (this.exited !== undefined) return Promise.reject(this.exited)
    const id = this.nextId++
    return new Promise<Result<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(
          new PeerHostError(
            `peer host ${this.child.pid} did not answer ${request.op} within ${REQUEST_LIMIT_MS} ms`,
          ),
        )
      }, REQUEST_LIMIT_MS)
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer)
          resolve(r as Extract<HostResult, { op: K }>)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
      this.child.send({ ...request, id })
    })
  }

  start(indices: number[], heartbeatMs: number): Promise<Result<'start'>> {
    return this.call({ op: 'start', indices, heartbeatMs })
  }
  dial(edges: Array<[from: number, addr: string]>): Promise<Result<'dial'>> {
    return this.call({ op: 'dial', edges })
  }
  subscribed(): Promise<Result<'subscribed'>> {
    return this.call({ op: 'subscribed' })
  }
  async begin(): Promise<void> {
    await this.call({ op: 'begin' })
  }
  publish(m: number): Promise<Result<'publish'>> {
    return this.call({ op: 'publish', m })
  }
  collect(sequence: string): Promise<Result<'collect'>> {
    return this.call({ op: 'collect', sequence })
  }
  lookup(index: number, key: number[]): Promise<Result<'lookup'>> {
    return this.call({ op: 'lookup', index, key })
  }

  /** Asks the host to stop its peers; kills it by PID when it has not exited within 15 s. */
  async stop(): Promise<void> {
    if (this.exited !== undefined) return
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 15_000)
    await this.call({ op: 'stop' }).catch(() => this.child.kill('SIGKILL'))
    await gone
    clearTimeout(killer)
  }
}
