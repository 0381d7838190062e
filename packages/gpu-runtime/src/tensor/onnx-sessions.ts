/**
 * The onnxruntime sessions of the tensor backend: onnxruntime-node imported
 * on first use, the built-in matmul session, and the most recently used
 * client graphs by content hash. onnxruntime throws rather than falling back
 * when the CUDA provider is absent, so the fallback to CPU is done here, once.
 */
import { createHash } from 'node:crypto'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { Logger } from '@libp2p/interface'
import type { InferenceSession } from 'onnxruntime-node'
import { GraphInvalidError } from '../errors.js'
import type { TensorProvider } from '../types.js'
import { matmulModel } from './onnx-proto.js'

/** Graph sessions kept; the least recently used one is released beyond this. */
const SESSION_CACHE = 4

export type Ort = typeof import('onnxruntime-node')

export interface Session {
  session: InferenceSession
  provider: TensorProvider
}

export interface OnnxSessionsInit {
  /** Try the CUDA execution provider first. */
  cuda: boolean
  threads: number
  log: Logger
}

export class OnnxSessions {
  private readonly threads: number
  private readonly log: Logger
  private cudaBroken: boolean
  private current: TensorProvider
  private ortPromise: Promise<Ort> | undefined
  private matmul: Promise<Session> | undefined
  private readonly graphs = new Map<string, Promise<Session>>()

  constructor(init: OnnxSessionsInit) {
    this.threads = init.threads
    this.log = init.log
    this.cudaBroken = !init.cuda
    this.current = init.cuda ? 'cuda' : 'cpu'
  }

  /** The provider sessions run on: CUDA until it failed once, else CPU. */
  provider(): TensorProvider {
    return this.current
  }

  ort(): Promise<Ort> {
    this.ortPromise ??= import('onnxruntime-node')
    return this.ortPromise
  }

  /** The built-in matmul session, created once (again after a failed attempt). */
  matmulSession(): Promise<Session> {
    if (this.matmul === undefined) {
      this.matmul = this.create(matmulModel())
      this.matmul.catch(() => {
        this.matmul = undefined
      })
    }
    return this.matmul
  }

  /** The session of a client graph, cached by its SHA-256; a failed one is not cached. */
  graphSession(graph: Uint8Array): Promise<Session> {
    const key = createHash('sha256').update(graph).digest('hex')
    let s = this.graphs.get(key)
    if (s === undefined) {
      s = this.create(graph)
      s.catch(() => this.graphs.delete(key))
      this.graphs.set(key, s)
      if (this.graphs.size > SESSION_CACHE) {
        const [oldestKey, oldest] = this.graphs.entries().next().value as [string, Promise<Session>]
        this.graphs.delete(oldestKey)
        void this.release(oldest)
      }
    } else {
      this.graphs.delete(key)
      this.graphs.set(key, s)
    }
    return s
  }

  /** Releases every session. */
  async close(): Promise<void> {
    const all = [this.matmul, ...this.graphs.values()]
    this.matmul = undefined
    this.graphs.clear()
    await Promise.all(all.map((s) => (s === undefined ? undefined : this.release(s))))
  }

  /** Releases a session once created; never rejects. */
  private async release(session: Promise<Session>): Promise<void> {
    const [created] = await Promise.allSettled([session])
    // A session that failed to create was reported to the job that asked for it.
    if (created.status === 'rejected') return
    try {
      await created.value.session.release()
    } catch (error) {
      this.log('releasing an onnxruntime session failed: %e', error)
    }
  }

  private async create(bytes: Uint8Array): Promise<Session> {
    const ort = await this.ort()
    if (!this.cudaBroken) {
      try {
        const session = await ort.InferenceSession.create(bytes, this.options('cuda'))
        this.current = 'cuda'
        return { session, provider: 'cuda' }
      } catch (error) {
        // Without the CUDA build of onnxruntime this throws; remember it.
        this.cudaBroken = true
        this.current = 'cpu'
        this.log('CUDA execution provider unavailable, using CPU: %s', errorMessage(error))
      }
    }
    try {
      const session = await ort.InferenceSession.create(bytes, this.options('cpu'))
      return { session, provider: 'cpu' }
    } catch (error) {
      throw new GraphInvalidError('onnxruntime rejected the ONNX graph', {
        details: `${firstLine(error)}. Send a serialized ONNX ModelProto (opset <= 23) whose ops the CPU provider supports.`,
        cause: error,
      })
    }
  }

  private options(provider: TensorProvider): InferenceSession.SessionOptions {
    return {
      executionProviders: [provider],
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    }
  }
}

/** The first line of an error's message, short enough for a `details` field. */
export function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] ?? ''
}
