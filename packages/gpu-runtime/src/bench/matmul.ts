/**
 * float32 matmul 1024^3 GFLOP/s through the runtime (admission, validation,
 * tensor conversion) vs onnxruntime-node directly on the same graph, best
 * of interleaved rounds.
 */
import { reportBench } from '@cocoon-mesh/protocol'
import * as ort from 'onnxruntime-node'
import { mulberry32 } from '../gguf/prng.js'
import { detectHardware } from '../hardware.js'
import { createRuntime } from '../runtime.js'
import { matmulModel } from '../tensor/onnx-proto.js'
import { float32Tensor } from '../tensor/tensor.js'
import { best } from './util.js'

const N = 1024
const ROUNDS = 11

export async function benchMatmul(): Promise<void> {
  const hardware = await detectHardware()
  const threads = Math.max(1, hardware.cpu.cores - 1)
  const r = mulberry32(7)
  const a = Float32Array.from({ length: N * N }, () => r() - 0.5)
  const b = Float32Array.from({ length: N * N }, () => r() - 0.5)
  const gflop = (2 * N * N * N) / 1e9

  const session = await ort.InferenceSession.create(matmulModel(), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  })
  const feeds = { A: new ort.Tensor('float32', a, [N, N]), B: new ort.Tensor('float32', b, [N, N]) }
  const direct = async (): Promise<number> => {
    const t0 = performance.now()
    await session.run(feeds)
    return gflop / ((performance.now() - t0) / 1000)
  }

  const runtime = await createRuntime({
    hardware: { ...hardware, gpus: [] },
    tensor: { provider: 'cpu', threads },
  })
  const inputs = [float32Tensor('A', [N, N], a), float32Tensor('B', [N, N], b)]
  const viaRuntime = async (): Promise<number> => {
    const t0 = performance.now()
    await runtime.runTensor({ op: 'matmul', inputs })
    return gflop / ((performance.now() - t0) / 1000)
  }

  await direct()
  await viaRuntime()
  const x: number[] = []
  const y: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    x.push(await direct())
    y.push(await viaRuntime())
  }
  reportBench({
    bench: `gpu-runtime/matmul 1024^3 fp32 GFLOP/s (${threads} thread, cpu): runtime vs onnxruntime`,
    value: best(y),
    unit: 'GFLOP/s',
    baseline: best(x),
  })
  await runtime.close()
  await session.release()
}
