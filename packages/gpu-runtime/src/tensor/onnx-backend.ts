/**
 * The onnxruntime-node tensor backend: a built-in matmul and client ONNX
 * graphs, checked against the size limits and raced against the job's signal
 * and deadline. Tries the CUDA execution provider when asked for or when a
 * GPU was detected, falling back to CPU ({@link OnnxSessions}); the result
 * says which ran.
 */
import type { ComponentLogger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
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
import type {
  HardwareInfo,
  Tensor,
  TensorBackend,
  TensorProvider,
  TensorRequest,
  TensorResult,
} from '../types.js'
import { firstLine, OnnxSessions, type Ort } from './onnx-sessions.js'
import { DTYPE_BYTES, fromOrtTensor, toOrtTensor, validateTensor } from './tensor.js'

export const DEFAULT_MAX_GRAPH_BYTES = 64 * 1024 * 1024
export const DEFAULT_MAX_TENSOR_BYTES = 256 * 1024 * 1024

export interface OnnxBackendInit {
  hardware: HardwareInfo
  provider?: 'auto' | TensorProvider
  maxGraphBytes?: number
  maxTensorBytes?: number
  threads?: number
  /** Measured GFLOP/s, used to express ONNX graph work in GFLOP (time x rate). */
  gflopsPerSecond?: () => number | undefined
  now?: () => number
  /** Default `defaultLogger()` of @libp2p/logger. */
  logger?: ComponentLogger
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

/**
 * The tensor backend over onnxruntime-node; it loads onnxruntime on the first
 * job. `run()` rejects with a typed error ({@link TensorRunErrorType}).
 */
export function createOnnxBackend(init: OnnxBackendInit): OnnxTensorBackend {
  return new OnnxBackend(init)
}

class OnnxBackend implements OnnxTensorBackend {
  readonly name = 'onnxruntime'
  private readonly maxGraphBytes: number
  private readonly maxTensorBytes: number
  private readonly now: () => number
  private readonly sessions: OnnxSessions
  private closed = false

  constructor(private readonly init: OnnxBackendInit) {
    this.maxGraphBytes = init.maxGraphBytes ?? DEFAULT_MAX_GRAPH_BYTES
    this.maxTensorBytes = init.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES
    this.now = init.now ?? Date.now
    this.sessions = new OnnxSessions({
      cuda: init.provider === 'cuda' || (init.provider !== 'cpu' && init.hardware.gpus.length > 0),
      threads: init.threads ?? Math.max(1, init.hardware.cpu.cores - 1),
      log: (init.logger ?? defaultLogger()).forComponent('cocoon:gpu-runtime:onnx'),
    })
  }

  provider(): TensorProvider {
    return this.sessions.provider()
  }

  async ready(): Promise<TensorProvider> {
    return (await this.sessions.matmulSession()).provider
  }

  async run(request: TensorRequest): Promise<TensorResult> {
    if (this.closed) throw new RuntimeClosedError('The tensor backend is closed')
    if (typeof request !== 'object' || request === null || !Array.isArray(request.inputs)) {
      throw new InvalidRequestError('Invalid tensor request', { details: 'Pass { op, inputs: Tensor[] }.' })
    }
    if (request.signal?.aborted === true) throw new AbortedError('Tensor job aborted before it started')
    if (request.deadline !== undefined && request.deadline <= this.now()) {
      throw new DeadlineExceededError('Tensor job deadline already passed')
    }
    for (const t of request.inputs) validateTensor(t, this.maxTensorBytes)
    const ort = await this.sessions.ort()
    if (request.op === 'matmul') return await this.runMatmul(ort, request)
    if (request.op === 'onnx') return await this.runGraph(ort, request)
    throw new InvalidRequestError(`Unknown tensor op ${String(request.op)}`, {
      details: 'Supported ops: matmul, onnx.',
    })
  }

  async close(): Promise<void> {
    this.closed = true
    await this.sessions.close()
  }

  /** The built-in `A[m,k] x B[k,n]`; its work is exactly 2mkn FLOP. */
  private async runMatmul(ort: Ort, request: TensorRequest): Promise<TensorResult> {
    const { a, b, m, k, n } = matmulOperands(request.inputs, this.maxTensorBytes)
    const { session, provider } = await this.sessions.matmulSession()
    const outputs = await raceStop(request, this.now, () =>
      session.run({ A: toOrtTensor(ort, { ...a, name: 'A' }), B: toOrtTensor(ort, { ...b, name: 'B' }) }),
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

  /** A client graph; its work is run time x the benchmarked GFLOP/s. */
  private async runGraph(ort: Ort, request: TensorRequest): Promise<TensorResult> {
    const graph = request.graph
    if (!(graph instanceof Uint8Array) || graph.byteLength === 0) {
      throw new GraphInvalidError('An onnx job needs the graph bytes', {
        details: 'Set graph to a serialized ONNX model.',
      })
    }
    if (graph.byteLength > this.maxGraphBytes) {
      throw new GraphTooLargeError('ONNX graph is too large', {
        details: `${graph.byteLength} bytes; the limit is ${this.maxGraphBytes} bytes.`,
      })
    }
    const { session, provider } = await this.sessions.graphSession(graph)
    const feeds = graphFeeds(ort, session, request.inputs)
    const names = request.outputNames ?? [...session.outputNames]
    for (const n of names) {
      if (!session.outputNames.includes(n)) {
        throw new TensorShapeError(`The graph has no output named ${n}`, {
          details: `Graph outputs: ${session.outputNames.join(', ')}`,
        })
      }
    }
    const started = performance.now()
    const outputs = await runGraphSession(request, this.now, () => session.run(feeds, names))
    const seconds = (performance.now() - started) / 1000
    return {
      outputs: graphOutputs(outputs, names, this.maxTensorBytes),
      provider,
      gflop: seconds * (this.init.gflopsPerSecond?.() ?? 0),
      backend: `onnxruntime/${provider}`,
    }
  }
}

/** Checks the two float32 matmul inputs and the output size. */
function matmulOperands(inputs: Tensor[], maxTensorBytes: number) {
  const [a, b] = inputs
  if (a === undefined || b === undefined || inputs.length !== 2) {
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
  return { a, b, m, k, n }
}

/** The graph's feeds by input name: every input named and none missing. */
function graphFeeds(
  ort: Ort,
  session: InferenceSession,
  inputs: Tensor[],
): Record<string, ReturnType<typeof toOrtTensor>> {
  const feeds: Record<string, ReturnType<typeof toOrtTensor>> = {}
  for (const t of inputs) {
    if (!session.inputNames.includes(t.name)) {
      throw new TensorShapeError(`The graph has no input named ${t.name}`, {
        details: `Graph inputs: ${session.inputNames.join(', ')}`,
      })
    }
    feeds[t.name] = toOrtTensor(ort, t)
  }
  const missing = session.inputNames.filter((n) => feeds[n] === undefined)
  if (missing.length > 0) {
    throw new TensorShapeError(`Missing graph inputs: ${missing.join(', ')}`, {
      details: `Graph inputs: ${session.inputNames.join(', ')}`,
    })
  }
  return feeds
}

/** Runs a graph session; onnxruntime's failures become TensorShapeError or TensorRunError. */
async function runGraphSession(
  request: TensorRequest,
  now: () => number,
  work: () => Promise<InferenceSession.ReturnType>,
): Promise<InferenceSession.ReturnType> {
  try {
    return await raceStop(request, now, work)
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
}

/** The requested outputs, each within the tensor size limit. */
function graphOutputs(
  outputs: InferenceSession.ReturnType,
  names: string[],
  maxTensorBytes: number,
): Tensor[] {
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
  return result
}

/** Races a run against the caller's signal and deadline. */
async function raceStop<T>(request: TensorRequest, now: () => number, work: () => Promise<T>): Promise<T> {
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
