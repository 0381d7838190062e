/** The shapes of tensor jobs on the gpu-runtime: the request, the result and the backend that runs them. */
import type { Tensor } from '@cocoon-mesh/protocol'
import type { Reservation } from '../admission.js'
import type {
  AbortedError,
  DeadlineExceededError,
  GraphInvalidError,
  GraphTooLargeError,
  InvalidRequestError,
  RuntimeClosedError,
  TensorMalformedError,
  TensorRunError,
  TensorShapeError,
  TensorTooLargeError,
} from '../errors.js'

import type { Runtime } from '../types.js'

export type TensorOp = 'matmul' | 'onnx'

export interface TensorRequest {
  /** `matmul`: built-in `A[m,k] x B[k,n]` (float32). `onnx`: run `graph`. */
  op: TensorOp
  /** Serialized ONNX ModelProto, required for `onnx`, size-limited. */
  graph?: Uint8Array
  /** Inputs by position; for `onnx` their names must match the graph's inputs. */
  inputs: Tensor[]
  /** Which outputs to return for `onnx` (default: all). */
  outputNames?: string[]
  signal?: AbortSignal
  /** Unix ms. */
  deadline?: number
  /** The place {@link Runtime.reserve} held for this job. */
  reservation?: Reservation
}

export type TensorProvider = 'cuda' | 'cpu'

export interface TensorResult {
  outputs: Tensor[]
  /** The execution provider that actually ran the job. */
  provider: TensorProvider
  /**
   * Work done in GFLOP: exact (2mkn) for matmul. For an ONNX graph, whose
   * FLOPs are not counted, it is GFLOP-equivalents: run seconds x the
   * self-benchmarked matmul GFLOP/s (0 before the runtime has benchmarked).
   */
  gflop: number
  /** e.g. `onnxruntime/cpu`. */
  backend: string
}

/** What {@link TensorBackend.run} rejects with. */
export type TensorRunErrorType =
  | RuntimeClosedError
  | AbortedError
  | DeadlineExceededError
  | InvalidRequestError
  | TensorMalformedError
  | TensorShapeError
  | TensorTooLargeError
  | GraphInvalidError
  | GraphTooLargeError
  | TensorRunError

export interface TensorBackend {
  readonly name: string
  /** The provider jobs will run on (known after the first job or `ready()`). */
  provider(): TensorProvider
  /** @throws {TensorRunErrorType} */
  run(request: TensorRequest): Promise<TensorResult>
  close(): Promise<void>
}
