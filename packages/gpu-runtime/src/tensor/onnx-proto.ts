/**
 * Writes small ONNX ModelProto graphs as protobuf bytes, with no Python:
 * enough for the built-in ops and for tests that play the client. Field
 * numbers follow onnx.proto (ONNX is not our wire format, so protons is not
 * involved).
 */
import type { DType } from '../types.js'

/** ONNX TensorProto.DataType numbers. */
export const ONNX_ELEM_TYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
}

class Proto {
  private readonly parts: number[] = []
  varint(field: number, value: number): this {
    this.tag(field, 0)
    this.rawVarint(value)
    return this
  }
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value))
  }
  message(field: number, value: Proto): this {
    return this.bytes(field, value.finish())
  }
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2)
    this.rawVarint(value.length)
    for (const b of value) this.parts.push(b)
    return this
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts)
  }
  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire)
  }
  private rawVarint(value: number): void {
    let v = value
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80)
      v = Math.floor(v / 0x80)
    }
    this.parts.push(v)
  }
}

/** A dimension: a fixed size or a symbolic name (any size). */
export type OnnxDim = number | string

export interface OnnxValueInfo {
  name: string
  dtype: DType
  shape: OnnxDim[]
}

export interface OnnxNode {
  opType: string
  inputs: string[]
  outputs: string[]
  name?: string
  /** Integer attributes (e.g. `transB: 1`). */
  intAttributes?: Record<string, number>
}

export interface OnnxGraph {
  name?: string
  nodes: OnnxNode[]
  inputs: OnnxValueInfo[]
  outputs: OnnxValueInfo[]
  /** Default opset of the `ai.onnx` domain (default 13). */
  opset?: number
}

function valueInfo(v: OnnxValueInfo): Proto {
  const shape = new Proto()
  for (const d of v.shape) {
    shape.message(1, typeof d === 'number' ? new Proto().varint(1, d) : new Proto().string(2, d))
  }
  const tensorType = new Proto().varint(1, ONNX_ELEM_TYPE[v.dtype]).message(2, shape)
  return new Proto().string(1, v.name).message(2, new Proto().message(1, tensorType))
}

/** Serializes a graph as an ONNX ModelProto (IR version 8). */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const g = new Proto()
  for (const [i, n] of graph.nodes.entries()) {
    const node = new Proto()
    for (const input of n.inputs) node.string(1, input)
    for (const output of n.outputs) node.string(2, output)
    node.string(3, n.name ?? `${n.opType}_${i}`)
    node.string(4, n.opType)
    for (const [name, value] of Object.entries(n.intAttributes ?? {})) {
      // AttributeProto: name=1, i=3, type=20 (INT = 2)
      node.message(5, new Proto().string(1, name).varint(3, value).varint(20, 2))
    }
    g.message(1, node)
  }
  g.string(2, graph.name ?? 'cocoon')
  for (const input of graph.inputs) g.message(11, valueInfo(input))
  for (const output of graph.outputs) g.message(12, valueInfo(output))
  return new Proto()
    .varint(1, 8)
    .string(2, 'cocoon-mesh')
    .message(7, g)
    .message(8, new Proto().string(1, '').varint(2, graph.opset ?? 13))
    .finish()
}

/** `Y[M,N] = A[M,K] x B[K,N]` in float32 with symbolic sizes: one session serves every shape. */
export function matmulModel(): Uint8Array {
  return encodeOnnxModel({
    name: 'cocoon-matmul',
    nodes: [{ opType: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'] }],
    inputs: [
      { name: 'A', dtype: 'float32', shape: ['M', 'K'] },
      { name: 'B', dtype: 'float32', shape: ['K', 'N'] },
    ],
    outputs: [{ name: 'Y', dtype: 'float32', shape: ['M', 'N'] }],
  })
}
