/**
 * Tensor validation and conversion between the wire form (`Tensor`: bytes +
 * dtype + shape) and onnxruntime tensors.
 */
import { alignedBuffer } from '@cocoon-mesh/protocol'
import type { Tensor as OrtTensor } from 'onnxruntime-node'
import { TensorMalformedError, TensorTooLargeError } from '../errors.js'
import type { DType, Tensor } from '../types.js'

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  int8: 1,
  bool: 1,
}

const MAX_RANK = 8

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1)
}

/** Throws `TensorMalformedError` / `TensorTooLargeError` naming the problem. */
export function validateTensor(tensor: Tensor, maxBytes: number): void {
  const name = typeof tensor?.name === 'string' ? tensor.name : '?'
  if (typeof tensor !== 'object' || tensor === null || typeof tensor.name !== 'string') {
    throw new TensorMalformedError('Tensor is not { name, dtype, shape, data }')
  }
  const size = DTYPE_BYTES[tensor.dtype]
  if (size === undefined) {
    throw new TensorMalformedError(`Tensor ${name} has unsupported dtype ${String(tensor.dtype)}`, {
      details: `Supported: ${Object.keys(DTYPE_BYTES).join(', ')}`,
    })
  }
  if (!Array.isArray(tensor.shape) || tensor.shape.length > MAX_RANK) {
    throw new TensorMalformedError(`Tensor ${name} has a bad shape`, {
      details: `Shape must be an array of at most ${MAX_RANK} sizes.`,
    })
  }
  for (const d of tensor.shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new TensorMalformedError(`Tensor ${name} has a bad dimension ${String(d)}`, {
        details: 'Dimensions are non-negative integers.',
      })
    }
  }
  if (!(tensor.data instanceof Uint8Array)) throw new TensorMalformedError(`Tensor ${name} data is not bytes`)
  const expected = elementCount(tensor.shape) * size
  if (expected > maxBytes || tensor.data.byteLength > maxBytes) {
    throw new TensorTooLargeError(`Tensor ${name} is too large`, {
      details: `${Math.max(expected, tensor.data.byteLength)} bytes; the limit is ${maxBytes} bytes.`,
    })
  }
  if (tensor.data.byteLength !== expected) {
    throw new TensorMalformedError(
      `Tensor ${name} has ${tensor.data.byteLength} bytes, its shape needs ${expected}`,
      {
        details: `shape [${tensor.shape.join(', ')}] of ${tensor.dtype} is ${expected} bytes.`,
      },
    )
  }
}

function typedView(dtype: DType, data: Uint8Array): OrtTensor['data'] {
  const size = DTYPE_BYTES[dtype]
  const n = data.byteLength / size
  const buf = alignedBuffer(data, size)
  const offset = data.byteOffset % size === 0 && buf === data.buffer ? data.byteOffset : 0
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, offset, n)
    case 'float16':
      return new Uint16Array(buf, offset, n)
    case 'int32':
      return new Int32Array(buf, offset, n)
    case 'int64':
      return new BigInt64Array(buf, offset, n)
    case 'int8':
      return new Int8Array(buf, offset, n)
    case 'uint8':
    case 'bool':
      return new Uint8Array(buf, offset, n)
  }
}

export function toOrtTensor(ort: typeof import('onnxruntime-node'), tensor: Tensor): OrtTensor {
  return new ort.Tensor(tensor.dtype, typedView(tensor.dtype, tensor.data) as never, tensor.shape)
}

const ORT_TO_DTYPE: Record<string, DType> = {
  float32: 'float32',
  float16: 'float16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  int8: 'int8',
  bool: 'bool',
}

export function fromOrtTensor(name: string, tensor: OrtTensor): Tensor {
  const dtype = ORT_TO_DTYPE[tensor.type]
  if (dtype === undefined) {
    throw new TensorMalformedError(`Output ${name} has unsupported type ${tensor.type}`, {
      details: `Supported output types: ${Object.keys(ORT_TO_DTYPE).join(', ')}`,
    })
  }
  const data = tensor.data as ArrayBufferView
  return {
    name,
    dtype,
    shape: tensor.dims.map(Number),
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  }
}

/** Helpers for callers building float32 tensors. */
export function float32Tensor(name: string, shape: number[], values: Float32Array): Tensor {
  return {
    name,
    dtype: 'float32',
    shape,
    data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  }
}
