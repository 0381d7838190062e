/**
 * Tensor jobs end to end with real processes over TCP: a bootstrap peer and
 * provider processes serving tensor jobs with the gpu-runtime's onnxruntime
 * backend (CPU), found through the gossip order book by an in-test light
 * client (`createLightPeer(...).runTensorJob(...)`). Results are checked
 * number by number against a JavaScript reference.
 */
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { createLightPeer, type JobEvent, JobFailedError, type LightPeer } from '@cocoon-mesh/client'
import { sendTensors, tensorHeader } from '@cocoon-mesh/client/internal'
import { encodeOnnxModel } from '@cocoon-mesh/gpu-runtime'
import { type LocalMesh, type MeshNode, startLocalMesh } from '@cocoon-mesh/peer'
import { JobErrorCode } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { connectToProviders, NEVER_EXPLORE, waitForOffers } from './support/offers.js'
import { useScratchHome } from './support/scratch-home.js'
import { allFrames, cliNode, exitOf, killOnNextAccept, MODEL, rawTensorJob } from './support/tensor-mesh.js'
import { dot, floats, matmul, matrix } from './support/tensors.js'

const scratch = useScratchHome('cocoon-e2e-tensor-')
const { cleanups } = scratch

async function mesh(prices: string[]): Promise<LocalMesh> {
  const m = await startLocalMesh({
    providers: prices.map((price) => ({ price, tensor: true })),
    home: await mkdtemp(join(scratch.home, 'mesh-')),
  })
  cleanups.push(() => m.stop())
  return m
}

/** A light client whose order book holds every provider's offer (waits on book changes). */
async function client(m: LocalMesh, onEvent?: (event: JobEvent) => void): Promise<LightPeer> {
  const c = await createLightPeer({
    bootstrap: m.bootstrapAddrs,
    // these tests name which provider serves each job: no exploration of unknown providers
    random: NEVER_EXPLORE,
    ...(onEvent === undefined ? {} : { onEvent }),
  })
  cleanups.push(() => c.stop())
  await waitForOffers(c, MODEL, m.providers.length)
  await connectToProviders(c, m.providers)
  return c
}

describe('tensor jobs over the mesh (real processes, TCP, onnxruntime)', () => {
  it('a matmul and a client ONNX graph are computed by the cheaper provider, exactly', async () => {
    const m = await mesh(['3000', '1000'])
    const c = await client(m)
    const a = matrix('A', 33, 64, 1)
    const b = matrix('B', 64, 17, 2)
    const { outputs, usage } = await c.runTensorJob({ model: MODEL, op: 'matmul', inputs: [a, b] })
    expect(outputs).toHaveLength(1)
    expect(outputs[0]?.shape).toEqual([33, 17])
    const y = floats(outputs[0])
    const expected = matmul(a, b)
    expect(y).toEqual(expected)
    expect(usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([[m.providers[1]?.peerId, 'completed']])
    expect(usage.gflop).toBeCloseTo((2 * 33 * 64 * 17) / 1e9, 12)
    expect(usage.backend).toContain('onnxruntime')
    expect(m.providers[0]?.events.filter((e) => e.type === 'accepted')).toEqual([])

    // Y = X + B, Z = X x W: a graph the client ships with the job
    const graph = encodeOnnxModel({
      nodes: [
        { opType: 'Add', inputs: ['X', 'B'], outputs: ['Y'] },
        { opType: 'MatMul', inputs: ['X', 'W'], outputs: ['Z'] },
      ],
      inputs: [
        { name: 'X', dtype: 'float32', shape: [4, 3] },
        { name: 'B', dtype: 'float32', shape: [4, 3] },
        { name: 'W', dtype: 'float32', shape: [3, 2] },
      ],
      outputs: [
        { name: 'Y', dtype: 'float32', shape: [4, 3] },
        { name: 'Z', dtype: 'float32', shape: [4, 2] },
      ],
    })
    const x = matrix('X', 4, 3, 3)
    const bias = matrix('B', 4, 3, 4)
    const w = matrix('W', 3, 2, 5)
    const onnx = await c.runTensorJob({
      model: MODEL,
      op: 'onnx',
      graph,
      inputs: [x, bias, w],
      outputNames: ['Y', 'Z'],
    })
    expect(onnx.outputs.map((t) => [t.name, t.shape])).toEqual([
      ['Y', [4, 3]],
      ['Z', [4, 2]],
    ])
    expect(floats(onnx.outputs[0])).toEqual(floats(x).map((v, i) => v + (floats(bias)[i] as number)))
    const z = new Float32Array(8)
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) z[i * 2 + j] = dot(x, w, i, j)
    expect(floats(onnx.outputs[1])).toEqual(z)
  })

  it('re-runs on the other provider when the serving one is SIGKILLed mid-job', async () => {
    const m = await mesh(['1000', '2000'])
    const killer = killOnNextAccept((id) => m.providers.find((p) => p.peerId === id)?.kill())
    const c = await client(m, killer.onEvent)
    const a = matrix('A', 512, 2048, 6)
    const b = matrix('B', 2048, 512, 7)
    killer.armed = true
    const { outputs, usage } = await c.runTensorJob({ model: MODEL, op: 'matmul', inputs: [a, b] })
    const cheap = m.providers[0] as MeshNode
    expect(usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([
      [cheap.peerId, 'failed'],
      [m.providers[1]?.peerId, 'completed'],
    ])
    expect(await exitOf(cheap.proc)).toBe('SIGKILL')
    expect(outputs[0]?.shape).toEqual([512, 512])
    const y = floats(outputs[0])
    // spot-check entries (corners and a spread) against JavaScript
    for (const [i, j] of [
      [0, 0],
      [0, 511],
      [511, 0],
      [511, 511],
      ...Array.from({ length: 32 }, (_, n) => [n * 15, (n * 97) % 512] as [number, number]),
    ] as Array<[number, number]>) {
      expect(y[i * 512 + j]).toBe(dot(a, b, i, j))
    }
    expect(usage.gflop).toBeCloseTo((2 * 512 * 2048 * 512) / 1e9, 6)
  })

  it('answers a hash mismatch and an oversized tensor with typed errors; neither side crashes', async () => {
    const m = await mesh(['1000'])
    const c = await client(m)
    const provider = m.providers[0] as MeshNode

    // 1. a tensor whose bytes do not match the header's sha256
    const bad = await rawTensorJob(c, provider, 'hash-mismatch')
    const t = matrix('A', 8, 8, 1)
    await bad.writer.write({ tensorHeader: { ...tensorHeader(t), sha256: new Uint8Array(32) } })
    await sendTensors(
      { write: async (f) => (f.tensorChunk !== undefined ? bad.writer.write(f) : undefined) },
      [t],
    )
    const mismatch = await allFrames(bad.stream)
    expect(mismatch[0]?.accept).toBeDefined()
    expect(mismatch.at(-1)?.error?.code).toBe(JobErrorCode.JOB_ERROR_CODE_HASH_MISMATCH)
    expect(
      (await provider.waitForEvent((e) => e.jobId === 'hash-mismatch' && e.type === 'failed')).code,
    ).toBe(JobErrorCode.JOB_ERROR_CODE_HASH_MISMATCH)

    // 2. a header announcing 256 MiB (above the provider's tensor limit): refused before any data
    const big = await rawTensorJob(c, provider, 'too-large')
    const huge = tensorHeader({ name: 'A', dtype: 'float32', shape: [1, 1], data: new Uint8Array(4) })
    await big.writer.write({
      tensorHeader: { ...huge, shape: [8192n, 8192n], byteLength: BigInt(8192 * 8192 * 4) },
    })
    const tooLarge = await allFrames(big.stream)
    expect(tooLarge.at(-1)?.error?.code).toBe(JobErrorCode.JOB_ERROR_CODE_TOO_LARGE)

    // 3. through the SDK: a 64 MiB + 16 KiB input is a client fault, not retried elsewhere
    const oversized = await c
      .runTensorJob({
        model: MODEL,
        op: 'matmul',
        inputs: [matrix('A', 4097, 4096, 1), matrix('B', 4096, 1, 2)],
      })
      .catch((e: unknown) => e)
    expect(oversized).toBeInstanceOf(JobFailedError)
    expect((oversized as JobFailedError).jobErrorCode).toBe(JobErrorCode.JOB_ERROR_CODE_TOO_LARGE)

    // the provider process is alive and still computes correctly
    expect(provider.proc.exitCode).toBeNull()
    expect(provider.proc.signalCode).toBeNull()
    const a = matrix('A', 3, 5, 8)
    const b = matrix('B', 5, 2, 9)
    const ok = await c.runTensorJob({ model: MODEL, op: 'matmul', inputs: [a, b] })
    const expected = matmul(a, b)
    expect(floats(ok.outputs[0])).toEqual(expected)
  })
})

describe('the cocoon CLI as a tensor provider (real processes, TCP)', () => {
  it('`cocoon node start --provide` serves tensor jobs; a SIGKILL after accepting re-runs the job elsewhere', async () => {
    // a plain node to join through, as in a real mesh (the client must still reach the
    // second provider once the first, killed, is gone)
    const entry = await cliNode(scratch, undefined)
    const [first, second] = await Promise.all([
      cliNode(scratch, '1000', [entry.addr]),
      cliNode(scratch, '2000', [entry.addr]),
    ])
    const killer = killOnNextAccept((id) =>
      [first, second].find((n) => n.peerId === id)?.proc.kill('SIGKILL'),
    )
    const c = await createLightPeer({
      bootstrap: [entry.addr],
      onEvent: killer.onEvent,
      random: NEVER_EXPLORE,
    })
    cleanups.push(() => c.stop())
    await waitForOffers(c, MODEL, 2)

    const a = matrix('A', 7, 9, 10)
    const b = matrix('B', 9, 4, 11)
    const served = await c.runTensorJob({ model: MODEL, op: 'matmul', inputs: [a, b] })
    const expected = matmul(a, b)
    expect(floats(served.outputs[0])).toEqual(expected)
    expect(served.usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([[first.peerId, 'completed']])

    killer.armed = true
    const big = [matrix('A', 512, 2048, 12), matrix('B', 2048, 256, 13)] as const
    const rerun = await c.runTensorJob({ model: MODEL, op: 'matmul', inputs: [...big] })
    expect(rerun.usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([
      [first.peerId, 'failed'],
      [second.peerId, 'completed'],
    ])
    expect(await exitOf(first.proc)).toBe('SIGKILL')
    const y = floats(rerun.outputs[0])
    for (const [i, j] of [
      [0, 0],
      [511, 255],
      [100, 7],
      [257, 128],
    ] as Array<[number, number]>) {
      expect(y[i * 256 + j]).toBe(dot(big[0], big[1], i, j))
    }
  })
})
