/**
 * The zero-copy codec of a TensorChunk JobFrame, next to the protons codec
 * it mirrors: tensor data is by far most of a job stream's bytes, so the
 * sender writes the protobuf envelope around the caller's bytes instead of
 * copying them into one buffer, and the receiver keeps the data as the pieces
 * it arrived in (see {@link tensorChunkParts}) instead of joining them. The
 * bytes are exactly what `encodeJobFrame({ tensorChunk })` produces (proved
 * in test/unit/framing.test.ts); any other layout goes through the protons
 * decoder.
 *
 * The layout written and recognised: JobFrame.tensor_chunk (field 5) holding
 * TensorChunk.index (1) and .offset (2) when non-zero, then .data (3) last.
 */
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { MessageTooLargeError } from './errors.js'
import type { TensorChunk } from './generated/cocoon.js'
import { MAX_JOB_FRAME_BYTES } from './limits.js'

/** Protobuf tags (field number << 3 | wire type) of the fields in the layout above. */
const JOB_FRAME_TENSOR_CHUNK_TAG = (5 << 3) | 2
const TENSOR_CHUNK_INDEX_TAG = (1 << 3) | 0
const TENSOR_CHUNK_OFFSET_TAG = (2 << 3) | 0
const TENSOR_CHUNK_DATA_TAG = (3 << 3) | 2

/** Largest envelope before the data: four tags and four varints of at most 10 bytes. */
const CHUNK_HEAD_BYTES = 4 + 4 * 10

/**
 * Encodes `{ tensorChunk: { index, offset, data } }` as a JobFrame body (no
 * length prefix) without copying `data`: the result holds a small head and
 * `data` itself. Throws {@link MessageTooLargeError} over
 * {@link MAX_JOB_FRAME_BYTES}, as `encodeJobFrame` would.
 */
export function encodeTensorChunkFrame(index: number, offset: number, data: Uint8Array): Uint8ArrayList {
  const inner: number[] = []
  if (index !== 0) inner.push(TENSOR_CHUNK_INDEX_TAG, ...varint.encode(index))
  if (offset !== 0) inner.push(TENSOR_CHUNK_OFFSET_TAG, ...varint.encode(offset))
  const dataLength = varint.encode(data.byteLength)
  if (data.byteLength > 0) inner.push(TENSOR_CHUNK_DATA_TAG, ...dataLength)
  const innerLength = inner.length + data.byteLength
  const innerPrefix = varint.encode(innerLength)
  const bodyLength = 1 + innerPrefix.byteLength + innerLength
  if (bodyLength > MAX_JOB_FRAME_BYTES) {
    throw new MessageTooLargeError(
      `JobFrame is too large: ${bodyLength} bytes, the limit is ${MAX_JOB_FRAME_BYTES} bytes`,
      {
        size: bodyLength,
        limit: MAX_JOB_FRAME_BYTES,
        details: `A tensor chunk of ${data.byteLength} bytes does not fit in one JobFrame; split tensors into chunks of at most MAX_TENSOR_CHUNK_BYTES.`,
      },
    )
  }
  const head = Uint8Array.from([JOB_FRAME_TENSOR_CHUNK_TAG, ...innerPrefix, ...inner])
  return data.byteLength === 0 ? new Uint8ArrayList(head) : new Uint8ArrayList(head, data)
}

/** The data of received TensorChunks, as the pieces they arrived in. */
const receivedParts = new WeakMap<TensorChunk, Uint8ArrayList>()

/**
 * The data of a TensorChunk that {@link decodeTensorChunkFrame} decoded, as
 * the pieces it arrived in, so a consumer can copy them straight to their
 * destination; `undefined` for any other chunk (use `chunk.data`).
 */
export function tensorChunkParts(chunk: TensorChunk): Uint8ArrayList | undefined {
  return receivedParts.get(chunk)
}

/**
 * Decodes a JobFrame body laid out as {@link encodeTensorChunkFrame} writes
 * it without joining the data into one array: `data` is joined only if
 * someone reads it. Returns `undefined` for any other layout (or truncated
 * varints), which the caller then hands to the protons decoder.
 */
export function decodeTensorChunkFrame(body: Uint8ArrayList): TensorChunk | undefined {
  if (body.byteLength < 2 || body.get(0) !== JOB_FRAME_TENSOR_CHUNK_TAG) return undefined
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
      if (tag === TENSOR_CHUNK_INDEX_TAG) {
        index = varint.decode(head, pos)
        pos += varint.encodingLength(index)
      } else if (tag === TENSOR_CHUNK_OFFSET_TAG) {
        offset = varint.decode(head, pos)
        pos += varint.encodingLength(offset)
      } else if (tag === TENSOR_CHUNK_DATA_TAG) {
        const dataLength = varint.decode(head, pos)
        pos += varint.encodingLength(dataLength)
        if (pos + dataLength !== body.byteLength || index > 0xffffffff) return undefined
        return receivedChunk(index, offset, body.sublist(pos))
      } else {
        return undefined
      }
    }
  } catch (error) {
    // a varint ran past the head: not the layout above, so the protons decoder decides
    if (!(error instanceof RangeError)) throw error
  }
  return undefined
}

function receivedChunk(index: number, offset: number, parts: Uint8ArrayList): TensorChunk {
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
}
