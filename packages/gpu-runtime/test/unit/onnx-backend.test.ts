import { readFloat32 } from '@cocoon-mesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  GraphInvalidError,
  GraphTooLargeError,
  TensorMalformedError,
  TensorShapeError,
  TensorTooLargeError,
} from '../../src/errors.js'
import { mulberry32 } from '../../src/gguf/prng.js'
import { createOnnxBackend, type OnnxTensorBackend } from '../../src/tensor/onnx-backend.js'
import { encodeOnnxModel } from '../../src/tensor/onnx-proto.js'
import { float32Tensor } from '../../src/tensor/tensor.js'
import type { HardwareInfo } from '../../src/types.js'
import { cpuHardware } from '../helpers.js'

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const r = mulberry32(seed)
  return Float32Array.from({ length: rows * cols }, () => r() * 2 - 1)
}

function jsMatmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n)
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p] as number
      for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] as number) + av * (b[p * n + j] as number)
    }
  return out
}

describe('onnxruntime tensor backend (CPU)', () => {
  let backend: OnnxTensorBackend

  beforeAll(() => {
    backend = createOnnxBackend({
      hardware: cpuHardware,
      threads: 1,
      maxGraphBytes: 4096,
      maxTensorBytes: 1 << 20,
    })
  })
  afterAll(async () => {
    await backend?.close()
  })

  it('matmul matches a plain-JS reference', async () => {
    const [m, k, n] = [37, 64, 23]
    const a = randomMatrix(m, k, 1)
    const b = randomMatrix(k, n, 2)
    const result = await backend.run({
      op: 'matmul',
      inputs: [float32Tensor('A', [m, k], a), float32Tensor('B', [k, n], b)],
    })
    expect(result.provider).toBe('cpu')
    expect(result.backend).toBe('onnxruntime/cpu')
    expect(result.gflop).toBeCloseTo((2 * m * k * n) / 1e9, 12)
    const y = result.outputs[0]
    expect(y?.shape).toEqual([m, n])
    const got = readFloat32(y as NonNullable<typeof y>)
    const want = jsMatmul(a, b, m, k, n)
    let maxErr = 0
    for (let i = 0; i < want.length; i++)
      maxErr = Math.max(maxErr, Math.abs((got[i] as number) - (want[i] as number)))
    expect(maxErr).toBeLessThan(1e-4)
  })

  it('runs a client-supplied ONNX graph', async () => {
    const graph = encodeOnnxModel({
      nodes: [
        { opType: 'Add', inputs: ['x', 'y'], outputs: ['s'] },
        { opType: 'Mul', inputs: ['s', 'x'], outputs: ['z'] },
      ],
      inputs: [
        { name: 'x', dtype: 'float32', shape: [4] },
        { name: 'y', dtype: 'float32', shape: [4] },
      ],
      outputs: [
        { name: 's', dtype: 'float32', shape: [4] },
        { name: 'z', dtype: 'float32', shape: [4] },
      ],
    })
    const x = Float32Array.from([1, 2, 3, 4])
    const y = Float32Array.from([10, 20, 30, 40])
    const result = await backend.run({
      op: 'onnx',
      graph,
      inputs: [float32Tensor('x', [4], x), float32Tensor('y', [4], y)],
      outputNames: ['z'],
    })
    expect(result.outputs.map((o) => o.name)).toEqual(['z'])
    expect([...readFloat32(result.outputs[0] as NonNullable<(typeof result.outputs)[0]>)]).toEqual([
      11, 44, 99, 176,
    ])
    expect(result.provider).toBe('cpu')
  })

  it('bad graphs, wrong shapes and oversize tensors are typed errors; the backend keeps serving', async () => {
    const ok = [
      float32Tensor('A', [2, 3], new Float32Array(6)),
      float32Tensor('B', [3, 2], new Float32Array(6)),
    ]
    await expect(
      backend.run({ op: 'onnx', graph: Uint8Array.from([1, 2, 3, 4, 5]), inputs: [] }),
    ).rejects.toBeInstanceOf(GraphInvalidError)
    await expect(
      backend.run({ op: 'onnx', graph: new Uint8Array(5000).fill(8), inputs: [] }),
    ).rejects.toBeInstanceOf(GraphTooLargeError)
    await expect(
      backend.run({
        op: 'matmul',
        inputs: [
          float32Tensor('A', [2, 3], new Float32Array(6)),
          float32Tensor('B', [2, 3], new Float32Array(6)),
        ],
      }),
    ).rejects.toBeInstanceOf(TensorShapeError)
    await expect(
      backend.run({
        op: 'matmul',
        inputs: [{ name: 'A', dtype: 'float32', shape: [2, 3], data: new Uint8Array(7) }, ok[1]!],
      }),
    ).rejects.toBeInstanceOf(TensorMalformedError)
    await expect(
      backend.run({
        op: 'matmul',
        inputs: [float32Tensor('A', [512, 1024], new Float32Array(512 * 1024)), ok[1]!],
      }),
    ).rejects.toBeInstanceOf(TensorTooLargeError)
    const fixed = encodeOnnxModel({
      nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }],
      inputs: [{ name: 'x', dtype: 'float32', shape: [4] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [4] }],
    })
    await expect(
      backend.run({ op: 'onnx', graph: fixed, inputs: [float32Tensor('x', [5], new Float32Array(5))] }),
    ).rejects.toBeInstanceOf(TensorShapeError)
    await expect(
      backend.run({ op: 'onnx', graph: fixed, inputs: [float32Tensor('nope', [4], new Float32Array(4))] }),
    ).rejects.toBeInstanceOf(TensorShapeError)
    const again = await backend.run({ op: 'matmul', inputs: ok })
    expect(again.outputs[0]?.shape).toEqual([2, 2])
  })

  it('falls back to CPU when CUDA is requested but not installed, and says so', async () => {
    const gpuBox: HardwareInfo = {
      ...cpuHardware,
      gpus: [{ index: 0, name: 'NVIDIA Test', vramMb: 8192, driverVersion: '550.0' }],
    }
    const cuda = createOnnxBackend({ hardware: gpuBox, provider: 'cuda', threads: 1 })
    try {
      const result = await cuda.run({
        op: 'matmul',
        inputs: [
          float32Tensor('A', [1, 1], Float32Array.of(3)),
          float32Tensor('B', [1, 1], Float32Array.of(4)),
        ],
      })
      // This machine has the CPU-only onnxruntime-node build.
      expect(result.provider).toBe('cpu')
      expect(cuda.provider()).toBe('cpu')
      expect([...readFloat32(result.outputs[0] as NonNullable<(typeof result.outputs)[0]>)]).toEqual([12])
    } finally {
      await cuda.close()
    }
  })
})
