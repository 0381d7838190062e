import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import {
  AbortedError,
  AllRejectedError,
  createLightNode,
  DeadlineExceededError,
  FrameWriter,
  JobFailedError,
  readFrames,
  runLlmJob,
  runTensorJob,
  sendTensors,
  tensorHeader,
} from '@cocoon-mesh/client/internal'
import {
  encodeDelimitedJobFrame,
  JOB_PROTOCOL,
  JobErrorCode,
  type JobFrame,
  JobKind,
  RejectReason,
  TrustTier,
  UNSIGNED_JOB_REQUEST,
} from '@cocoon-mesh/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { waitForEvent } from '../../../../test-support/wait.ts'
import { contextFor, startProvider, type TestProvider } from '../fixtures/mesh.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.allSettled(stops.splice(0).map((s) => s()))
})

async function provider(
  price: bigint,
  init: Parameters<typeof startProvider>[1] = {},
): Promise<TestProvider> {
  const p = await startProvider(price, init)
  stops.push(() => p.peer.stop())
  return p
}

async function client(): Promise<CocoonPeer> {
  const c = await createLightNode({ gossip: false })
  stops.push(() => c.stop())
  return c
}

async function collect(job: AsyncIterable<{ text: string }>): Promise<string> {
  let text = ''
  for await (const chunk of job) text += chunk.text
  return text
}

function matrix(rows: number, cols: number, seed: number) {
  const v = new Float32Array(rows * cols).map((_, i) => ((i * 7 + seed) % 13) - 6)
  return { name: `m${seed}`, dtype: 'float32' as const, shape: [rows, cols], data: new Uint8Array(v.buffer) }
}

describe('job protocol over libp2p (TCP, noise, yamux)', () => {
  it('serves an LLM job from the cheaper provider and reports usage and cost', async () => {
    const dear = await provider(2000n)
    const cheap = await provider(1000n)
    const c = await client()
    const job = runLlmJob(contextFor(c.libp2p, [dear, cheap]), { model: 'tiny', prompt: 'hi', maxTokens: 5 })
    const text = await collect(job)
    const usage = await job.usage
    expect(text).toBe('token-0 token-1 token-2 token-3 token-4 ')
    expect(usage.completionTokens).toBe(5)
    expect(usage.promptTokens).toBe(10)
    expect(usage.parts.map((p) => p.providerId)).toEqual([cheap.peer.libp2p.peerId.toString()])
    expect(usage.cost).toBe(15n) // (10 + 5) tokens at 1000 per 1k
    expect(dear.runtime.requests).toHaveLength(0)
  })

  it('fails over mid-generation and continues the caller stream with the text already received', async () => {
    const first = await provider(1000n)
    const second = await provider(2000n)
    const c = await client()
    first.runtime.gate = async (i) => {
      if (i === 3) {
        await first.peer.stop() // the provider dies mid-job
        await new Promise(() => {})
      }
    }
    const job = runLlmJob(
      { ...contextFor(c.libp2p, [first, second]), stallLimits: { firstTokenMs: 5_000, idleMs: 5_000 } },
      {
        model: 'tiny',
        prompt: 'hi',
        maxTokens: 6,
      },
    )
    const text = await collect(job)
    const usage = await job.usage
    expect(text).toBe('token-0 token-1 token-2 token-3 token-4 token-5 ')
    expect(usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([
      [first.peer.libp2p.peerId.toString(), 'failed'],
      [second.peer.libp2p.peerId.toString(), 'completed'],
    ])
    // whatever reached the client before the provider died is re-sent as continuation
    const fromFirst = usage.parts[0]?.completionTokens ?? 0
    expect(fromFirst).toBeGreaterThan(0)
    expect(fromFirst + (usage.parts[1]?.completionTokens ?? 0)).toBe(6)
    expect(second.runtime.requests[0]?.continuation).toBe(
      text
        .split(' ')
        .slice(0, fromFirst)
        .map((t) => `${t} `)
        .join(''),
    )
    expect(second.runtime.requests[0]?.maxTokens).toBe(6 - fromFirst)
  })

  it('skips a provider that rejects (its service price is above its advertised offer)', async () => {
    const liar = await provider(500n, { servicePrice: 5000n })
    const honest = await provider(1000n)
    const c = await client()
    const job = runLlmJob(contextFor(c.libp2p, [liar, honest]), { model: 'tiny', prompt: 'x', maxTokens: 2 })
    await collect(job)
    const usage = await job.usage
    expect(usage.parts.map((p) => p.outcome)).toEqual(['rejected', 'completed'])
    expect(usage.parts[0]?.error).toContain('ERR_JOB_REJECTED')
  })

  it('throws AllRejectedError with typed reasons when every provider rejects', async () => {
    const a = await provider(500n, { servicePrice: 5000n })
    const c = await client()
    const job = runLlmJob(contextFor(c.libp2p, [a]), { model: 'tiny', prompt: 'x', maxTokens: 2 })
    const err = await collect(job).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AllRejectedError)
    expect((err as AllRejectedError).rejections[0]?.reason).toBe(RejectReason.REJECT_REASON_PRICE_TOO_LOW)
  })

  it('cancellation resets the stream and the provider stops within a token', async () => {
    const p = await provider(1000n)
    const c = await client()
    const controller = new AbortController()
    let release!: () => void
    const paused = new Promise<void>((r) => {
      release = r
    })
    p.runtime.gate = async (i) => {
      if (i === 2) await paused
      else await new Promise((r) => setImmediate(r))
    }
    const job = runLlmJob(contextFor(c.libp2p, [p]), {
      model: 'tiny',
      prompt: 'x',
      maxTokens: 1000,
      signal: controller.signal,
    })
    const seen: string[] = []
    const err = await (async () => {
      for await (const chunk of job) {
        seen.push(chunk.text)
        if (seen.length === 2) controller.abort()
      }
    })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AbortedError)
    // wait until the provider noticed the reset (its generation signal aborted), then let it run
    await generationAborted(p, "the provider's generation signal to abort on the stream reset")
    release()
    await expect
      .poll(() => p.runtime.running, {
        timeout: 10_000,
        interval: 10,
        message: 'provider generations running',
      })
      .toBe(0)
    expect(p.runtime.produced).toBe(2)
    expect(p.runtime.aborted).toBe(1)
  })

  it('runs a tensor job with sha256-verified inputs and outputs', async () => {
    const p = await provider(1000n)
    const c = await client()
    const a = matrix(3, 4, 1)
    const b = matrix(4, 2, 2)
    const { outputs, usage } = await runTensorJob(contextFor(c.libp2p, [p]), {
      model: 'tiny',
      op: 'matmul',
      inputs: [a, b],
    })
    expect(outputs[0]?.shape).toEqual([3, 2])
    const expected = await p.runtime.runTensor({ op: 'matmul', inputs: [a, b] })
    expect(outputs[0]?.data).toEqual(expected.outputs[0]?.data)
    expect(usage.gflop).toBeCloseTo(48 / 1e9)
    expect(usage.cost).toBe(1n)
  })

  it('answers garbage, a hash mismatch and an unknown model with typed errors and keeps serving', async () => {
    const p = await provider(1000n)
    const c = await client()
    // 1. garbage bytes
    const garbage = await c.libp2p.dialProtocol(p.addrs, JOB_PROTOCOL)
    garbage.send(new Uint8Array([5, 0xff, 0xff, 0xff, 0xff, 0xff]))
    const g = await firstFrame(garbage)
    expect(g?.error?.code ?? g?.reject?.reason).toBeDefined()
    // 2. a tensor whose bytes do not match the header hash
    const bad = await c.libp2p.dialProtocol(p.addrs, JOB_PROTOCOL)
    const writer = new FrameWriter(bad)
    await writer.write({
      request: {
        version: 1,
        jobId: 'j1',
        kind: JobKind.JOB_KIND_TENSOR,
        model: 'tiny',
        budget: 0n,
        channel: '',
        deadline: 0n,
        minTrustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
        ...UNSIGNED_JOB_REQUEST,
        tensor: { op: 'matmul', inputCount: 1, outputNames: [] },
      },
    })
    const m = matrix(2, 2, 3)
    await writer.write({ tensorHeader: { ...tensorHeader(m), sha256: new Uint8Array(32) } })
    await sendTensors(
      { write: async (f) => (f.tensorChunk !== undefined ? writer.write(f) : undefined) } as FrameWriter,
      [m],
    )
    const frames = readFrames(bad)
    const seen: JobFrame[] = []
    for await (const f of frames) seen.push(f)
    expect(seen[0]?.accept).toBeDefined()
    expect(seen.at(-1)?.error?.code).toBe(JobErrorCode.JOB_ERROR_CODE_HASH_MISMATCH)
    // 3. unknown model
    const job = runLlmJob(
      { ...contextFor(c.libp2p, [{ ...p, offer: { ...p.offer, models: ['other'] } }]) },
      { model: 'other', prompt: 'x', maxTokens: 1 },
    )
    const err = await collect(job).catch((e: unknown) => e)
    expect((err as AllRejectedError).rejections[0]?.reason).toBe(RejectReason.REJECT_REASON_UNKNOWN_MODEL)
    // still serving
    const ok = runLlmJob(contextFor(c.libp2p, [p]), { model: 'tiny', prompt: 'x', maxTokens: 2 })
    expect(await collect(ok)).toBe('token-0 token-1 ')
  })

  it('fails over when a provider sends garbage', async () => {
    const good = await provider(2000n)
    const evil = await provider(1000n)
    await evil.peer.libp2p.unhandle(JOB_PROTOCOL)
    await evil.peer.libp2p.handle(JOB_PROTOCOL, (stream) => {
      stream.send(encodeDelimitedJobFrame({ accept: { jobId: 'x', creditWindow: 0n, queueDepth: 0 } }))
      stream.send(new Uint8Array([3, 0xde, 0xad, 0xbe]))
    })
    const c = await client()
    const job = runLlmJob(contextFor(c.libp2p, [good, evil]), { model: 'tiny', prompt: 'x', maxTokens: 2 })
    expect(await collect(job)).toBe('token-0 token-1 ')
    const usage = await job.usage
    expect(usage.parts.map((p) => p.outcome)).toEqual(['failed', 'completed'])
    expect(usage.parts[0]?.error).toContain('ERR_MALFORMED_MESSAGE')
  })

  it('rejects a deadline that already passed and stops a job whose deadline passes mid-generation', async () => {
    const p = await provider(1000n)
    const c = await client()
    p.runtime.gate = (i) => (i === 2 ? new Promise(() => {}) : new Promise((r) => setImmediate(r)))
    const ctx = contextFor(c.libp2p, [p])
    const late = runLlmJob(ctx, { model: 'tiny', prompt: 'x', maxTokens: 5, deadline: Date.now() + 400 })
    const err = await collect(late).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DeadlineExceededError)
    await generationAborted(p, "the provider's generation signal to abort at the deadline")
    // a deadline in the past never reaches a provider
    const past = runLlmJob(ctx, { model: 'tiny', prompt: 'x', maxTokens: 5, deadline: Date.now() - 1 })
    expect(await collect(past).catch((e: unknown) => e)).toBeInstanceOf(DeadlineExceededError)
    expect(p.runtime.requests).toHaveLength(1)
  })

  it('answers an oversized input tensor with a typed TOO_LARGE error', async () => {
    const p = await provider(1000n, { maxTensorBytes: 32 })
    const c = await client()
    const err = await runTensorJob(contextFor(c.libp2p, [p]), {
      model: 'tiny',
      op: 'matmul',
      inputs: [matrix(4, 4, 1), matrix(4, 4, 2)],
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(JobFailedError)
    expect((err as JobFailedError).jobErrorCode).toBe(JobErrorCode.JOB_ERROR_CODE_TOO_LARGE)
  })

  it('fails over when a provider accepts above the price it offered', async () => {
    const good = await provider(2000n)
    const greedy = await provider(1000n)
    await greedy.peer.libp2p.unhandle(JOB_PROTOCOL)
    await greedy.peer.libp2p.handle(JOB_PROTOCOL, (stream) => {
      const price = { perKPromptTokens: 99_000n, perKCompletionTokens: 99_000n, perTensorGflop: 0n }
      stream.send(encodeDelimitedJobFrame({ accept: { jobId: 'x', price, creditWindow: 0n, queueDepth: 0 } }))
    })
    const c = await client()
    const job = runLlmJob(contextFor(c.libp2p, [good, greedy]), { model: 'tiny', prompt: 'x', maxTokens: 2 })
    expect(await collect(job)).toBe('token-0 token-1 ')
    const usage = await job.usage
    // quoting above its own offer counts as cheating in the provider's record
    expect(usage.parts.map((p) => p.outcome)).toEqual(['cheated', 'completed'])
    expect(usage.parts[0]?.error).toContain('ERR_PRICE_ABOVE_OFFER')
  })

  it('a client-fault JobError is not retried elsewhere', async () => {
    const strict = await provider(1000n)
    // a dearer provider that serves what the strict one refuses (matmul of a single input)
    const lenient = await provider(2000n)
    let lenientRuns = 0
    lenient.runtime.runTensor = async () => {
      lenientRuns++
      const out = new Uint8Array(new Float32Array([1]).buffer)
      return {
        outputs: [{ name: 'out', dtype: 'float32', shape: [1, 1], data: out }],
        provider: 'cpu',
        gflop: 0,
        backend: 'lenient',
      }
    }
    const c = await client()
    const request = { model: 'tiny', op: 'matmul' as const, inputs: [matrix(2, 3, 1)] }
    // on its own the lenient provider serves the request, so a retry would succeed
    await expect(runTensorJob(contextFor(c.libp2p, [lenient]), request)).resolves.toBeDefined()
    expect(lenientRuns).toBe(1)

    const context = contextFor(c.libp2p, [strict, lenient])
    const dialed: string[] = []
    const err = await runTensorJob(
      {
        ...context,
        dial: (providerId, offer, signal) => {
          dialed.push(providerId)
          return context.dial(providerId, offer, signal)
        },
      },
      request,
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(JobFailedError)
    expect((err as JobFailedError).jobErrorCode).toBe(JobErrorCode.JOB_ERROR_CODE_BAD_INPUT)
    expect(dialed).toEqual([strict.peer.libp2p.peerId.toString()])
    expect(lenientRuns).toBe(1)
  })
})

async function firstFrame(stream: Parameters<typeof readFrames>[0]): Promise<JobFrame | undefined> {
  for await (const f of readFrames(stream)) return f
  return undefined
}

/** Resolves once the generation signal of the provider's first request aborts. */
function generationAborted(p: TestProvider, what: string): Promise<void> {
  const signal = p.runtime.requests[0]?.signal
  if (signal === undefined) throw new Error('the provider got no generation request with a signal')
  return waitForEvent(signal, 'abort', () => signal.aborted, { what, timeoutMs: 10_000 })
}
