import type { Stream } from '@libp2p/interface'
import { lpStream, streamPair } from '@libp2p/utils'
import fc from 'fast-check'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { afterEach, describe, expect, it } from 'vitest'
import {
  decodeDelimitedJobFrames,
  decodeJobFrame,
  encodeDelimitedJobFrame,
  encodeDelimitedTensorChunk,
  encodeJobFrame,
  encodeTensorChunkFrame,
  isRejectable,
  type JobFrame,
  MAX_JOB_FRAME_BYTES,
  MalformedMessageError,
  type MessageStreamCodec,
  MessageTooLargeError,
  messageStream,
  StreamEndedError,
  TENSOR_CHUNK_SIZE,
  TensorChunk,
  tensorChunkParts,
} from '../../src/index.js'
import { jobFrameArb } from '../arbitraries.js'
import { sampleJobRequest } from '../fixtures.js'

let open: Stream[] = []

async function pair(): Promise<[Stream, Stream]> {
  const streams = await streamPair()
  open.push(...streams)
  return streams
}

afterEach(() => {
  for (const s of open) s.abort(new Error('test done'))
  open = []
})

const JOB_FRAMES: MessageStreamCodec<JobFrame> = {
  name: 'JobFrame',
  encode: encodeJobFrame,
  decode: decodeJobFrame,
  maxBytes: MAX_JOB_FRAME_BYTES,
}

function jobFrameStream(stream: Stream) {
  return messageStream(stream, JOB_FRAMES)
}

describe('messageStream', () => {
  it('carries frames both ways, in order, including a full tensor chunk', async () => {
    const [a, b] = await pair()
    const client = jobFrameStream(a)
    const provider = jobFrameStream(b)
    const chunk = new Uint8Array(TENSOR_CHUNK_SIZE).map((_, i) => i & 0xff)
    await client.write({ request: sampleJobRequest() })
    await client.writeV([
      { tensorChunk: { index: 0, offset: 0n, data: chunk } },
      { cancel: { jobId: 'job-0001' } },
    ])
    expect((await provider.read()).request?.jobId).toBe('job-0001')
    expect((await provider.read()).tensorChunk?.data).toEqual(chunk)
    expect((await provider.read()).cancel?.jobId).toBe('job-0001')
    await provider.write({ accept: { jobId: 'job-0001', creditWindow: 10n, queueDepth: 0 } })
    expect((await client.read()).accept?.creditWindow).toBe(10n)
  })

  it('round-trips arbitrary frames over a stream', async () => {
    const [a, b] = await pair()
    const tx = jobFrameStream(a)
    const rx = jobFrameStream(b)
    const frames = fc.sample(jobFrameArb, { numRuns: 50, seed: 42 })
    const received: JobFrame[] = []
    await Promise.all([
      (async () => {
        for (const f of frames) await tx.write(f)
      })(),
      (async () => {
        for (let i = 0; i < frames.length; i++) received.push(await rx.read())
      })(),
    ])
    expect(received).toEqual(frames)
  })

  it('an announced length over the limit is MessageTooLargeError, without buffering the body', async () => {
    const [a, b] = await pair()
    const raw = lpStream(a)
    const rx = jobFrameStream(b)
    // only the varint prefix announcing MAX+1 bytes and a few bytes of body are sent
    const announced = MAX_JOB_FRAME_BYTES + 1
    const prefix: number[] = []
    let n = announced
    while (n >= 0x80) {
      prefix.push((n & 0x7f) | 0x80)
      n >>>= 7
    }
    prefix.push(n)
    raw.unwrap().send(new Uint8Array([...prefix, 1, 2, 3]))
    const error = await rx.read().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MessageTooLargeError)
    expect((error as MessageTooLargeError).message).toContain(String(MAX_JOB_FRAME_BYTES))
    expect(isRejectable(error)).toBe(true)
  })

  it('garbage in a frame is MalformedMessageError', async () => {
    const [a, b] = await pair()
    const raw = lpStream(a)
    const rx = jobFrameStream(b)
    await raw.write(new Uint8Array([0xff, 0xff, 0xff]))
    await expect(rx.read()).rejects.toThrow(MalformedMessageError)
  })

  it('a refused frame is never sent', async () => {
    const [a] = await pair()
    const tx = jobFrameStream(a)
    await expect(tx.write({})).rejects.toThrow(MalformedMessageError)
    await expect(
      tx.write({ tensorChunk: { index: 0, offset: 0n, data: new Uint8Array(MAX_JOB_FRAME_BYTES) } }),
    ).rejects.toThrow(MessageTooLargeError)
  })

  it('the remote closing mid-frame or before a frame is StreamEndedError', async () => {
    const [a, b] = await pair()
    const raw = lpStream(a)
    const rx = jobFrameStream(b)
    raw.unwrap().send(new Uint8Array([10, 1, 2]))
    await a.close()
    const error = await rx.read().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StreamEndedError)
    expect((error as StreamEndedError).code).toBe('ERR_STREAM_ENDED')

    const [c, d] = await pair()
    const rx2 = jobFrameStream(d)
    await c.close()
    await expect(rx2.read()).rejects.toThrow(StreamEndedError)
  })
})

/** The varint prefix announcing `n` bytes. */
function prefix(n: number): Uint8Array {
  return varint.encode(n)
}

/** Splits `bytes` into pieces of `size` (as noise messages split a frame on the wire). */
async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.slice(i, i + size)
}

async function decodeAll(bytes: Uint8Array, size: number): Promise<JobFrame[]> {
  const frames: JobFrame[] = []
  for await (const f of decodeDelimitedJobFrames(pieces(bytes, size))) frames.push(f)
  return frames
}

describe('delimited JobFrames', () => {
  it('carry frames in order over a stream, including a full tensor chunk, and end with the stream', async () => {
    const [a, b] = await pair()
    const chunk = new Uint8Array(TENSOR_CHUNK_SIZE).map((_, i) => i & 0xff)
    a.send(encodeDelimitedJobFrame({ request: sampleJobRequest() }))
    a.send(encodeDelimitedTensorChunk(0, 0, chunk))
    a.send(encodeDelimitedJobFrame({ cancel: { jobId: 'job-0001' } }))
    await a.close()
    const received: JobFrame[] = []
    for await (const f of decodeDelimitedJobFrames(b)) received.push(f)
    expect(received.map((f) => Object.keys(f))).toEqual([['request'], ['tensorChunk'], ['cancel']])
    expect(received[0]?.request?.jobId).toBe('job-0001')
    expect(received[1]?.tensorChunk?.data).toEqual(chunk)
  })

  it('round-trip arbitrary frames, whatever pieces the bytes arrive in', async () => {
    const frames = fc.sample(jobFrameArb, { numRuns: 50, seed: 42 })
    const wire = new Uint8ArrayList(...frames.map(encodeDelimitedJobFrame)).subarray()
    for (const size of [1, 7, 4096]) expect(await decodeAll(wire, size)).toEqual(frames)
  })

  it('an announced length over the limit is MessageTooLargeError, without buffering the body', async () => {
    let pulled = 0
    async function* source(): AsyncGenerator<Uint8Array> {
      yield Uint8Array.from([...prefix(MAX_JOB_FRAME_BYTES + 1), 1, 2, 3])
      for (;;) {
        pulled++
        yield new Uint8Array(1024)
      }
    }
    const error = await (async () => {
      for await (const _ of decodeDelimitedJobFrames(source())) return undefined
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MessageTooLargeError)
    expect((error as MessageTooLargeError).limit).toBe(MAX_JOB_FRAME_BYTES)
    expect(isRejectable(error)).toBe(true)
    expect(pulled).toBe(0)
    const small = decodeDelimitedJobFrames(pieces(Uint8Array.from([...prefix(100), 1]), 2), { maxBytes: 99 })
    await expect(small.next()).rejects.toThrow(MessageTooLargeError)
  })

  it('garbage, an endless prefix and an empty frame are MalformedMessageError', async () => {
    await expect(decodeAll(Uint8Array.of(3, 0xff, 0xff, 0xff), 2)).rejects.toThrow(MalformedMessageError)
    await expect(decodeAll(new Uint8Array(10).fill(0x80), 3)).rejects.toThrow(MalformedMessageError)
    await expect(decodeAll(Uint8Array.of(0), 1)).rejects.toThrow(MalformedMessageError)
  })

  it('a source ending inside a frame is StreamEndedError', async () => {
    const whole = encodeDelimitedJobFrame({ cancel: { jobId: 'job-0001' } }).subarray()
    for (const cut of [1, whole.byteLength - 1]) {
      const error = await decodeAll(whole.subarray(0, cut), 1).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StreamEndedError)
    }
    const [a, b] = await pair()
    a.send(Uint8Array.of(10, 1, 2))
    await a.close()
    await expect(
      (async () => {
        for await (const _ of decodeDelimitedJobFrames(b)) return
      })(),
    ).rejects.toThrow(StreamEndedError)
  })

  it('a refused frame is never encoded', () => {
    expect(() => encodeDelimitedJobFrame({})).toThrow(MalformedMessageError)
    const big = new Uint8Array(MAX_JOB_FRAME_BYTES)
    expect(() => encodeDelimitedJobFrame({ tensorChunk: { index: 0, offset: 0n, data: big } })).toThrow(
      MessageTooLargeError,
    )
    expect(() => encodeDelimitedTensorChunk(0, 0, big)).toThrow(MessageTooLargeError)
  })
})

describe('zero-copy tensor chunk frames', () => {
  const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 251)

  it('are the bytes the protons encoder produces', () => {
    for (const [index, offset, size] of [
      [0, 0, 0],
      [0, 0, 5],
      [3, 262144, 1000],
      [1, 2 ** 40, 300],
      [2 ** 32 - 1, 2 ** 40, 5000],
    ] as const) {
      const bytes = data.subarray(0, size)
      const chunk = { index, offset: BigInt(offset), data: bytes }
      expect(encodeTensorChunkFrame(index, offset, bytes).subarray()).toEqual(
        encodeJobFrame({ tensorChunk: chunk }),
      )
      expect(encodeDelimitedTensorChunk(index, offset, bytes).subarray()).toEqual(
        encodeDelimitedJobFrame({ tensorChunk: chunk }).subarray(),
      )
    }
  })

  it('hold the data they were given without copying it', () => {
    const bufs = [...encodeTensorChunkFrame(1, 2, data)]
    expect(bufs.at(-1)).toBe(data)
  })

  it('decode as the protons decoder would, keeping the arrived pieces', async () => {
    for (const [index, offset] of [
      [0, 0],
      [3, 70_000],
      [2 ** 32 - 1, 2 ** 40],
    ] as const) {
      const wire = encodeDelimitedTensorChunk(index, offset, data).subarray()
      const [frame] = await decodeAll(wire, 777)
      const chunk = frame?.tensorChunk
      expect(chunk).toBeDefined()
      if (chunk === undefined) return
      expect([...(tensorChunkParts(chunk) ?? [])].length).toBeGreaterThan(1)
      expect(chunk.index).toBe(index)
      expect(chunk.offset).toBe(BigInt(offset))
      expect(chunk.data).toEqual(data)
      expect(frame).toEqual({ tensorChunk: { index, offset: BigInt(offset), data } })
    }
  })

  it('fall back to the protons decoder for any other field layout', async () => {
    // data before index, as another encoder may write it
    const inner = new Uint8ArrayList(
      Uint8Array.of(0x1a),
      varint.encode(data.byteLength),
      data,
      Uint8Array.of(0x08, 0x02),
    )
    const body = new Uint8ArrayList(Uint8Array.of(0x2a), varint.encode(inner.byteLength), inner).subarray()
    const [frame] = await decodeAll(new Uint8ArrayList(prefix(body.byteLength), body).subarray(), 1000)
    expect(frame?.tensorChunk?.index).toBe(2)
    expect(frame?.tensorChunk?.data).toEqual(data)
    expect(frame?.tensorChunk && tensorChunkParts(frame.tensorChunk)).toBeUndefined()
    // the protons encoding of an empty chunk has no data field at all
    const empty = encodeJobFrame({ tensorChunk: TensorChunk.decode(TensorChunk.encode({ index: 1 })) })
    const [e] = await decodeAll(new Uint8ArrayList(prefix(empty.byteLength), empty).subarray(), 3)
    expect(e?.tensorChunk?.index).toBe(1)
    expect(e?.tensorChunk?.data.byteLength).toBe(0)
  })
})
