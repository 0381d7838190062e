/**
 * Hands large received tensors to a worker thread for reassembly and sha256
 * (see tensor-worker.ts). One worker per process, started on first use and
 * not keeping the process alive while idle.
 */
import { Worker } from 'node:worker_threads'
import { TensorWorkerFailedError } from './errors.js'
import type { TensorWorkerReply, TensorWorkerRequest } from './tensor-worker.js'

/** Tensors at least this large are reassembled and hashed off the stream's thread. */
export const OFFLOAD_MIN_BYTES = 4 * 1024 * 1024

/**
 * Bytes in flight to the worker through shared memory. The stream's thread
 * copies arrived pieces into this ring (warm memory, ~0.1 ms/MiB) and posts
 * only offsets; posting the pieces themselves (structured clone) cost about as
 * much as the copy and hash it was meant to save. When the worker falls this
 * far behind, pieces go by structured clone instead of waiting.
 */
const RING_BYTES = 32 * 1024 * 1024

// From dist this is ./tensor-worker.js; when tests load the sources, Node runs the .ts (type stripping).
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './tensor-worker.ts' : './tensor-worker.js',
  import.meta.url,
)

export interface OffloadedTensor {
  /** Appends `byteLength` bytes (already checked against the header by the caller). */
  write(parts: Iterable<Uint8Array>, byteLength: number): void
  /** Resolves with the tensor's bytes and their sha256 once every write was applied. */
  finish(): Promise<{ data: Uint8Array; digest: Uint8Array }>
  /** Forgets the tensor (the job failed). */
  drop(): void
}

class TensorOffload {
  #worker: Worker | undefined
  #nextId = 1
  readonly #pending = new Map<
    number,
    { resolve: (r: { data: Uint8Array; digest: Uint8Array }) => void; reject: (e: Error) => void }
  >()
  #open = 0
  #ring: Uint8Array | undefined
  #consumed: BigInt64Array | undefined
  #written = 0

  open(byteLength: number): OffloadedTensor {
    const id = this.#nextId++
    this.#post({ type: 'open', id, byteLength })
    this.#retain()
    let closed = false
    const close = (): void => {
      if (closed) return
      closed = true
      this.#release()
    }
    return {
      write: (parts, byteLength) => {
        if (!this.#toRing(id, parts, byteLength))
          this.#post({ type: 'data', id, parts: [...parts].map(ownBytes) })
      },
      finish: () =>
        new Promise((resolve, reject) => {
          this.#pending.set(id, {
            resolve: (r) => {
              close()
              resolve(r)
            },
            reject: (e) => {
              close()
              reject(e)
            },
          })
          this.#post({ type: 'finish', id })
        }),
      drop: () => {
        if (closed) return
        this.#pending.delete(id)
        this.#post({ type: 'drop', id })
        close()
      },
    }
  }

  /** Copies `parts` into the shared ring and tells the worker where; false when the ring is full. */
  #toRing(id: number, parts: Iterable<Uint8Array>, byteLength: number): boolean {
    this.#start()
    const ring = this.#ring
    const consumed = this.#consumed
    if (ring === undefined || consumed === undefined) return false
    if (ring.byteLength - (this.#written - Number(Atomics.load(consumed, 0))) < byteLength) return false
    const start = this.#written % ring.byteLength
    let at = start
    for (const part of parts) {
      const first = Math.min(part.byteLength, ring.byteLength - at)
      ring.set(first === part.byteLength ? part : part.subarray(0, first), at)
      if (first < part.byteLength) ring.set(part.subarray(first), 0)
      at = (at + part.byteLength) % ring.byteLength
    }
    this.#written += byteLength
    this.#post({ type: 'ring-data', id, start, length: byteLength })
    return true
  }

  #post(message: TensorWorkerRequest): void {
    this.#start().postMessage(message)
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker
    const worker = new Worker(WORKER_URL)
    worker.unref()
    const ring = new SharedArrayBuffer(RING_BYTES)
    const consumed = new SharedArrayBuffer(8)
    this.#ring = new Uint8Array(ring)
    this.#consumed = new BigInt64Array(consumed)
    this.#written = 0
    worker.postMessage({ type: 'ring', ring, consumed } satisfies TensorWorkerRequest)
    worker.on('message', (reply: TensorWorkerReply) => {
      const waiter = this.#pending.get(reply.id)
      if (waiter === undefined) return
      this.#pending.delete(reply.id)
      if (reply.type === 'done') waiter.resolve({ data: reply.data, digest: reply.digest })
      else
        waiter.reject(
          new TensorWorkerFailedError('tensor reassembly failed', {
            details: reply.message,
          }),
        )
    })
    const fail = (error: unknown): void => {
      if (this.#worker === worker) {
        this.#worker = undefined
        this.#ring = undefined
        this.#consumed = undefined
      }
      const waiters = [...this.#pending.values()]
      this.#pending.clear()
      for (const w of waiters)
        w.reject(
          new TensorWorkerFailedError('tensor worker stopped', {
            details: error instanceof Error ? error.message : `exit code ${String(error)}`,
            cause: error,
          }),
        )
    }
    worker.on('error', fail)
    worker.on('exit', fail)
    this.#worker = worker
    if (this.#open > 0) worker.ref()
    return worker
  }

  // the worker keeps the process alive only while a tensor is in flight
  #retain(): void {
    if (this.#open++ === 0) this.#worker?.ref()
  }

  #release(): void {
    if (--this.#open === 0) this.#worker?.unref()
  }
}

/**
 * Structured clone copies a view's whole ArrayBuffer: a small view of a large
 * buffer is sliced first so only its own bytes cross to the worker.
 */
function ownBytes(part: Uint8Array): Uint8Array {
  return part.buffer.byteLength > 2 * part.byteLength + 4096 ? part.slice() : part
}

let shared: TensorOffload | undefined

/** The process's tensor worker (started on first use). */
export function tensorOffload(): Pick<TensorOffload, 'open'> {
  shared ??= new TensorOffload()
  return shared
}
