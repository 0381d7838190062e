/**
 * One process of a local mesh (demo and end-to-end tests):
 * `node dist/demo/node.js '<json NodeConfig>'`. Reports `ready` (peer id,
 * addresses) and every job event of its job service to the parent over IPC.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createPeer } from '@cocoon-mesh/client/internal'
import {
  type Capacity,
  createRuntime,
  QueueFullError,
  type Runtime,
  writeTinyGguf,
} from '@cocoon-mesh/gpu-runtime'
import { errorMessage, llmCost, markHandled, type Prices, TrustTier } from '@cocoon-mesh/protocol'
import { type ProviderSettlement, startProviderSettlement } from '../cli/provider-settlement.js'
import { type JobServiceEvent, jobService } from '../jobs/provider.js'
import { offerCapabilities } from '../jobs/serve.js'

export interface NodeConfig {
  role: 'bootstrap' | 'provider'
  bootstrap?: string[]
  /** Provider: nanoTON per 1000 tokens (prompt and completion). */
  price?: string
  /** Provider: model name served. */
  model?: string
  /** Provider: GGUF path; generated (tiny random llama) when missing. */
  modelPath?: string
  /** Provider: work folder. */
  home?: string
  /** Provider: the job service rejects every job (over capacity) — for tests. */
  rejectAll?: boolean
  /** Provider: also serve tensor jobs (onnxruntime, CPU here). */
  tensor?: boolean
  /** Provider: the job service's `tokenFlushMs` (default: the service's). */
  tokenFlushMs?: number
  /**
   * Provider: be paid through payment channels on this toncenter endpoint (the
   * wallet is `<home>/wallet.mnemonic`; the claim pass runs every second and
   * claims whatever is unclaimed). Free when absent.
   */
  chainEndpoint?: string
}

export type NodeMessage =
  | { type: 'ready'; peerId: string; addrs: string[]; payoutAddress?: string }
  | { type: 'job'; event: Record<string, unknown> }
  | { type: 'log'; line: string }

/**
 * TCP for node peers and WebSockets for web pages: a browser reaches the
 * bootstrap and the providers only over `/ws`.
 */
const LISTEN = ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']

const send = (m: NodeMessage): void => {
  process.send?.(m)
}

const config = JSON.parse(process.argv[2] ?? '{}') as NodeConfig

async function main(): Promise<void> {
  if (config.role === 'bootstrap') await runBootstrap()
  else await runProvider()
}

/** A bootstrap peer: listens, reports ready, stops on SIGTERM/SIGINT or when the parent goes. */
async function runBootstrap(): Promise<void> {
  const peer = await createPeer({ listen: LISTEN, heartbeatInterval: 200 })
  send({
    type: 'ready',
    peerId: peer.libp2p.peerId.toString(),
    addrs: peer.libp2p.getMultiaddrs().map(String),
  })
  await untilStopped()
  await peer.stop()
}

/**
 * A provider: runtime on the configured (or a generated tiny) model, optional
 * payment channels, a peer offering the model; reports ready, claims what its
 * store holds, and runs until stopped.
 */
async function runProvider(): Promise<void> {
  const model = config.model ?? 'tiny'
  const home = config.home ?? join(process.cwd(), '.cocoon-demo')
  const runtime = await startRuntime(model, home)
  const capacity = await measuredCapacity(runtime)
  const perK = BigInt(config.price ?? '1000')
  const prices: Prices = { perKPromptTokens: perK, perKCompletionTokens: perK, perTensorGflop: perK }
  const endpoint = config.chainEndpoint
  const settlement = endpoint === undefined ? undefined : await startSettlement(home, endpoint, prices)
  const peer = await createProviderPeer({ model, prices, runtime, capacity, settlement })
  send({
    type: 'ready',
    peerId: peer.libp2p.peerId.toString(),
    addrs: peer.libp2p.getMultiaddrs().map(String),
    ...(settlement === undefined ? {} : { payoutAddress: settlement.wallet.address.toString() }),
  })
  // a restarted provider claims what its store holds at once, not at the first timer tick;
  // a failed pass is logged (`claim-pass-failed`) by the settlement itself
  if (settlement !== undefined)
    markHandled(settlement.claim().then(() => send({ type: 'log', line: 'claim-pass-done' })))
  await untilStopped()
  await peer.stop()
  await settlement?.close()
  await runtime.close()
}

/**
 * A one-thread llama runtime in `home` (plus CPU tensors when configured), on
 * `config.modelPath` or a tiny model generated there.
 */
async function startRuntime(model: string, home: string): Promise<Runtime> {
  await mkdir(home, { recursive: true })
  const modelPath = config.modelPath ?? join(home, `${model}.gguf`)
  if (config.modelPath === undefined) await writeTinyGguf(modelPath)
  return createRuntime({
    home,
    models: [{ kind: 'llama', name: model, source: modelPath, threads: 1, maxConcurrency: 1, maxQueue: 4 }],
    tensor: config.tensor === true ? { provider: 'cpu', threads: 1 } : false,
  })
}

/**
 * What the self-benchmark measured (cached in home), so the offer advertises a
 * measured figure; undefined when the benchmark failed (logged to the parent).
 */
async function measuredCapacity(runtime: Runtime): Promise<Capacity | undefined> {
  return runtime.benchmark().catch((error: unknown) => {
    send({
      type: 'log',
      line: `self-benchmark-failed ${errorMessage(error)}; advertising tokensPerSecond=0 (unmeasured)`,
    })
    return undefined
  })
}

/**
 * Payment channels on the toncenter `endpoint`: a credit window of 64 completion
 * tokens, and a claim pass every second that claims anything unclaimed.
 */
function startSettlement(home: string, endpoint: string, prices: Prices): Promise<ProviderSettlement> {
  return startProviderSettlement({
    home,
    endpoint,
    prices,
    creditWindow: llmCost(prices, { promptTokens: 0, completionTokens: 64 }),
    claimPolicy: { threshold: 1n, interval: 0, minClaim: 1n, feeMultiple: 0 },
    claimIntervalMs: 1_000,
    log: (line) => send({ type: 'log', line }),
  })
}

/** The peer offering `model` at `prices`, its job service on `runtime`, paid when `settlement` is set. */
function createProviderPeer(options: {
  model: string
  prices: Prices
  runtime: Runtime
  capacity: Capacity | undefined
  settlement: ProviderSettlement | undefined
}): ReturnType<typeof createPeer> {
  const { model, prices, runtime, capacity, settlement } = options
  const capabilities = offerCapabilities(runtime, [model])
  return createPeer({
    listen: LISTEN,
    heartbeatInterval: 200,
    ...(config.bootstrap !== undefined ? { bootstrap: config.bootstrap } : {}),
    provide: {
      models: [model],
      jobKinds: [
        ...(config.tensor === true ? ['llm', 'tensor'] : ['llm']),
        ...(capabilities.embeds ? ['embedding'] : []),
      ],
      features: capabilities.features,
      prices,
      maxConcurrency: 1,
      trustTier: TrustTier.TRUST_TIER_OPEN,
      tokensPerSecond: capacity?.tokensPerSecond ?? 0,
      ...(settlement === undefined
        ? {}
        : {
            payoutAddress: settlement.wallet.address.toString(),
            settlementKey: new Uint8Array(settlement.wallet.signingKey.publicKey),
          }),
    },
    services: {
      jobs: jobService({
        runtime: config.rejectAll === true ? rejectingRuntime(runtime) : runtime,
        prices: () => prices,
        onEvent: jobEventForwarder(),
        ...(settlement?.payments === undefined ? {} : { payments: settlement.payments }),
        ...(config.tokenFlushMs !== undefined ? { tokenFlushMs: config.tokenFlushMs } : {}),
      }),
    },
  })
}

/**
 * Sends job events to the parent (bigints as strings); progress only each time
 * a job passes another 16 tokens.
 */
function jobEventForwarder(): (event: JobServiceEvent) => void {
  const reported = new Map<string, number>()
  return (event) => {
    // an IPC message per token would cost the provider and the parent CPU that the job itself needs
    if (event.type === 'progress') {
      const bucket = Math.floor(event.completionTokens / 16)
      if (bucket === (reported.get(event.jobId) ?? 0)) return
      reported.set(event.jobId, bucket)
    }
    if (event.type === 'finished' || event.type === 'failed') reported.delete(event.jobId)
    send({
      type: 'job',
      event: Object.fromEntries(
        Object.entries(event).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
      ),
    })
  }
}

/** A runtime whose admission is always full (no place to reserve), so the job service rejects with OVER_CAPACITY. */
function rejectingRuntime<
  R extends {
    stats(): Record<string, { running: number; queued: number; maxConcurrency: number; maxQueue: number }>
  },
>(runtime: R): R {
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      if (prop === 'stats') {
        return () =>
          Object.fromEntries(
            Object.entries(target.stats()).map(([k, s]) => [
              k,
              { ...s, running: s.maxConcurrency, queued: s.maxQueue },
            ]),
          )
      }
      if (prop === 'reserve') {
        return (key: string) => {
          throw new QueueFullError(`Queue full for ${key}`, {
            details: 'this demo provider rejects every job',
          })
        }
      }
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve())
    process.once('SIGINT', () => resolve())
    process.once('disconnect', () => resolve())
  })
}

await main()
process.exit(0)
