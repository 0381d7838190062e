import { createHash } from 'node:crypto'
import { DType, encodeJobFrame, type JobFrame, TensorChunk } from '@cocoon-mesh/protocol'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import {
  encodeFrame,
  encodeTensorChunkFrame,
  readFrames,
  TensorAssembler,
  TensorHashMismatchError,
  tensorChunkParts,
} from '../../src/jobs/index.js'

/** Splits `bytes` into pieces of `size` (as noise messages split a frame on the wire). */
async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.slice(i, i + size)
}

async function collect(bytes: Uint8Array, size: number): Promise<JobFrame[]> {
  const frames: JobFrame[] = []
  for await (const f of readFrames(pieces(bytes, size))) frames.push(f)
  return frames
}

const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 251)

describe('sent tensor chunks (zero-copy encoding)', () => {
  it('have the same bytes as the protobuf encoder', () => {
    for (const [index, offset, size] of [
      [0, 0, 0],
      [0, 0, 5],
      [3, 262144, 1000],
      [1, 2 ** 40, 300],
    ] as const) {
      const bytes = new Uint8Array(size).map((_, i) => i)
      const expected = encodeFrame({ tensorChunk: { index, offset: BigInt(offset), data: bytes } }).subarray()
      expect(encodeTensorChunkFrame(index, offset, bytes).subarray()).toEqual(expected)
    }
  })
})

describe('received tensor chunks', () => {
  it('decode as the protobuf decoder would, keeping the arrived pieces', async () => {
    for (const [index, offset] of [
      [0, 0],
      [3, 70_000],
      [2 ** 32 - 1, 2 ** 40],
    ] as const) {
      const wire = encodeTensorChunkFrame(index, offset, data).subarray()
      const [frame] = await collect(wire, 777)
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

  it('fall back to the protobuf decoder for any other field layout', async () => {
    // data before index, as another encoder may write it
    const inner = new Uint8ArrayList(
      Uint8Array.of(0x1a),
      varint.encode(data.byteLength),
      data,
      Uint8Array.of(0x08, 0x02),
    )
    const body = new Uint8ArrayList(Uint8Array.of(0x2a), varint.encode(inner.byteLength), inner).subarray()
    const wire = new Uint8ArrayList(varint.encode(body.byteLength), body).subarray()
    const [frame] = await collect(wire, 1000)
    expect(frame?.tensorChunk?.index).toBe(2)
    expect(frame?.tensorChunk?.data).toEqual(data)
    expect(frame?.tensorChunk && tensorChunkParts(frame.tensorChunk)).toBeUndefined()
    // the protobuf encoding of an empty chunk has no data field at all
    const empty = encodeJobFrame({ tensorChunk: TensorChunk.decode(TensorChunk.encode({ index: 1 })) })
    const [e] = await collect(new Uint8ArrayList(varint.encode(empty.byteLength), empty).subarray(), 3)
    expect(e?.tensorChunk?.index).toBe(1)
    expect(e?.tensorChunk?.data.byteLength).toBe(0)
  })

  for (const [where, offloadMinBytes] of [
    ['on the stream thread', Number.POSITIVE_INFINITY],
    ['on the tensor worker', 0],
  ] as const) {
    it(`are reassembled from their pieces and checked against the sha256 (${where})`, async () => {
      const frames = (half: Uint8Array): Uint8Array =>
        new Uint8ArrayList(
          ...[encodeTensorChunkFrame(0, 0, half), encodeTensorChunkFrame(0, half.byteLength, half)],
        ).subarray()
      const half = data.subarray(0, 2500)
      const whole = new Uint8Array([...half, ...half])
      const sha = new Uint8Array(createHash('sha256').update(whole).digest())
      const header = {
        tensorHeader: { name: 'x', dtype: DType.DTYPE_UINT8, shape: [5000n], byteLength: 5000n, sha256: sha },
      }
      const good = new TensorAssembler(1, 10_000, { offloadMinBytes })
      good.push(header)
      for await (const f of readFrames(pieces(frames(half), 333))) good.push(f)
      expect(good.done).toBe(true)
      const [tensor] = await good.complete()
      expect(tensor?.data).toEqual(whole)
      expect(tensor?.shape).toEqual([5000])

      const bad = new TensorAssembler(1, 10_000, { offloadMinBytes })
      bad.push({ tensorHeader: { ...header.tensorHeader, sha256: new Uint8Array(32) } })
      for await (const f of readFrames(pieces(frames(half), 333))) bad.push(f)
      expect(bad.done).toBe(true)
      await expect(bad.complete()).rejects.toBeInstanceOf(TensorHashMismatchError)
    })
  }

  it('the tensor worker keeps several tensors apart, in order, and forgets a dropped one', async () => {
    const tensors = [0, 1, 2].map((i) => new Uint8Array(3000 + i * 1000).map((_, j) => (j * (i + 3)) % 251))
    const assembler = new TensorAssembler(3, 10_000, { offloadMinBytes: 0 })
    for (const [index, bytes] of tensors.entries()) {
      assembler.push({
        tensorHeader: {
          name: `t${index}`,
          dtype: DType.DTYPE_UINT8,
          shape: [BigInt(bytes.byteLength)],
          byteLength: BigInt(bytes.byteLength),
          sha256: new Uint8Array(createHash('sha256').update(bytes).digest()),
        },
      })
      for (let offset = 0; offset < bytes.byteLength; offset += 700)
        assembler.push({
          tensorChunk: { index, offset: BigInt(offset), data: bytes.slice(offset, offset + 700) },
        })
    }
    const out = await assembler.complete()
    expect(out.map((t) => t.name)).toEqual(['t0', 't1', 't2'])
    expect(out.map((t) => t.data)).toEqual(tensors)

    // a tensor dropped half-way: the worker forgets it and still serves the next one
    const dropped = new TensorAssembler(1, 10_000, { offloadMinBytes: 0 })
    dropped.push({
      tensorHeader: {
        name: 'gone',
        dtype: DType.DTYPE_UINT8,
        shape: [4000n],
        byteLength: 4000n,
        sha256: new Uint8Array(32),
      },
    })
    dropped.push({ tensorChunk: { index: 0, offset: 0n, data: new Uint8Array(1000) } })
    dropped.drop()
    const again = new TensorAssembler(1, 10_000, { offloadMinBytes: 0 })
    const bytes = new Uint8Array(2000).fill(9)
    again.push({
      tensorHeader: {
        name: 'next',
        dtype: DType.DTYPE_UINT8,
        shape: [2000n],
        byteLength: 2000n,
        sha256: new Uint8Array(createHash('sha256').update(bytes).digest()),
      },
    })
    again.push({ tensorChunk: { index: 0, offset: 0n, data: bytes } })
    expect((await again.complete())[0]?.data).toEqual(bytes)
  })
})
