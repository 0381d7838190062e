import type { Stream } from '@libp2p/interface'
import { lpStream, streamPair } from '@libp2p/utils'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import {
  isRejectable,
  type JobFrame,
  jobFrameStream,
  MAX_JOB_FRAME_BYTES,
  MalformedMessageError,
  MessageTooLargeError,
  StreamEndedError,
  TENSOR_CHUNK_SIZE,
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

describe('jobFrameStream', () => {
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
    await provider.write({ accept: { jobId: 'job-0001', creditWindow: 10n } })
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
