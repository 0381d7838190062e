/**
 * Length-prefixed (unsigned varint) message streams over libp2p 3 streams,
 * built on `lpStream` from `@libp2p/utils` with this package's size limits
 * and checked codecs. Every protocol fault surfaces as a typed error:
 *
 * - a length prefix above the limit -> MessageTooLargeError (nothing is buffered)
 * - a bad length prefix or undecodable frame -> MalformedMessageError
 * - the remote closed mid-frame or before the next frame -> StreamEndedError
 *
 * Transport errors (stream reset, abort via `signal`) pass through unchanged.
 */
import type { AbortOptions, MessageStream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import { decodeJobFrame, encodeJobFrame } from './codec.js'
import { MalformedMessageError, MessageTooLargeError, StreamEndedError } from './errors.js'
import type { JobFrame } from './generated/cocoon.js'
import { MAX_JOB_FRAME_BYTES } from './limits.js'

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

export const JOB_FRAME_CODEC: MessageStreamCodec<JobFrame> = {
  name: 'JobFrame',
  encode: encodeJobFrame,
  decode: decodeJobFrame,
  maxBytes: MAX_JOB_FRAME_BYTES,
}

/** A `/cocoon/job/1.0.0` stream: JobFrames, each at most {@link MAX_JOB_FRAME_BYTES}. */
export function jobFrameStream<S extends MessageStream = MessageStream>(
  stream: S,
  options?: MessageStreamOptions,
): TypedMessageStream<JobFrame, S> {
  return messageStream(stream, JOB_FRAME_CODEC, options)
}
