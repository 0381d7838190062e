/**
 * The onnxruntime-node tensor backend: a built-in matmul and client ONNX
 * graphs. Tries the CUDA execution provider when asked for or when a GPU was
 * detected; onnxruntime throws rather than falling back when CUDA is absent,
 * so the fallback to CPU is done here and the result says which ran.
 */
import { createHash } from 'node:crypto'
import { logger } from '@libp2p/logger'
import type { InferenceSession } from 'onnxruntime-node'
import {
  AbortedError,
  DeadlineExceededError,
  GraphInvalidError,
  GraphTooLargeError,
  InvalidRequestError,
  RuntimeClosedError,
  TensorRunError,
  TensorShapeError,
  TensorTooLargeError,
} from '../errors.js'
import type { HardwareInfo, TensorBackend, TensorProvider, TensorRequest, TensorResult } from '../types.js'
import { matmulModel } from './onnx-proto.js'
import { DTYPE_BYTES, fromOrtTensor, toOrtTensor, validateTensor } from './tensor.js'

const log = logger('cocoon:gpu-runtime:onnx')

export const DEFAULT_MAX_GRAPH_BYTES = 64 * 1024 * 1024
export const DEFAULT_MAX_TENSOR_BYTES = 256 * 1024 * 1024
const SESSION_CACHE = 4

export interface OnnxBackendInit {
  hardware: HardwareInfo
  provider?: 'auto' | TensorProvider
  maxGraphBytes?: number
  maxTensorBytes?: number
  threads?: number
  /** Measured GFLOP/s, used to express ONNX graph work in GFLOP (time x rate). */
  gflopsPerSecond?: () => number | undefined
  now?: () => number
}

/** What {@link OnnxTensorBackend.ready} rejects with: onnxruntime refused even the built-in matmul graph. */
export type OnnxReadyErrorType = GraphInvalidError | Error

export interface OnnxTensorBackend extends TensorBackend {
  /**
   * Creates the matmul session now (resolves the provider).
   * @throws {OnnxReadyErrorType}
   */
  ready(): Promise<TensorProvider>
}

type Ort = typeof import('onnxruntime-node')

interface Session {
  session: InferenceSession
  provider: TensorProvider
}

/**
 * The tensor backend over onnxruntime-node; it loads onnxruntime on the first
 * job. `run()` rejects with a typed error ({@link TensorRunErrorType}).
 */
export function createOnnxBackend(init: OnnxBackendInit): OnnxTensorBackend {
  const maxGraphBytes = init.maxGraphBytes ?? DEFAULT_MAX_GRAPH_BYTES
  const maxTensorBytes = init.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES
  const threads = init.threads ?? Math.max(1, init.hardware.cpu.cores - 1)
  const now = init.now ?? Date.now
  const wantCuda = init.provider === 'cuda' || (init.provider !== 'cpu' && init.hardware.gpus.length > 0)
  let cudaBroken = !wantCuda
  let currentProvider: TensorProvider = wantCuda ? 'cuda' : 'cpu'
  let ortPromise: Promise<Ort> | undefined
  let matmul: Promise<Session> | undefined
  const graphs = new Map<string, Promise<Session>>()
  let closed = false

  const ort = (): Promise<Ort> => {
    ortPromise ??= import('onnxruntime-node')
    return ortPromise
  }

  const createSession = async (bytes: Uint8Array): Promise<Session> => {
    const o = await ort()
    const options = (provider: TensorProvider): InferenceSession.SessionOptions => ({
      executionProviders: [provider],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    })
    if (!cudaBroken) {
      try {
        const session = await o.InferenceSession.create(bytes, options('cuda'))
        currentProvider = 'cuda'
        return { session, provider: 'cuda' }
      } catch (error) {
        // Without the CUDA build of onnxruntime this throws; remember it.
        cudaBroken = true
        currentProvider = 'cpu'
        log('CUDA execution provider unavailable, using CPU: %s', (error as Error).message)
      }
    }
    try {
      const session = await o.InferenceSession.create(bytes, options('cpu'))
      return { session, provider: 'cpu' }
    } catch (error) {
      throw new GraphInvalidError('onnxruntime rejected the ONNX graph', {
        details: `${firstLine(error)}. Send a serialized ONNX ModelProto (opset <= 23) whose ops the CPU provider supports.`,
        cause: error,
      })
    }
  }

  const sessionFor = (graph: Uint8Array): Promise<Session> => {
    const key = createHash('sha256').update(graph).digest('hex')
    let s = graphs.get(key)
    if (s === undefined) {
      s = createSession(graph)
      s.catch(() => graphs.delete(key))
      graphs.set(key, s)
      if (graphs.size > SESSION_CACHE) {
        const [oldestKey, oldest] = graphs.entries().next().value as [string, Promise<Session>]
        graphs.delete(oldestKey)
        oldest.then((x) => x.session.release()).catch(() => {})
      }
    } else {
      graphs.delete(key)
      graphs.set(key, s)
    }
    return s
  }

  const matmulSession = (): Promise<Session> => {
    if (matmul === undefined) {
      matmul = createSession(matmulModel())
      matmul.catch(() => {
        matmul = undefined
      })
    }
    return matmul
  }

  /** Races a run against the caller's signal and deadline. */
  const guarded = async <T>(request: TensorRequest, work: () => Promise<T>): Promise<T> => {
    const cleanups: Array<() => void> = []
    try {
      const stops = [work()]
      if (request.signal !== undefined) {
        const signal = request.signal
        stops.push(
          new Promise<never>((_, reject) => {
            const onAbort = (): void => reject(new AbortedError('Tensor job aborted'))
            signal.addEventListener('abort', onAbort, { once: true })
            cleanups.push(() => signal.removeEventListener('abort', onAbort))
          }),
        )
      }
      if (request.deadline !== undefined) {
        const left = request.deadline - now()
        stops.push(
          new Promise<never>((_, reject) => {
            const t = setTimeout(
              () => reject(new DeadlineExceededError('Tensor job deadline passed')),
              Math.max(0, left),
            )
            cleanups.push(() => clearTimeout(t))
          }),
        )
      }
      return await Promise.race(stops)
    } finally {
      for (const c of cleanups) c()
    }
  }

  const run = async (request: TensorRequest): Promise<TensorResult> => {
    if (closed) throw new RuntimeClosedError('The tensor backend is closed')
    if (typeof request !== 'object' || request === null || !Array.isArray(request.inputs)) {
      throw new InvalidRequestError('Invalid tensor request', { details: 'Pass { op, inputs: Tensor[] }.' })
    }
    if (request.signal?.aborted === true) throw new AbortedError('Tensor job aborted before it started')
    if (request.deadline !== undefined && request.deadline <= now()) {
      throw new DeadlineExceededError('Tensor job deadline already passed')
    }
    for (const t of request.inputs) validateTensor(t, maxTensorBytes)
    const o = await ort()
    if (request.op === 'matmul') {
      const [a, b] = request.inputs
      if (a === undefined || b === undefined || request.inputs.length !== 2) {
        throw new TensorShapeError('matmul takes exactly two inputs', {
          details: 'inputs: [A[m,k], B[k,n]] float32',
        })
      }
      if (a.dtype !== 'float32' || b.dtype !== 'float32') {
        throw new TensorShapeError('matmul inputs must be float32', {
          details: `got ${a.dtype} and ${b.dtype}`,
        })
      }
      if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[0]) {
        throw new TensorShapeError(
          `matmul shapes do not match: [${a.shape.join(', ')}] x [${b.shape.join(', ')}]`,
          {
            details: 'A must be [m, k] and B [k, n] with the same k.',
          },
        )
      }
      const [m, k] = a.shape as [number, number]
      const n = b.shape[1] as number
      if (m * n * DTYPE_BYTES.float32 > maxTensorBytes) {
        throw new TensorTooLargeError('matmul output would be too large', {
          details: `[${m}, ${n}] float32 is ${m * n * 4} bytes; the limit is ${maxTensorBytes}.`,
        })
      }
      const { session, provider } = await matmulSession()
      const outputs = await guarded(request, () =>
        session.run({ A: toOrtTensor(o, { ...a, name: 'A' }), B: toOrtTensor(o, { ...b, name: 'B' }) }),
      )
      const y = outputs.Y
      if (y === undefined) throw new TensorRunError('matmul produced no output')
      return {
        outputs: [fromOrtTensor('Y', y)],
        provider,
        gflop: (2 * m * k * n) / 1e9,
        backend: `onnxruntime/${provider}`,
      }
    }
    if (request.op === 'onnx') {
      const graph = request.graph
      if (!(graph instanceof Uint8Array) || graph.byteLength === 0) {
        throw new GraphInvalidError('An onnx job needs the graph bytes', {
          details: 'Set graph to a serialized ONNX model.',
        })
      }
      if (graph.byteLength > maxGraphBytes) {
        throw new GraphTooLargeError('ONNX graph is too large', {
          details: `${graph.byteLength} bytes; the limit is ${maxGraphBytes} bytes.`,
        })
      }
      const { session, provider } = await sessionFor(graph)
      const feeds: Record<string, ReturnType<typeof toOrtTensor>> = {}
      for (const t of request.inputs) {
        if (!session.inputNames.includes(t.name)) {
          throw new TensorShapeError(`The graph has no input named ${t.name}`, {
            details: `Graph inputs: ${session.inputNames.join(', ')}`,
          })
        }
        feeds[t.name] = toOrtTensor(o, t)
      }
      const missing = session.inputNames.filter((n) => feeds[n] === undefined)
      if (missing.length > 0) {
        throw new TensorShapeError(`Missing graph inputs: ${missing.join(', ')}`, {
          details: `Graph inputs: ${session.inputNames.join(', ')}`,
        })
      }
      const names = request.outputNames ?? [...session.outputNames]
      for (const n of names) {
        if (!session.outputNames.includes(n)) {
          throw new TensorShapeError(`The graph has no output named ${n}`, {
            details: `Graph outputs: ${session.outputNames.join(', ')}`,
          })
        }
      }
      const started = performance.now()
      let outputs: InferenceSession.ReturnType
      try {
        outputs = await guarded(request, () => session.run(feeds, names))
      } catch (error) {
        if (error instanceof AbortedError || error instanceof DeadlineExceededError) throw error
        const message = firstLine(error)
        if (/dimension|shape|rank|type|Unexpected input data/i.test(message)) {
          throw new TensorShapeError('Input tensors do not match the graph', {
            details: message,
            cause: error,
          })
        }
        throw new TensorRunError('onnxruntime failed to run the graph', { details: message, cause: error })
      }
      const seconds = (performance.now() - started) / 1000
      const result = names.map((n) => {
        const t = outputs[n]
        if (t === undefined) throw new TensorRunError(`The graph produced no ${n}`)
        return fromOrtTensor(n, t)
      })
      for (const t of result) {
        if (t.data.byteLength > maxTensorBytes) {
          throw new TensorTooLargeError(`Output ${t.name} is too large`, {
            details: `${t.data.byteLength} bytes; the limit is ${maxTensorBytes}.`,
          })
        }
      }
      return {
        outputs: result,
        provider,
        gflop: seconds * (init.gflopsPerSecond?.() ?? 0),
        backend: `onnxruntime/${provider}`,
      }
    }
    throw new InvalidRequestError(`Unknown tensor op ${String(request.op)}`, {
      details: 'Supported ops: matmul, onnx.',
    })
  }

  return {
    name: 'onnxruntime',
    provider: () => currentProvider,
    async ready() {
      return (await matmulSession()).provider
    },
    run,
    async close() {
      closed = true
      const all = [matmul, ...graphs.values()]
      matmul = undefined
      graphs.clear()
      await Promise.all(all.map((s) => s?.then((x) => x.session.release()).catch(() => {})))
    },
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] ?? ''
}
