import {
  decodeJobFrame,
  encodeJobFrame,
  type JobFrame,
  type JobFrameKind,
  MAX_TENSOR_CHUNK_BYTES,
  MAX_JOB_FRAME_BYTES as PROTOCOL_MAX_JOB_FRAME_BYTES,
  type TensorChunk,
} from '@cocoon-mesh/protocol'
import type { AbortOptions, Stream } from '@libp2p/interface'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { FrameTooLargeError, MalformedFrameError, StreamEndedError } from './errors.js'

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

/** Encodes a frame with its varint length prefix. */
export function encodeFrame(frame: JobFrame): Uint8ArrayList {
  const body = encodeJobFrame(frame)
  return new Uint8ArrayList(varint.encode(body.byteLength), body)
}

/**
 * Encodes a TensorChunk JobFrame without copying `data`: the protobuf
 * envelope (JobFrame.tensor_chunk = 5, TensorChunk.index = 1, .offset = 2,
 * .data = 3) is written by hand around the caller's bytes. The bytes on the
 * wire are exactly what `JobFrame.encode` produces.
 */
export function encodeTensorChunkFrame(index: number, offset: number, data: Uint8Array): Uint8ArrayList {
  const inner: number[] = []
  if (index !== 0) inner.push(0x08, ...varint.encode(index))
  if (offset !== 0) inner.push(0x10, ...varint.encode(offset))
  const dataLen = varint.encode(data.byteLength)
  const innerLength = inner.length + (data.byteLength > 0 ? 1 + dataLen.byteLength + data.byteLength : 0)
  const innerLen = varint.encode(innerLength)
  const bodyLength = 1 + innerLen.byteLength + innerLength
  if (bodyLength > MAX_JOB_FRAME_BYTES) {
    throw new FrameTooLargeError('tensor chunk too large', {
      details: `a chunk of ${data.byteLength} bytes exceeds the ${MAX_JOB_FRAME_BYTES}-byte frame limit`,
    })
  }
  const head = [...varint.encode(bodyLength), 0x2a, ...innerLen, ...inner]
  if (data.byteLength === 0) return new Uint8ArrayList(Uint8Array.from(head))
  return new Uint8ArrayList(Uint8Array.from([...head, 0x1a, ...dataLen]), data)
}

/**
 * Writes frames with backpressure: when `stream.send()` reports a full
 * buffer, the next write waits for `drain`.
 */
export class FrameWriter {
  readonly #stream: Stream

  constructor(stream: Stream) {
    this.#stream = stream
  }

  async write(frame: JobFrame, options?: AbortOptions): Promise<void> {
    await this.#send(encodeFrame(frame), options)
  }

  /** Writes a TensorChunk frame without copying `data`. */
  async writeTensorChunk(
    index: number,
    offset: number,
    data: Uint8Array,
    options?: AbortOptions,
  ): Promise<void> {
    await this.#send(encodeTensorChunkFrame(index, offset, data), options)
  }

  async #send(bytes: Uint8ArrayList, options?: AbortOptions): Promise<void> {
    if (this.#stream.writeStatus !== 'writable') {
      throw new StreamEndedError('job stream is not writable', {
        details: `stream status is ${this.#stream.status}, write status ${this.#stream.writeStatus}`,
      })
    }
    if (!this.#stream.send(bytes)) {
      await this.#stream.onDrain(options)
    }
  }
}

/**
 * Decodes length-prefixed JobFrames from a stream. Throws `FrameTooLargeError`
 * or `MalformedFrameError` on garbage and `StreamEndedError` when the stream
 * ends in the middle of a frame.
 */
export async function* readFrames(
  source: AsyncIterable<Uint8Array | Uint8ArrayList>,
  maxFrameBytes: number = MAX_JOB_FRAME_BYTES,
): AsyncGenerator<JobFrame, void, undefined> {
  const buffer = new Uint8ArrayList()
  for await (const chunk of source) {
    buffer.append(chunk)
    while (buffer.byteLength > 0) {
      let length: number
      try {
        length = varint.decode(buffer.subarray(0, Math.min(10, buffer.byteLength)))
      } catch (cause) {
        if (buffer.byteLength >= 10) {
          throw new MalformedFrameError('invalid frame length prefix', {
            cause,
            details: 'expected a varint',
          })
        }
        break
      }
      if (length > maxFrameBytes) {
        throw new FrameTooLargeError('job frame too large', {
          details: `a frame announced ${length} bytes; the limit is ${maxFrameBytes}`,
        })
      }
      const prefix = varint.encodingLength(length)
      if (buffer.byteLength < prefix + length) break
      const body = buffer.sublist(prefix, prefix + length)
      buffer.consume(prefix + length)
      const tensorChunk = decodeTensorChunkFrame(body)
      if (tensorChunk !== undefined) {
        yield { tensorChunk }
        continue
      }
      let frame: JobFrame
      try {
        frame = decodeJobFrame(body.subarray())
      } catch (cause) {
        throw new MalformedFrameError('could not decode job frame', {
          cause,
          details: `protobuf decoding of a ${length}-byte frame failed: ${(cause as Error).message}`,
        })
      }
      yield frame
    }
  }
  if (buffer.byteLength > 0) {
    throw new StreamEndedError('job stream ended inside a frame', {
      details: `${buffer.byteLength} bytes of an incomplete frame were left`,
    })
  }
}

/** The data of received TensorChunks, as the pieces that arrived (see `tensorChunkParts`). */
const receivedParts = new WeakMap<TensorChunk, Uint8ArrayList>()

/**
 * The data of a TensorChunk that `readFrames` decoded, as the pieces it
 * arrived in, so a consumer can copy them straight to their destination;
 * `undefined` for any other chunk (use `chunk.data`).
 */
export function tensorChunkParts(chunk: TensorChunk): Uint8ArrayList | undefined {
  return receivedParts.get(chunk)
}

/** Largest TensorChunk envelope before its data: tags and varints of fields 5, 1, 2, 3. */
const CHUNK_HEAD_BYTES = 4 + 4 * 10

/**
 * Decodes a JobFrame body laid out as `encodeTensorChunkFrame` writes it
 * (tensor_chunk = 5 holding index, offset, then data last) without joining
 * the data into one array: `data` is joined only if someone reads it.
 * Returns `undefined` for any other layout, which then goes through the
 * protobuf decoder.
 */
function decodeTensorChunkFrame(body: Uint8ArrayList): TensorChunk | undefined {
  if (body.byteLength < 2 || body.get(0) !== 0x2a) return undefined
  const head = body.subarray(0, Math.min(CHUNK_HEAD_BYTES, body.byteLength))
  try {
    let pos = 1
    const innerLength = varint.decode(head, pos)
    pos += varint.encodingLength(innerLength)
    if (pos + innerLength !== body.byteLength) return undefined
    let index = 0
    let offset = 0
    while (pos < head.byteLength) {
      const tag = head[pos++]
      if (tag === 0x08) {
        index = varint.decode(head, pos)
        pos += varint.encodingLength(index)
      } else if (tag === 0x10) {
        offset = varint.decode(head, pos)
        pos += varint.encodingLength(offset)
      } else if (tag === 0x1a) {
        const dataLength = varint.decode(head, pos)
        pos += varint.encodingLength(dataLength)
        if (pos + dataLength !== body.byteLength || index > 0xffffffff) return undefined
        const parts = body.sublist(pos)
        let data: Uint8Array<ArrayBuffer> | undefined
        const chunk: TensorChunk = {
          index,
          offset: BigInt(offset),
          get data(): Uint8Array<ArrayBuffer> {
            data ??= parts.subarray() as Uint8Array<ArrayBuffer>
            return data
          },
        }
        receivedParts.set(chunk, parts)
        return chunk
      } else {
        return undefined
      }
    }
  } catch {
    // not the layout we write (or truncated varints): the protobuf decoder decides
  }
  return undefined
}
