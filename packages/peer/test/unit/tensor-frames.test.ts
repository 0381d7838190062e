import { createHash } from 'node:crypto'
import { readFrames, TensorAssembler, TensorHashMismatchError } from '@cocoon-mesh/client/internal'
import { DType, encodeDelimitedTensorChunk } from '@cocoon-mesh/protocol'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'

/** Splits `bytes` into pieces of `size` (as noise messages split a frame on the wire). */
async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.slice(i, i + size)
}

const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 251)

describe('received tensor chunks', () => {
  for (const [where, offloadMinBytes] of [
    ['on the stream thread', Number.POSITIVE_INFINITY],
    ['on the tensor worker', 0],
  ] as const) {
    it(`are reassembled from their pieces and checked against the sha256 (${where})`, async () => {
      const frames = (half: Uint8Array): Uint8Array =>
        new Uint8ArrayList(
          ...[encodeDelimitedTensorChunk(0, 0, half), encodeDelimitedTensorChunk(0, half.byteLength, half)],
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
