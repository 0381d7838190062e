/**
 * Tensor jobs end to end with real processes over TCP: a bootstrap peer and
 * provider processes serving tensor jobs with the gpu-runtime's onnxruntime
 * backend (CPU), found through the gossip order book by an in-test light
 * client (`createLightPeer(...).runTensorJob(...)`). Results are checked
 * number by number against a JavaScript reference.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeOnnxModel, type Tensor } from '@cocoon-mesh/gpu-runtime'
import {
  createLightPeer,
  FrameWriter,
  JobFailedError,
  type LightPeer,
  type LocalMesh,
  type MeshNode,
  readFrames,
  sendTensors,
  startLocalMesh,
  tensorHeader,
} from '@cocoon-mesh/peer'
import { JOB_PROTOCOL, JobErrorCode, type JobFrame, JobKind, TrustTier } from '@cocoon-mesh/protocol'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

const MODEL = 'tiny'
const cleanups: Array<() => Promise<unknown>> = []
let home: string

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cocoon-e2e-tensor-'))
})
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {})
})
afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

async function mesh(prices: string[]): Promise<LocalMesh> {
  const m = await startLocalMesh({
    providers: prices.map((price) => ({ price, tensor: true })),
    home: await mkdtemp(join(home, 'mesh-')),
  })
  cleanups.push(() => m.stop())
  return m
}

/** A light client whose order book holds every provider's offer (waits on book changes). */
async function client(m: LocalMesh): Promise<LightPeer> {
  const c = await createLightPeer({ bootstrap: m.bootstrapAddrs })
  cleanups.push(() => c.stop())
  const book = c.peer.orderBook
  book.watch(MODEL)
  for (;;) {
    const changed = new Promise<void>((resolve) =>
      book.addEventListener('change', () => resolve(), { once: true }),
    )
    if (book.offers(MODEL).length >= m.providers.length) return c
    // a cold-start lookup (DHT + direct fetch) besides gossip; either changes the book
    void c.offers(MODEL).catch(() => undefined)
    await changed
  }
}

/** A float32 matrix of small integers: every product sum is exact in float32. */
function matrix(name: string, rows: number, cols: number, seed: number): Tensor {
  const v = new Float32Array(rows * cols)
  for (let i = 0; i < v.length; i++) v[i] = ((i * 7 + seed * 13) % 11) - 5
  return { name, dtype: 'float32', shape: [rows, cols], data: new Uint8Array(v.buffer) }
}

function floats(t: Tensor | undefined): Float32Array {
  if (t === undefined) throw new Error('missing output tensor')
  return new Float32Array(t.data.slice().buffer)
}

/** (A x B)[i][j] in JavaScript. */
function dot(a: Tensor, b: Tensor, i: number, j: number): number {
  const [, k = 0] = a.shape
  const [, n = 0] = b.shape
  const av = floats(a)
  const bv = floats(b)
  let sum = 0
  for (let x = 0; x < k; x++) sum += (av[i * k + x] as number) * (bv[x * n + j] as number)
  return sum
}

/** Opens a raw job stream to `provider` and sends a tensor JobRequest with one input. */
async function rawTensorJob(c: LightPeer, provider: MeshNode, jobId: string) {
  const addr = provider.addrs[0]
  if (addr === undefined) throw new Error('provider has no address')
  const stream = await c.peer.libp2p.dialProtocol(multiaddr(addr), JOB_PROTOCOL)
  const writer = new FrameWriter(stream)
  await writer.write({
    request: {
      version: 1,
      jobId,
      kind: JobKind.JOB_KIND_TENSOR,
      model: MODEL,
      budget: 0n,
      channel: '',
      deadline: 0n,
      minTrustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
      tensor: { op: 'matmul', inputCount: 1, outputNames: [] },
    },
  })
  return { stream, writer }
}

async function allFrames(stream: Parameters<typeof readFrames>[0]): Promise<JobFrame[]> {
  const seen: JobFrame[] = []
  for await (const f of readFrames(stream)) seen.push(f)
  return seen
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
    const expected = new Float32Array(33 * 17)
    for (let i = 0; i < 33; i++) for (let j = 0; j < 17; j++) expected[i * 17 + j] = dot(a, b, i, j)
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
    const c = await client(m)
    // 16 MiB per input: the job is still streaming in (or computing) when the kill lands
    const a = matrix('A', 1024, 4096, 6)
    const b = matrix('B', 4096, 1024, 7)
    const cheap = m.providers[0] as MeshNode
    void cheap.waitForEvent((e) => e.type === 'accepted').then(() => cheap.kill())
    const { outputs, usage } = await c.runTensorJob({ model: MODEL, op: 'matmul', inputs: [a, b] })
    expect(usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([
      [cheap.peerId, 'failed'],
      [m.providers[1]?.peerId, 'completed'],
    ])
    expect(cheap.proc.signalCode).toBe('SIGKILL')
    expect(outputs[0]?.shape).toEqual([1024, 1024])
    const y = floats(outputs[0])
    // spot-check entries (corners, diagonal, a stride) against JavaScript
    for (const [i, j] of [
      [0, 0],
      [0, 1023],
      [1023, 0],
      [1023, 1023],
      ...Array.from({ length: 32 }, (_, n) => [n * 31, (n * 97) % 1024] as [number, number]),
    ] as Array<[number, number]>) {
      expect(y[i * 1024 + j]).toBe(dot(a, b, i, j))
    }
    expect(usage.gflop).toBeCloseTo((2 * 1024 * 4096 * 1024) / 1e9, 6)
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
    const expected = new Float32Array(6)
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) expected[i * 2 + j] = dot(a, b, i, j)
    expect(floats(ok.outputs[0])).toEqual(expected)
  })
})
