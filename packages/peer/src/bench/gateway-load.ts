/**
 * Time to first token under load: 200 concurrent streaming chat requests
 * through the gateway to two in-process providers (the generated tiny model,
 * one thread, 1 running + 16 queued each), against the same 200 requests sent
 * straight to one provider's runtime (its queue sized to hold them all).
 * p50 and p95 are reported, each with its baseline measured in the same run;
 * 503s (every provider busy past the gateway's wait) are counted, not timed.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import { buildOffer, createLightPeer, createPeer } from '@cocoon-mesh/client/internal'
import { createRuntime, type Runtime, writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { type Offer, reportBench } from '@cocoon-mesh/protocol'
import { startGateway } from '../gateway/server.js'
import { type JobService, jobService } from '../jobs/provider.js'

const MODEL = 'tiny'
const REQUESTS = 200
const MAX_TOKENS = 8
const PRICE = { perKPromptTokens: 1000n, perKCompletionTokens: 1000n, perTensorGflop: 0n }

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0
}

async function runtimeFor(modelPath: string, home: string, maxQueue: number): Promise<Runtime> {
  return createRuntime({
    home,
    models: [{ kind: 'llama', name: MODEL, source: modelPath, threads: 1, maxConcurrency: 1, maxQueue }],
    tensor: false,
  })
}

/** A provider node serving `runtime`, and its offer. */
async function provider(runtime: Runtime): Promise<{ peer: CocoonPeer<{ jobs: JobService }>; offer: Offer }> {
  const peer = await createPeer<{ jobs: JobService }>({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    gossip: false,
    services: { jobs: jobService({ runtime, prices: () => PRICE }) },
  })
  const offer = buildOffer(
    { models: [MODEL], prices: PRICE, tokensPerSecond: 200, features: runtime.features(MODEL) },
    { provider: peer.libp2p.peerId.toMultihash().bytes, now: Date.now(), ttlMs: 600_000, sequence: 1n },
  )
  return { peer, offer }
}

/** Milliseconds from sending to the first content delta of one streaming request, or undefined for a non-200. */
async function gatewayFirstToken(url: string): Promise<number | undefined> {
  const t0 = performance.now()
  const res = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: MAX_TOKENS,
      stream: true,
    }),
  })
  if (res.status !== 200 || res.body === null) {
    await res.body?.cancel()
    return undefined
  }
  let first: number | undefined
  const decoder = new TextDecoder()
  for await (const bytes of res.body) {
    if (first === undefined && decoder.decode(bytes).includes('"content":"')) first = performance.now() - t0
  }
  return first
}

async function directFirstToken(runtime: Runtime): Promise<number> {
  const t0 = performance.now()
  let first: number | undefined
  const stream = runtime.generate({
    model: MODEL,
    messages: [{ role: 'user', content: 'hi' }],
    maxTokens: MAX_TOKENS,
  })
  for await (const _ of stream) first ??= performance.now() - t0
  return first ?? performance.now() - t0
}

export async function gatewayLoadBench(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'cocoon-bench-gateway-'))
  const modelPath = join(home, `${MODEL}.gguf`)
  await writeTinyGguf(modelPath)
  const runtimes = await Promise.all([
    runtimeFor(modelPath, join(home, 'a'), 16),
    runtimeFor(modelPath, join(home, 'b'), 16),
    runtimeFor(modelPath, join(home, 'direct'), REQUESTS),
  ])
  const [a, b, direct] = runtimes as [Runtime, Runtime, Runtime]
  const providers = [await provider(a), await provider(b)]
  const offers = providers.map((p) => p.offer)
  const client = await createLightPeer({ gossip: false, offerSource: { offers: () => offers } })
  try {
    for (const p of providers) await client.peer.libp2p.dial(p.peer.libp2p.getMultiaddrs())
    const gateway = await startGateway({
      generate: (params) => client.generate(params),
      offers: () => offers,
    })
    try {
      // warm: load the models, open the connections
      await Promise.all([
        gatewayFirstToken(gateway.url),
        gatewayFirstToken(gateway.url),
        directFirstToken(direct),
      ])
      const viaGateway = await Promise.all(
        Array.from({ length: REQUESTS }, () => gatewayFirstToken(gateway.url)),
      )
      const straight = await Promise.all(Array.from({ length: REQUESTS }, () => directFirstToken(direct)))
      const served = viaGateway.filter((t): t is number => t !== undefined)
      for (const [q, name] of [
        [0.5, 'p50'],
        [0.95, 'p95'],
      ] as const) {
        reportBench({
          bench: `peer/gateway-ttft-${name}-200-concurrent-two-providers`,
          value: quantile(served, q),
          unit: 'ms',
          baseline: quantile(straight, q),
          better: 'lower',
        })
      }
      reportBench({
        bench: 'peer/gateway-200-concurrent-served-share',
        value: served.length / REQUESTS,
        unit: 'share',
      })
    } finally {
      await gateway.close()
    }
  } finally {
    await client.stop()
    for (const p of providers) await p.peer.stop()
    for (const r of runtimes) await r.close()
    await rm(home, { recursive: true, force: true })
  }
}
