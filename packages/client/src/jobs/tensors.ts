import type { TensorDType as RuntimeDType, Tensor } from '@cocoon-mesh/protocol'
import {
  DType,
  type JobFrame,
  markHandled,
  type TensorChunk,
  type TensorHeader,
  tensorChunkParts,
} from '@cocoon-mesh/protocol'
import type { AbortOptions } from '@libp2p/interface'
import { equals } from 'uint8arrays/equals'
import { createSha256, sha256 } from '#sha'
import { OFFLOAD_MIN_BYTES, tensorOffload } from '#tensor-offload'
import {
  TensorHashMismatchError,
  TensorTooLargeError,
  type TensorWorkerFailedError,
  UnexpectedFrameError,
} from './errors.js'
import { FrameWriter, JOB_TENSOR_CHUNK_SIZE, type WriteFrameErrorType } from './frames.js'

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

export { sha256 } from '#sha'

/**
 * Errors of {@link sendTensors}: the writer's ({@link WriteFrameErrorType});
 * an abort of `signal` throws the signal's reason.
 */
export type SendTensorsErrorType = WriteFrameErrorType

/**
 * Sends each tensor as a header followed by chunks of at most `chunkSize`
 * bytes. Throws {@link SendTensorsErrorType}.
 */
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
 * Errors of {@link TensorAssembler}'s `push` and `complete`: frames out of
 * order or of an unknown dtype, a tensor over the size limit, bytes that do
 * not match the header, the reassembly worker failing.
 */
export type TensorAssemblerErrorType =
  | UnexpectedFrameError
  | TensorTooLargeError
  | TensorHashMismatchError
  | TensorWorkerFailedError

/**
 * Reassembles tensors from header and chunk frames, checking order, sizes and
 * the sha256 of each. Feed frames with `push`; `done` says when all `count`
 * tensors' frames arrived; `complete()` resolves with the tensors once every
 * hash is checked (tensors of `offloadMinBytes` or more are copied and hashed
 * on a worker thread, off the thread that runs the stream). `push` and
 * `complete` throw {@link TensorAssemblerErrorType}.
 */
export class TensorAssembler {
  readonly #count: number
  readonly #maxBytes: number
  readonly #offloadMinBytes: number
  readonly #tensors: Array<Promise<Tensor>> = []
  #header: TensorHeader | undefined
  #sink: TensorSink | undefined

  constructor(count: number, maxBytes: number, options: { offloadMinBytes?: number } = {}) {
    this.#count = count
    this.#maxBytes = maxBytes
    this.#offloadMinBytes = options.offloadMinBytes ?? OFFLOAD_MIN_BYTES
  }

  /** True once the frames of all tensors arrived (their hashes may still be in flight). */
  get done(): boolean {
    return this.#tensors.length === this.#count && this.#header === undefined
  }

  /** The tensors, once every one arrived and matched its sha256; rejects with a typed error otherwise. */
  async complete(): Promise<Tensor[]> {
    if (!this.done)
      throw new UnexpectedFrameError('tensors incomplete', {
        details: `${this.#tensors.length} of ${this.#count} tensors arrived`,
      })
    return Promise.all(this.#tensors)
  }

  /** Forgets tensors still being reassembled (the job failed). */
  drop(): void {
    this.#sink?.drop()
    this.#sink = undefined
    this.#header = undefined
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
    if (this.#header !== undefined || this.#tensors.length >= this.#count) {
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
    const byteLength = Number(header.byteLength)
    this.#header = header
    this.#sink = byteLength >= this.#offloadMinBytes ? offloadedSink(byteLength) : localSink(byteLength)
    if (byteLength === 0) this.#finish()
  }

  #onChunk(chunk: TensorChunk): void {
    const header = this.#header
    const sink = this.#sink
    if (header === undefined || sink === undefined || chunk.index !== this.#tensors.length) {
      throw new UnexpectedFrameError('tensor chunk out of order', {
        details: `chunk for tensor ${chunk.index} arrived while ${this.#header === undefined ? 'no header is open' : `tensor ${this.#tensors.length} is open`}`,
      })
    }
    // received chunks come as the pieces they arrived in: copy those straight into the tensor
    const parts = tensorChunkParts(chunk)
    const byteLength = parts?.byteLength ?? chunk.data.byteLength
    if (chunk.offset !== BigInt(sink.filled) || sink.filled + byteLength > sink.byteLength) {
      throw new TensorHashMismatchError('tensor chunk does not fit its header', {
        details: `chunk at offset ${chunk.offset} with ${byteLength} bytes; expected offset ${sink.filled} within ${sink.byteLength} bytes`,
      })
    }
    sink.write(parts ?? [chunk.data], byteLength)
    if (sink.filled === sink.byteLength) this.#finish()
  }

  #finish(): void {
    const header = this.#header as TensorHeader
    const sink = this.#sink as TensorSink
    this.#header = undefined
    this.#sink = undefined
    const tensor = sink.finish().then(({ data, digest }) => {
      if (!equals(digest, header.sha256)) {
        throw new TensorHashMismatchError('tensor sha256 mismatch', {
          details: `the bytes of tensor "${header.name}" do not hash to the sha256 in its header`,
        })
      }
      return {
        name: header.name,
        dtype: FROM_WIRE.get(header.dtype) as RuntimeDType,
        shape: header.shape.map((d) => Number(d)),
        data,
      }
    })
    // awaited by complete(); a mismatch must not surface as an unhandled rejection before that
    // (nor after drop(), when the job failed for another reason)
    markHandled(tensor)
    this.#tensors.push(tensor)
  }
}

/** Where one tensor's bytes go while it arrives. */
interface TensorSink {
  readonly byteLength: number
  readonly filled: number
  write(parts: Iterable<Uint8Array>, byteLength: number): void
  finish(): Promise<{ data: Uint8Array; digest: Uint8Array }>
  drop(): void
}

function localSink(byteLength: number): TensorSink {
  const buffer = new Uint8Array(byteLength)
  const hash = createSha256()
  let filled = 0
  return {
    byteLength,
    get filled() {
      return filled
    },
    write(parts) {
      for (const part of parts) {
        buffer.set(part, filled)
        hash.update(part)
        filled += part.byteLength
      }
    },
    finish: async () => ({ data: buffer, digest: hash.digest() }),
    drop() {},
  }
}

function offloadedSink(byteLength: number): TensorSink {
  const tensor = tensorOffload().open(byteLength)
  let filled = 0
  return {
    byteLength,
    get filled() {
      return filled
    },
    write(parts, length) {
      tensor.write(parts, length)
      filled += length
    },
    finish: () => tensor.finish(),
    drop: () => tensor.drop(),
  }
}
