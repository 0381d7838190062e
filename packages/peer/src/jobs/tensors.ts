import { createHash } from 'node:crypto'
import type { DType as RuntimeDType, Tensor } from '@cocoon-mesh/gpu-runtime'
import { DType, type JobFrame, type TensorChunk, type TensorHeader } from '@cocoon-mesh/protocol'
import type { AbortOptions } from '@libp2p/interface'
import { TensorHashMismatchError, TensorTooLargeError, UnexpectedFrameError } from './errors.js'
import { FrameWriter, JOB_TENSOR_CHUNK_SIZE, tensorChunkParts } from './frames.js'

const TO_WIRE: Record<RuntimeDType, DType> = {
  float32: DType.DTYPE_FLOAT32,
  float16: DType.DTYPE_FLOAT16,
  int32: DType.DTYPE_INT32,
  int64: DType.DTYPE_INT64,
  uint8: DType.DTYPE_UINT8,
  int8: DType.DTYPE_INT8,
  bool: DType.DTYPE_BOOL,
}
const FROM_WIRE = new Map<DType, RuntimeDType>(
  Object.entries(TO_WIRE).map(([k, v]) => [v, k as RuntimeDType]),
)

/** The TensorHeader announcing `tensor`, with its sha256. */
export function tensorHeader(tensor: Tensor): TensorHeader {
  return {
    name: tensor.name,
    dtype: TO_WIRE[tensor.dtype],
    shape: tensor.shape.map((d) => BigInt(d)),
    byteLength: BigInt(tensor.data.byteLength),
    sha256: sha256(tensor.data),
  }
}

export function sha256(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(data).digest())
}

/** Sends each tensor as a header followed by chunks of at most `chunkSize` bytes. */
export async function sendTensors(
  writer: FrameWriter | Pick<FrameWriter, 'write'>,
  tensors: readonly Tensor[],
  options: AbortOptions & {
    chunkSize?: number
    beforeChunk?: (index: number, sent: number) => Promise<void>
  } = {},
): Promise<void> {
  const chunkSize = options.chunkSize ?? JOB_TENSOR_CHUNK_SIZE
  for (let index = 0; index < tensors.length; index++) {
    const tensor = tensors[index] as Tensor
    await writer.write({ tensorHeader: tensorHeader(tensor) }, options)
    for (let offset = 0; offset < tensor.data.byteLength; offset += chunkSize) {
      options.signal?.throwIfAborted()
      await options.beforeChunk?.(index, offset)
      const data = tensor.data.subarray(offset, Math.min(offset + chunkSize, tensor.data.byteLength))
      if (writer instanceof FrameWriter) {
        // the same bytes as a protobuf-encoded TensorChunk frame, without copying the data into it
        await writer.writeTensorChunk(index, offset, data, options)
      } else {
        await writer.write(
          { tensorChunk: { index, offset: BigInt(offset), data: data as Uint8Array<ArrayBuffer> } },
          options,
        )
      }
    }
  }
}

/**
 * Reassembles tensors from header and chunk frames, checking order, sizes and
 * the sha256 of each. Feed frames with `push`; `done` says when all `count`
 * tensors are complete.
 */
export class TensorAssembler {
  readonly tensors: Tensor[] = []
  readonly #count: number
  readonly #maxBytes: number
  #header: TensorHeader | undefined
  #buffer: Uint8Array | undefined
  #filled = 0
  #hash = createHash('sha256')

  constructor(count: number, maxBytes: number) {
    this.#count = count
    this.#maxBytes = maxBytes
  }

  get done(): boolean {
    return this.tensors.length === this.#count && this.#header === undefined
  }

  /** True when `frame` was a tensor frame and was consumed. */
  push(frame: JobFrame): boolean {
    if (frame.tensorHeader !== undefined) {
      this.#onHeader(frame.tensorHeader)
      return true
    }
    if (frame.tensorChunk !== undefined) {
      this.#onChunk(frame.tensorChunk)
      return true
    }
    return false
  }

  #onHeader(header: TensorHeader): void {
    if (this.#header !== undefined || this.tensors.length >= this.#count) {
      throw new UnexpectedFrameError('unexpected tensor header', {
        details: `expected ${this.#count} tensors, each header followed by all of its chunks`,
      })
    }
    const dtype = FROM_WIRE.get(header.dtype)
    if (dtype === undefined) {
      throw new UnexpectedFrameError('unknown tensor dtype', {
        details: `dtype ${header.dtype} is not supported`,
      })
    }
    if (header.byteLength > BigInt(this.#maxBytes)) {
      throw new TensorTooLargeError('tensor too large', {
        details: `tensor "${header.name}" is ${header.byteLength} bytes; the limit is ${this.#maxBytes}`,
      })
    }
    if (header.sha256.byteLength !== 32) {
      throw new UnexpectedFrameError('tensor header without sha256', { details: 'sha256 must be 32 bytes' })
    }
    this.#header = header
    this.#buffer = new Uint8Array(Number(header.byteLength))
    this.#filled = 0
    this.#hash = createHash('sha256')
    if (this.#buffer.byteLength === 0) this.#finish()
  }

  #onChunk(chunk: TensorChunk): void {
    const header = this.#header
    const buffer = this.#buffer
    if (header === undefined || buffer === undefined || chunk.index !== this.tensors.length) {
      throw new UnexpectedFrameError('tensor chunk out of order', {
        details: `chunk for tensor ${chunk.index} arrived while ${this.#header === undefined ? 'no header is open' : `tensor ${this.tensors.length} is open`}`,
      })
    }
    // received chunks come as the pieces they arrived in: copy those straight into the tensor
    const parts = tensorChunkParts(chunk)
    const byteLength = parts?.byteLength ?? chunk.data.byteLength
    if (chunk.offset !== BigInt(this.#filled) || this.#filled + byteLength > buffer.byteLength) {
      throw new TensorHashMismatchError('tensor chunk does not fit its header', {
        details: `chunk at offset ${chunk.offset} with ${byteLength} bytes; expected offset ${this.#filled} within ${buffer.byteLength} bytes`,
      })
    }
    for (const part of parts ?? [chunk.data]) {
      buffer.set(part, this.#filled)
      this.#hash.update(part)
      this.#filled += part.byteLength
    }
    if (this.#filled === buffer.byteLength) this.#finish()
  }

  #finish(): void {
    const header = this.#header as TensorHeader
    const digest = this.#hash.digest()
    if (!digest.equals(header.sha256)) {
      throw new TensorHashMismatchError('tensor sha256 mismatch', {
        details: `the bytes of tensor "${header.name}" do not hash to the sha256 in its header`,
      })
    }
    this.tensors.push({
      name: header.name,
      dtype: FROM_WIRE.get(header.dtype) as RuntimeDType,
      shape: header.shape.map((d) => Number(d)),
      data: this.#buffer as Uint8Array,
    })
    this.#header = undefined
    this.#buffer = undefined
  }
}
