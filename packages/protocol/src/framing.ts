/**
 * Length-prefixed (unsigned varint) framing for libp2p 3 streams, with this
 * package's size limits and checked codecs. Every protocol fault surfaces as
 * a typed error:
 *
 * - a length prefix above the limit -> MessageTooLargeError (nothing is buffered)
 * - a bad length prefix or undecodable frame -> MalformedMessageError
 * - the remote closed mid-frame (or, for `messageStream`, before the next frame) -> StreamEndedError
 *
 * Transport errors (stream reset, abort via `signal`) pass through unchanged.
 *
 * Two shapes: `messageStream` (on `lpStream` from `@libp2p/utils`) for short
 * request/response exchanges, and the delimited JobFrame encoders and
 * `decodeDelimitedJobFrames` for the long-lived `/cocoon/job/1.0.0` stream,
 * which reads through the stream's own async iterator (so a slow reader
 * applies backpressure instead of buffering) and keeps tensor chunks
 * zero-copy both ways.
 */
import type { AbortOptions, MessageStream } from '@libp2p/interface'
import { LengthPrefixedDecoder, lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { decodeJobFrame, encodeJobFrame } from './codec.js'
import {
  MalformedMessageError,
  MessageTooLargeError,
  StreamEndedError,
  type UnsupportedVersionError,
} from './errors.js'
import type { JobFrame } from './generated/cocoon.js'
import { MAX_JOB_FRAME_BYTES } from './limits.js'
import { decodeTensorChunkFrame, encodeTensorChunkFrame } from './tensor-chunk-frame.js'

export interface MessageStreamCodec<T> {
  /** Name used in error messages, e.g. `JobFrame`. */
  name: string
  encode(message: T): Uint8Array
  decode(bytes: Uint8Array | Uint8ArrayList): T
  /** Largest encoded message accepted, in bytes. */
  maxBytes: number
}

export interface TypedMessageStream<T, S extends MessageStream = MessageStream> {
  /** Reads and decodes the next message. */
  read(options?: AbortOptions): Promise<T>
  /** Encodes and writes one message (waits for the stream to drain when its buffer is full). */
  write(message: T, options?: AbortOptions): Promise<void>
  /** Encodes and writes several messages as one write. */
  writeV(messages: T[], options?: AbortOptions): Promise<void>
  /** Stops framing and returns the underlying stream (unread bytes are given back to it). */
  unwrap(): S
}

export interface MessageStreamOptions {
  /** Bytes buffered while waiting for a frame to complete. Default: twice the message limit. */
  maxBufferSize?: number
}

function mapReadError(name: string, maxBytes: number, error: unknown): unknown {
  if (!(error instanceof Error)) return error
  switch (error.name) {
    case 'InvalidDataLengthError':
      return new MessageTooLargeError(`${name} length prefix exceeds the limit of ${maxBytes} bytes`, {
        limit: maxBytes,
        cause: error,
        details: `The remote announced a ${name} larger than ${maxBytes} bytes (${error.message}); it was not read. Senders must split payloads (e.g. tensors into TENSOR_CHUNK_SIZE chunks).`,
      })
    case 'InvalidMessageLengthError':
    case 'InvalidDataLengthLengthError':
      return new MalformedMessageError(`Invalid ${name} length prefix`, {
        cause: error,
        details: `Frames are prefixed with an unsigned varint length of at most ${maxBytes}: ${error.message}.`,
      })
    case 'UnexpectedEOFError':
      return new StreamEndedError(`Stream ended before a whole ${name} arrived`, {
        cause: error,
        details: `The remote closed its side of the stream (${error.message}). If a final frame was expected, the remote gave up or crashed.`,
      })
    case 'StreamBufferError':
      return new MessageTooLargeError(`Too many unread bytes buffered while reading ${name}`, {
        cause: error,
        details: error.message,
      })
    default:
      return error
  }
}

/** Wraps a libp2p stream as a stream of typed, size-limited, length-prefixed messages. */
export function messageStream<T, S extends MessageStream = MessageStream>(
  stream: S,
  codec: MessageStreamCodec<T>,
  options: MessageStreamOptions = {},
): TypedMessageStream<T, S> {
  const lp = lpStream(stream, {
    maxDataLength: codec.maxBytes,
    maxBufferSize: options.maxBufferSize ?? Math.max(4 * 1024 * 1024, 2 * codec.maxBytes),
  })
  return {
    async read(readOptions) {
      let bytes: Uint8ArrayList
      try {
        bytes = await lp.read(readOptions)
      } catch (error) {
        throw mapReadError(codec.name, codec.maxBytes, error)
      }
      return codec.decode(bytes)
    },
    async write(message, writeOptions) {
      await lp.write(codec.encode(message), writeOptions)
    },
    async writeV(messages, writeOptions) {
      await lp.writeV(
        messages.map((m) => codec.encode(m)),
        writeOptions,
      )
    },
    unwrap() {
      return lp.unwrap()
    },
  }
}

// ---- JobFrame streams ---------------------------------------------------------

/** Errors of the delimited JobFrame encoders. */
export type EncodeDelimitedJobFrameErrorType =
  | MessageTooLargeError
  | MalformedMessageError
  | UnsupportedVersionError

/**
 * One JobFrame with its varint length prefix, ready for `stream.send()`.
 * Throws {@link EncodeDelimitedJobFrameErrorType} (the `encodeJobFrame` rules).
 */
export function encodeDelimitedJobFrame(frame: JobFrame): Uint8ArrayList {
  const body = encodeJobFrame(frame)
  return new Uint8ArrayList(varint.encode(body.byteLength), body)
}

/**
 * A TensorChunk JobFrame with its length prefix, without copying `data`: the
 * same bytes as `encodeDelimitedJobFrame({ tensorChunk: { index, offset, data } })`.
 * Throws {@link EncodeDelimitedJobFrameErrorType} (only MessageTooLargeError).
 */
export function encodeDelimitedTensorChunk(index: number, offset: number, data: Uint8Array): Uint8ArrayList {
  const body = encodeTensorChunkFrame(index, offset, data)
  body.prepend(varint.encode(body.byteLength))
  return body
}

export interface DecodeDelimitedJobFramesOptions {
  /** Largest frame accepted, bytes. Default {@link MAX_JOB_FRAME_BYTES}. */
  maxBytes?: number
}

/**
 * Errors of {@link decodeDelimitedJobFrames}; transport errors of the source
 * (a stream reset, an abort) pass through unchanged.
 */
export type DecodeDelimitedJobFramesErrorType =
  | MessageTooLargeError
  | MalformedMessageError
  | UnsupportedVersionError
  | StreamEndedError

/** A length prefix this long and still undecodable is garbage rather than incomplete. */
const MAX_PREFIX_BYTES = 10

/**
 * Decodes length-prefixed JobFrames from a stream's bytes (any async iterable
 * of byte chunks, e.g. a libp2p `Stream`), whatever pieces they arrive in.
 * Ends when the source ends between frames; throws
 * {@link DecodeDelimitedJobFramesErrorType}: MessageTooLargeError for an
 * announced length over `maxBytes` (its body is not buffered),
 * MalformedMessageError for a bad prefix or body, StreamEndedError when the
 * source ends inside a frame. TensorChunk frames keep their data as the
 * arrived pieces (`tensorChunkParts`).
 */
export async function* decodeDelimitedJobFrames(
  source: AsyncIterable<Uint8Array | Uint8ArrayList>,
  options: DecodeDelimitedJobFramesOptions = {},
): AsyncGenerator<JobFrame, void, undefined> {
  const maxBytes = options.maxBytes ?? MAX_JOB_FRAME_BYTES
  const decoder = new LengthPrefixedDecoder({
    // a partial frame never exceeds maxBytes: its announced length is checked before it is buffered
    maxBufferSize: Number.POSITIVE_INFINITY,
    maxDataLength: maxBytes,
    lengthDecoder: (bytes) => jobFrameLength(bytes, maxBytes),
  })
  // bytes received and not yet yielded as a frame
  let pending = 0
  for await (const chunk of source) {
    pending += chunk.byteLength
    for (const body of decoder.decode(chunk)) {
      pending -= varint.encodingLength(body.byteLength) + body.byteLength
      const tensorChunk = decodeTensorChunkFrame(body)
      yield tensorChunk !== undefined ? { tensorChunk } : decodeJobFrame(body.subarray())
    }
  }
  if (pending > 0) {
    throw new StreamEndedError('Stream ended inside a JobFrame', {
      details: `${pending} bytes of an incomplete frame were left; the remote gave up or crashed mid-frame.`,
    })
  }
}

/**
 * The length prefix at the start of `bytes`, checked: RangeError while it is
 * incomplete (the decoder waits for more bytes), a typed error when it is
 * garbage, zero (a JobFrame always sets a field) or over `maxBytes`.
 */
function jobFrameLength(bytes: Uint8ArrayList | Uint8Array, maxBytes: number): number {
  let length: number
  try {
    length = varint.decode(bytes)
  } catch (error) {
    if (error instanceof RangeError && bytes.byteLength >= MAX_PREFIX_BYTES) {
      throw new MalformedMessageError('Invalid JobFrame length prefix', {
        cause: error,
        details: `Frames are prefixed with an unsigned varint length of at most ${maxBytes}; ${MAX_PREFIX_BYTES} bytes did not decode as one.`,
      })
    }
    throw error
  }
  if (length > maxBytes) {
    throw new MessageTooLargeError(`JobFrame length prefix exceeds the limit of ${maxBytes} bytes`, {
      size: length,
      limit: maxBytes,
      details: `The remote announced a ${length}-byte JobFrame; it was not read. Senders must split payloads (e.g. tensors into TENSOR_CHUNK_SIZE chunks).`,
    })
  }
  if (length === 0) {
    throw new MalformedMessageError('Empty JobFrame', {
      details: 'A JobFrame sets exactly one field, so its encoding is never empty.',
    })
  }
  return length
}
