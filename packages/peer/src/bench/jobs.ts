import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLightPeer, type LightPeer } from '@cocoon-mesh/client/internal'
import { createRuntime, float32Tensor, type Runtime, writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { reportBench } from '@cocoon-mesh/protocol'
import { startLocalMesh } from '../demo/mesh.js'

const MODEL = 'tiny'
const FRAME_PER_TOKEN_MODEL = 'tiny-frame-per-token'

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? 0
}

/**
 * Job benchmarks against a provider process on loopback:
 * - warm tensor job round trip with 1 KB in and 1 KB out vs the same call on
 *   a runtime in this process;
 * - cold first job: a new light client joining through the bootstrap peer,
 *   finding the offer and receiving the first token;
 * - LLM tokens/s through the mesh vs the runtime directly (same model file,
 *   one thread each, first token to last), with the job service's token
 *   batching (default `tokenFlushMs`) and with one frame per token.
 */
export async function jobsBench(options: { roundTrips?: number; tokens?: number } = {}): Promise<void> {
  const roundTrips = options.roundTrips ?? 200
  const tokens = options.tokens ?? 400
  const home = await mkdtemp(join(tmpdir(), 'cocoon-bench-jobs-'))
  const modelPath = join(home, `${MODEL}.gguf`)
  await writeTinyGguf(modelPath)
  const local = await createRuntime({
    home: join(home, 'local'),
    models: [{ kind: 'llama', name: MODEL, source: modelPath, threads: 1, maxConcurrency: 1 }],
    tensor: { provider: 'cpu', threads: 1 },
  })
  const mesh = await startLocalMesh({
    providers: [
      { price: '1000', tensor: true, modelPath },
      // the same model under another name, sending one frame per produced token (tokenFlushMs 0)
      { price: '1000', model: FRAME_PER_TOKEN_MODEL, modelPath, tokenFlushMs: 0 },
    ],
    home,
  })
  try {
    const coldStart = performance.now()
    const client = await createLightPeer({ bootstrap: mesh.bootstrapAddrs })
    try {
      await coldFirstJobBench(client, coldStart)
      await warmTensorRoundTripBench(client, local, roundTrips)
      await tokensPerSecondBench(client, local, tokens)
    } finally {
      await client.stop()
    }
  } finally {
    await mesh.stop()
    await local.close()
    await rm(home, { recursive: true, force: true })
  }
}

/** Cold: from `coldStart` (before the client was created) through discovering the offer to the first token. */
async function coldFirstJobBench(client: LightPeer, coldStart: number): Promise<void> {
  for (;;) {
    if ((await client.offers(MODEL)).length > 0) break
    await new Promise((r) => setTimeout(r, 20))
  }
  let coldFirstToken = 0
  const job = client.generate({ model: MODEL, prompt: 'cold', maxTokens: 1 })
  for await (const _ of job) coldFirstToken ||= performance.now() - coldStart
  reportBench({
    bench: 'peer/cold-first-job-incl-discovery',
    value: coldFirstToken,
    unit: 'ms',
    better: 'lower',
  })
}

/** Warm tensor round trip, 1 KB in (16x16 float32 and identity) and 1 KB out, vs the same call on `local`. */
async function warmTensorRoundTripBench(
  client: LightPeer,
  local: Runtime,
  roundTrips: number,
): Promise<void> {
  const a = float32Tensor(
    'a',
    [16, 16],
    new Float32Array(256).map((_, i) => i % 7),
  )
  const identity = float32Tensor(
    'b',
    [16, 16],
    new Float32Array(256).map((_, i) => (i % 17 === 0 ? 1 : 0)),
  )
  const meshTimes: number[] = []
  const localTimes: number[] = []
  // the first 10 round trips warm up and are not counted
  for (let i = 0; i < roundTrips + 10; i++) {
    const t0 = performance.now()
    await client.runTensorJob({ model: MODEL, op: 'matmul', inputs: [a, identity] })
    const t1 = performance.now()
    await local.runTensor({ op: 'matmul', inputs: [a, identity] })
    const t2 = performance.now()
    if (i >= 10) {
      meshTimes.push(t1 - t0)
      localTimes.push(t2 - t1)
    }
  }
  reportBench({
    bench: 'peer/warm-tensor-job-1kb-round-trip',
    value: median(meshTimes),
    unit: 'ms',
    baseline: median(localTimes),
    better: 'lower',
  })
}

/** LLM tokens/s (first token to last) through the mesh, batched and frame per token, vs `local` directly. */
async function tokensPerSecondBench(client: LightPeer, local: Runtime, tokens: number): Promise<void> {
  const meshRates: number[] = []
  const framePerTokenRates: number[] = []
  const localRates: number[] = []
  for (let i = 0; i < 5; i++) {
    meshRates.push(await rate(client.generate({ model: MODEL, prompt: 'count', maxTokens: tokens, seed: i })))
    framePerTokenRates.push(
      await rate(
        client.generate({ model: FRAME_PER_TOKEN_MODEL, prompt: 'count', maxTokens: tokens, seed: i }),
      ),
    )
    localRates.push(await rate(local.generate({ model: MODEL, prompt: 'count', maxTokens: tokens, seed: i })))
  }
  reportBench({
    bench: 'peer/llm-tokens-per-second-through-mesh',
    value: median(meshRates),
    unit: 'tokens/s',
    baseline: median(localRates),
  })
  reportBench({
    bench: 'peer/llm-tokens-per-second-through-mesh-frame-per-token',
    value: median(framePerTokenRates),
    unit: 'tokens/s',
    baseline: median(localRates),
  })
}

/** Tokens per second of `stream` from its first chunk to its end. */
async function rate(stream: AsyncIterable<{ tokens: number }>): Promise<number> {
  let first = 0
  let n = 0
  for await (const chunk of stream) {
    if (n === 0) first = performance.now()
    n += chunk.tokens
  }
  return (n - 1) / ((performance.now() - first) / 1000)
}
