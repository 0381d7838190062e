import {
  createRuntime,
  type InvalidConfigError,
  type Runtime,
  type RuntimeConfig,
} from '@cocoon-mesh/gpu-runtime'
import type { FeatureName, Prices } from '@cocoon-mesh/protocol'
import type { ProviderPayments } from '@cocoon-mesh/settlement'
import type { ComponentLogger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type { ProvideConfig } from '../home/config.js'
import { providedModels, runtimeModelConfig } from '../home/provide-models.js'
import { checkModels, type ModelStatus } from './model-check.js'
import { type JobService, type JobServiceComponents, type JobServiceEvent, jobService } from './provider.js'
import type { JobPriceQuery, JobRuntime } from './provider-types.js'
import type { RelayedJobsPolicy } from './relayed.js'

export interface ProviderJobsOptions {
  /** The gpu-runtime configuration (models with their GGUF/hf:/upstream sources, tensor lane). */
  runtime: RuntimeConfig
  /** The prices of a job for its model and least trust tier: jobs are never accepted below them. */
  prices: Prices | ((job: JobPriceQuery) => Prices)
  payments?: ProviderPayments
  onEvent?: (event: JobServiceEvent) => void
  /** Jobs over relayed connections (the config's `network.relay.jobs`); rejected with `RELAYED` when absent. */
  relayedJobs?: RelayedJobsPolicy
  /** The node's logger; the runtime and its backends log on it. Default `defaultLogger()`. */
  logger?: ComponentLogger
  /** Hears each model being probed and benchmarked at start. */
  onModelCheck?: (step: { model: string; phase: 'probing' | 'benchmarking' }) => void
}

export interface ProviderJobs {
  runtime: Runtime
  /** Pass to `createPeer({ services })`. */
  services: { jobs: (components: JobServiceComponents) => JobService }
  /**
   * Measured capacity for the offer: the slowest working model's tokens/s and
   * the tensor lane's GFLOP/s; undefined when no model answered.
   */
  capacity: { tokensPerSecond: number; gflops: number } | undefined
  /** What trying each configured model at start found, in config order. */
  models: ModelStatus[]
  close(): Promise<void>
}

/**
 * Errors of {@link createProviderJobs}: the gpu-runtime refuses the
 * configuration, or the benchmark cache cannot be written. A model that does
 * not answer is not an error: its status says why (the offer leaves it out).
 */
export type CreateProviderJobsErrorType = InvalidConfigError | Error

/**
 * What `cocoon node start --provide` needs to serve jobs: the configured
 * gpu-runtime (with its admission limits), each model tried and benchmarked
 * (cached), and the `/cocoon/job/1.0.0` service factory to hand to `createPeer`.
 * @throws {CreateProviderJobsErrorType}
 */
export async function createProviderJobs(options: ProviderJobsOptions): Promise<ProviderJobs> {
  const logger = options.logger ?? defaultLogger()
  const runtime = await createRuntime({ ...options.runtime, logger })
  const log = logger.forComponent('cocoon:provider-jobs')
  const models = await checkModels(runtime, options.runtime.models ?? [], {
    ...(options.runtime.home === undefined ? {} : { home: options.runtime.home }),
    ...(options.onModelCheck === undefined ? {} : { progress: options.onModelCheck }),
  })
  // the tensor lane's GFLOP/s (cached in capacity.json); LLM figures come from checkModels
  const gflops =
    options.runtime.tensor === false
      ? 0
      : await runtime.benchmark().then(
          (c) => c.gflops,
          (error: unknown) => {
            // the offer then advertises no measured GFLOP/s; tensor jobs are still served
            log.error('tensor self-benchmark failed, offering without measured GFLOP/s: %e', error)
            return 0
          },
        )
  const rates = models.flatMap((m) => (m.ok ? [m.figures.tokensPerSecond] : []))
  const given = options.prices
  const prices = typeof given === 'function' ? given : () => given
  return {
    runtime,
    models,
    // one offer covers every model, so it advertises the slowest rate a client may get
    capacity:
      rates.length === 0 && gflops === 0
        ? undefined
        : { tokensPerSecond: rates.length === 0 ? 0 : Math.min(...rates), gflops },
    services: {
      jobs: jobService({
        runtime: offeredOnly(runtime, models),
        prices,
        ...(options.payments !== undefined ? { payments: options.payments } : {}),
        ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
        ...(options.relayedJobs !== undefined ? { relayedJobs: options.relayedJobs } : {}),
      }),
    },
    close: () => runtime.close(),
  }
}

/**
 * The runtime as the job service sees it: only the models that answered at
 * start, so a job for one that did not is refused as unknown ("not served
 * here") instead of failing on the broken model.
 */
function offeredOnly(runtime: Runtime, models: readonly ModelStatus[]): JobRuntime {
  const answered = new Set(models.flatMap((m) => (m.ok ? [m.id] : [])))
  return {
    models: () => runtime.models().filter((m) => answered.has(m)),
    generate: (request) => runtime.generate(request),
    runTensor: (request) => runtime.runTensor(request),
    stats: () => runtime.stats(),
    reserve: (...args: Parameters<Runtime['reserve']>) => runtime.reserve(...args),
    features: (...args: Parameters<Runtime['features']>) => runtime.features(...args),
    contextSize: (...args: Parameters<Runtime['contextSize']>) => runtime.contextSize(...args),
    embed: (...args: Parameters<Runtime['embed']>) => runtime.embed(...args),
    embeddingModels: () => runtime.embeddingModels().filter((m) => answered.has(m)),
  }
}

/**
 * The gpu-runtime config of a provider node from its home folder: each
 * `provide.models` entry (a GGUF file, an `hf:` URI or an OpenAI-compatible
 * upstream, see provide-models.ts) with its own concurrency, context size and
 * GPU; the tensor lane is on when `jobKinds` includes `tensor`.
 * @throws {MalformedConfigError} when an upstream's API key variable is not set.
 */
export function runtimeConfigFromHome(
  home: string,
  provide: Pick<ProvideConfig, 'models' | 'jobKinds' | 'maxConcurrency'>,
  env: NodeJS.ProcessEnv = process.env,
): RuntimeConfig {
  return {
    home,
    models: providedModels(provide.models).map((m) =>
      runtimeModelConfig(home, m, { maxConcurrency: provide.maxConcurrency }, env),
    ),
    tensor: provide.jobKinds.includes('tensor') ? {} : false,
  }
}

/**
 * What an offer for `models` may promise: the features every one of their
 * backends honours, whether every one of them embeds (the `embedding` job
 * kind), and the smallest of their context sizes (0, not stated, when one
 * of them does not know its own).
 */
export function offerCapabilities(
  runtime: Pick<JobRuntime, 'features' | 'contextSize' | 'embeddingModels'>,
  models: readonly string[],
): { features: FeatureName[]; embeds: boolean; contextSize: number } {
  const perModel = models.map((m) => runtime.features?.(m) ?? [])
  const features = (perModel[0] ?? []).filter((f) => perModel.every((list) => list.includes(f)))
  const embedding = new Set(runtime.embeddingModels?.() ?? [])
  const contexts = models.flatMap((m) => runtime.contextSize?.(m) ?? [])
  return {
    features,
    embeds: models.length > 0 && models.every((m) => embedding.has(m)),
    contextSize: models.length > 0 && contexts.length === models.length ? Math.min(...contexts) : 0,
  }
}
