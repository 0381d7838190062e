import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readFloat32 } from '@cocoon-mesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CAPACITY_FILE } from '../../src/benchmark.js'
import { AbortedError, ModelNotFoundError, QueueFullError, UnknownModelError } from '../../src/errors.js'
import { createRuntime, TENSOR_LANE } from '../../src/runtime.js'
import { float32Tensor } from '../../src/tensor/tensor.js'
import type { Runtime, TokenChunk } from '../../src/types.js'
import { cpuHardware, recordingLogger, tempDir, tinyModel } from '../helpers.js'

describe('runtime: admission in front of real backends', () => {
  let runtime: Runtime
  let tmp: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    tmp = await tempDir()
    const path = await tinyModel(tmp.dir)
    runtime = await createRuntime({
      home: tmp.dir,
      hardware: cpuHardware,
      models: [
        {
          kind: 'llama',
          name: 'tiny',
          source: path,
          threads: 1,
          contextSize: 512,
          maxConcurrency: 1,
          maxQueue: 1,
        },
      ],
      tensor: { threads: 1 },
    })
  })

  afterAll(async () => {
    await runtime?.close()
    await tmp?.cleanup()
  })

  it('runs one job, queues the next and rejects the excess with QueueFullError', async () => {
    const controllerA = new AbortController()
    const a = runtime.generate({ model: 'tiny', prompt: 'first', maxTokens: 400, signal: controllerA.signal })
    const itA = a[Symbol.asyncIterator]()
    const firstA = await itA.next() // A is running now
    expect(firstA.done).toBe(false)
    const b = runtime.generate({ model: 'tiny', prompt: 'second', maxTokens: 5 })
    expect(runtime.stats().tiny).toMatchObject({ running: 1, queued: 1 })
    expect(() => runtime.generate({ model: 'tiny', prompt: 'third', maxTokens: 5 })).toThrow(QueueFullError)
    controllerA.abort()
    await expect(
      (async () => {
        for (let r = await itA.next(); r.done !== true; r = await itA.next()) {
          // drain until the abort surfaces
        }
      })(),
    ).rejects.toBeInstanceOf(AbortedError)
    const chunks: TokenChunk[] = []
    for await (const c of b) chunks.push(c)
    expect((await b.usage).completionTokens).toBe(5)
    expect((await a.result).finishReason).toBe('abort')
    expect(runtime.stats().tiny).toMatchObject({ running: 0, queued: 0 })
  })

  it('a job aborted while queued never runs', async () => {
    const a = runtime.generate({ model: 'tiny', prompt: 'first', maxTokens: 30 })
    const controller = new AbortController()
    const b = runtime.generate({ model: 'tiny', prompt: 'queued', maxTokens: 30, signal: controller.signal })
    controller.abort()
    await expect(
      (async () => {
        for await (const _ of b) {
          // nothing should arrive
        }
      })(),
    ).rejects.toBeInstanceOf(AbortedError)
    expect((await b.usage).completionTokens).toBe(0)
    for await (const _ of a) {
      // drain
    }
    expect((await a.usage).completionTokens).toBe(30)
  })

  it('unknown models are typed errors', () => {
    expect(() => runtime.generate({ model: 'nope', prompt: 'x', maxTokens: 1 })).toThrow(UnknownModelError)
  })

  it('runs tensor jobs through the tensor lane', async () => {
    const result = await runtime.runTensor({
      op: 'matmul',
      inputs: [
        float32Tensor('A', [1, 2], Float32Array.of(1, 2)),
        float32Tensor('B', [2, 1], Float32Array.of(3, 4)),
      ],
    })
    expect([...readFloat32(result.outputs[0] as NonNullable<(typeof result.outputs)[0]>)]).toEqual([11])
    expect(runtime.stats()[TENSOR_LANE]).toMatchObject({ running: 0, queued: 0 })
  })

  it('self-benchmark measures tokens/s and GFLOP/s and caches them in home', async () => {
    const capacity = await runtime.benchmark()
    expect(capacity.tokensPerSecond).toBeGreaterThan(0)
    expect(capacity.gflops).toBeGreaterThan(0)
    expect(capacity.llmBackend).toBe('llama.cpp/cpu')
    expect(capacity.tensorProvider).toBe('cpu')
    const cached = JSON.parse(await readFile(join(tmp.dir, CAPACITY_FILE), 'utf8'))
    expect(cached).toEqual(capacity)
    // Same key: served from the cache, not re-measured.
    expect(await runtime.benchmark()).toEqual(capacity)
  })
})

describe('runtime logging', () => {
  it('its backends log through the logger it was given, each under its own component', async () => {
    const { logger, lines } = recordingLogger()
    const runtime = await createRuntime({
      hardware: cpuHardware,
      logger,
      models: [{ kind: 'llama', name: 'missing', source: '/nonexistent/model.gguf' }],
      tensor: false,
    })
    try {
      const stream = runtime.generate({ model: 'missing', prompt: 'x', maxTokens: 1 })
      await expect(stream.result).rejects.toBeInstanceOf(ModelNotFoundError)
      expect(lines).toContainEqual({ component: 'cocoon:gpu-runtime:llama', format: 'loading %s from %s' })
    } finally {
      await runtime.close()
    }
  })
})
