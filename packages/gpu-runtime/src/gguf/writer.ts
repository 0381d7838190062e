/**
 * A minimal GGUF v3 writer: metadata key/values and F32 tensors. Enough to
 * produce a model file that llama.cpp loads; not a general converter.
 */

const GGUF_MAGIC = 0x46554747 // "GGUF" little-endian
const GGUF_VERSION = 3
const ALIGNMENT = 32

/** GGUF metadata value types (see the GGUF spec). */
export const GgufValueType = {
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
} as const

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: string[] }
  | { type: 'f32[]'; value: ArrayLike<number> }
  | { type: 'i32[]'; value: ArrayLike<number> }

export interface GgufTensor {
  name: string
  /** ggml order: `dims[0]` is the fastest-varying dimension. */
  dims: number[]
  data: Float32Array
}

class ByteSink {
  private buf: Uint8Array
  private view: DataView
  length = 0
  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(initial)
    this.view = new DataView(this.buf.buffer)
  }
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
    this.view = new DataView(next.buffer)
  }
  u32(v: number): void {
    this.ensure(4)
    this.view.setUint32(this.length, v, true)
    this.length += 4
  }
  i32(v: number): void {
    this.ensure(4)
    this.view.setInt32(this.length, v, true)
    this.length += 4
  }
  f32(v: number): void {
    this.ensure(4)
    this.view.setFloat32(this.length, v, true)
    this.length += 4
  }
  u64(v: number): void {
    this.ensure(8)
    this.view.setBigUint64(this.length, BigInt(v), true)
    this.length += 8
  }
  u8(v: number): void {
    this.ensure(1)
    this.buf[this.length++] = v
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
  }
  str(s: string): void {
    const b = new TextEncoder().encode(s)
    this.u64(b.length)
    this.bytes(b)
  }
  pad(alignment: number): void {
    const rem = this.length % alignment
    if (rem !== 0) {
      const n = alignment - rem
      this.ensure(n)
      this.buf.fill(0, this.length, this.length + n)
      this.length += n
    }
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.length)
  }
}

function writeValue(out: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      out.u32(GgufValueType.UINT32)
      out.u32(v.value)
      return
    case 'i32':
      out.u32(GgufValueType.INT32)
      out.i32(v.value)
      return
    case 'f32':
      out.u32(GgufValueType.FLOAT32)
      out.f32(v.value)
      return
    case 'bool':
      out.u32(GgufValueType.BOOL)
      out.u8(v.value ? 1 : 0)
      return
    case 'string':
      out.u32(GgufValueType.STRING)
      out.str(v.value)
      return
    case 'string[]':
      out.u32(GgufValueType.ARRAY)
      out.u32(GgufValueType.STRING)
      out.u64(v.value.length)
      for (const s of v.value) out.str(s)
      return
    case 'f32[]':
      out.u32(GgufValueType.ARRAY)
      out.u32(GgufValueType.FLOAT32)
      out.u64(v.value.length)
      for (let i = 0; i < v.value.length; i++) out.f32(v.value[i] as number)
      return
    case 'i32[]':
      out.u32(GgufValueType.ARRAY)
      out.u32(GgufValueType.INT32)
      out.u64(v.value.length)
      for (let i = 0; i < v.value.length; i++) out.i32(v.value[i] as number)
      return
  }
}

/** Serializes a GGUF v3 file with F32 tensors. */
export function encodeGguf(metadata: Record<string, GgufValue>, tensors: GgufTensor[]): Uint8Array {
  const out = new ByteSink()
  const entries = Object.entries(metadata)
  out.u32(GGUF_MAGIC)
  out.u32(GGUF_VERSION)
  out.u64(tensors.length)
  out.u64(entries.length)
  for (const [key, value] of entries) {
    out.str(key)
    writeValue(out, value)
  }
  let offset = 0
  const offsets: number[] = []
  for (const t of tensors) {
    offsets.push(offset)
    out.str(t.name)
    out.u32(t.dims.length)
    for (const d of t.dims) out.u64(d)
    out.u32(0) // GGML_TYPE_F32
    out.u64(offset)
    offset += t.data.byteLength
    offset = Math.ceil(offset / ALIGNMENT) * ALIGNMENT
  }
  out.pad(ALIGNMENT)
  for (const t of tensors) {
    out.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
    out.pad(ALIGNMENT)
  }
  return out.result()
}
