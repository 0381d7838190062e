/**
 * JobFrames over a libp2p stream: the bytes (length prefix, protobuf, the
 * zero-copy tensor chunk layout) are `@cocoon-mesh/protocol`'s; this file
 * only hands them to `stream.send()` with backpressure and reads them back
 * from the stream's async iterator.
 */
import {
  type DecodeDelimitedJobFramesErrorType,
  decodeDelimitedJobFrames,
  type EncodeDelimitedJobFrameErrorType,
  encodeDelimitedJobFrame,
  encodeDelimitedTensorChunk,
  type JobFrame,
  type JobFrameKind,
  MAX_TENSOR_CHUNK_BYTES,
  MAX_JOB_FRAME_BYTES as PROTOCOL_MAX_JOB_FRAME_BYTES,
} from '@cocoon-mesh/protocol'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { StreamEndedError } from './errors.js'

/**
 * Bytes of tensor data per TensorChunk frame: the largest chunk the protocol
 * allows. Measured on loopback (npm run bench, stream group) with a receiver
 * that only counted bytes, 1 MiB chunks moved ~1.3-2x the bytes/s of 256 KiB
 * ones (TENSOR_CHUNK_SIZE); with the receiver reassembling and hashing the
 * tensor, its per-byte work dominates and the two are within run-to-run spread.
 */
export const JOB_TENSOR_CHUNK_SIZE = MAX_TENSOR_CHUNK_BYTES
/** Largest frame a job stream accepts (a tensor chunk plus headroom). */
export const MAX_JOB_FRAME_BYTES = PROTOCOL_MAX_JOB_FRAME_BYTES

export type { JobFrameKind }

/**
 * Errors of {@link FrameWriter}'s writes: the frame breaks the codec's rules,
 * or the stream is not writable (StreamEndedError); an abort or a
 * reset while waiting for the stream to drain passes through as libp2p's error.
 */
export type WriteFrameErrorType = EncodeDelimitedJobFrameErrorType | StreamEndedError

/**
 * A bound on all the bytes a {@link FrameWriter} writes (a provider's job over
 * a relay, whose bytes cross the relay's uplink); `exceeded` makes the typed
 * error of the side that set it.
 */
export interface FrameBudget {
  maxBytes: number
  exceeded: (sent: number, maxBytes: number) => Error
}

/**
 * Writes frames with backpressure: when `stream.send()` reports a full
 * buffer, the next write waits for `drain`. Throws {@link WriteFrameErrorType}.
 */
export class FrameWriter {
  readonly #stream: Stream
  readonly #budget: FrameBudget | undefined
  #sent = 0

  /** `budget` bounds what is written in all; a write over it throws its `exceeded` error. */
  constructor(stream: Stream, options: { budget?: FrameBudget } = {}) {
    this.#stream = stream
    this.#budget = options.budget
  }

  async write(frame: JobFrame, options?: AbortOptions): Promise<void> {
    await this.#send(encodeDelimitedJobFrame(frame), options)
  }

  /** Writes a TensorChunk frame without copying `data`. */
  async writeTensorChunk(
    index: number,
    offset: number,
    data: Uint8Array,
    options?: AbortOptions,
  ): Promise<void> {
    await this.#send(encodeDelimitedTensorChunk(index, offset, data), options)
  }

  async #send(bytes: Uint8ArrayList, options?: AbortOptions): Promise<void> {
    if (this.#stream.writeStatus !== 'writable') {
      throw new StreamEndedError('job stream is not writable', {
        details: `stream status is ${this.#stream.status}, write status ${this.#stream.writeStatus}`,
      })
    }
    this.#sent += bytes.byteLength
    if (this.#budget !== undefined && this.#sent > this.#budget.maxBytes)
      throw this.#budget.exceeded(this.#sent, this.#budget.maxBytes)
    if (!this.#stream.send(bytes)) {
      await this.#stream.onDrain(options)
    }
  }
}

/** Errors of {@link readFrames}: those of the protocol's decoder; the stream's own errors pass through. */
export type ReadFramesErrorType = DecodeDelimitedJobFramesErrorType

/**
 * The JobFrames arriving on a stream (or any source of its bytes). Ends when
 * the remote closes between frames; throws {@link ReadFramesErrorType}
 * (MessageTooLargeError, MalformedMessageError, StreamEndedError when the
 * stream ends inside a frame). Received tensor chunks keep their pieces
 * (`tensorChunkParts` from `@cocoon-mesh/protocol`).
 */
export function readFrames(
  source: AsyncIterable<Uint8Array | Uint8ArrayList>,
  maxFrameBytes: number = MAX_JOB_FRAME_BYTES,
): AsyncGenerator<JobFrame, void, undefined> {
  return decodeDelimitedJobFrames(source, { maxBytes: maxFrameBytes })
}
