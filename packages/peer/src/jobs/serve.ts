import { join } from 'node:path'
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
import { type JobService, type JobServiceComponents, type JobServiceEvent, jobService } from './provider.js'
import type { JobRuntime } from './provider-types.js'

export interface ProviderJobsOptions {
  /** The gpu-runtime configuration (models with their GGUF/hf:/upstream sources, tensor lane). */
  runtime: RuntimeConfig
  /** The offer prices: jobs are never accepted below them. */
  prices: Prices | (() => Prices)
  payments?: ProviderPayments
  onEvent?: (event: JobServiceEvent) => void
  /** The node's logger; the runtime and its backends log on it. Default `defaultLogger()`. */
  logger?: ComponentLogger
}

export interface ProviderJobs {
  runtime: Runtime
  /** Pass to `createPeer({ services })`. */
  services: { jobs: (components: JobServiceComponents) => JobService }
  /** Measured capacity for the offer (`tokensPerSecond`, `gflops`); undefined when the self-benchmark failed. */
  capacity: { tokensPerSecond: number; gflops: number } | undefined
  close(): Promise<void>
}

/**
 * Errors of {@link createProviderJobs}: the gpu-runtime refuses the
 * configuration (models load on first use, not here). A failed self-benchmark
 * is not an error: `capacity` is undefined then.
 */
export type CreateProviderJobsErrorType = InvalidConfigError

/**
 * What `cocoon node start --provide` needs to serve jobs: the configured
 * gpu-runtime (with its admission limits), its self-benchmark for the offer,
 * and the `/cocoon/job/1.0.0` service factory to hand to `createPeer`.
 * Throws {@link CreateProviderJobsErrorType}.
 */
export async function createProviderJobs(options: ProviderJobsOptions): Promise<ProviderJobs> {
  const logger = options.logger ?? defaultLogger()
  const runtime = await createRuntime({ ...options.runtime, logger })
  const log = logger.forComponent('cocoon:provider-jobs')
  const capacity = await runtime.benchmark().then(
    (c) => ({ tokensPerSecond: c.tokensPerSecond, gflops: c.gflops }),
    (error: unknown) => {
      // the offer then advertises no measured rate; jobs are still served
      log.error('self-benchmark failed, offering without a measured capacity: %e', error)
      return undefined
    },
  )
  const prices = typeof options.prices === 'function' ? options.prices : () => options.prices as Prices
  return {
    runtime,
    capacity,
    services: {
      jobs: jobService({
        runtime,
        prices,
        ...(options.payments !== undefined ? { payments: options.payments } : {}),
        ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
      }),
    },
    close: () => runtime.close(),
  }
}

/** Where `cocoon node start --provide` looks for a provided model's weights: `<home>/models/<name>.gguf`. */
export const PROVIDER_MODELS_DIR = 'models'

/**
 * The gpu-runtime config of a provider node from its home folder: each
 * provided model name is served from `<home>/models/<name>.gguf` with
 * node-llama-cpp; the tensor lane is on when `jobKinds` includes `tensor`.
 */
export function runtimeConfigFromHome(
  home: string,
  provide: { models: string[]; jobKinds: string[]; maxConcurrency: number },
): RuntimeConfig {
  return {
    home,
    models: provide.models.map((name) => ({
      kind: 'llama' as const,
      name,
      source: join(home, PROVIDER_MODELS_DIR, `${name}.gguf`),
      maxConcurrency: Math.max(1, provide.maxConcurrency),
    })),
    tensor: provide.jobKinds.includes('tensor') ? {} : false,
  }
}

/**
 * What an offer for `models` may promise: the features every one of their
 * backends honours, and whether every one of them embeds (the `embedding`
 * job kind).
 */
export function offerCapabilities(
  runtime: Pick<JobRuntime, 'features' | 'embeddingModels'>,
  models: readonly string[],
): { features: FeatureName[]; embeds: boolean } {
  const perModel = models.map((m) => runtime.features?.(m) ?? [])
  const features = (perModel[0] ?? []).filter((f) => perModel.every((list) => list.includes(f)))
  const embedding = new Set(runtime.embeddingModels?.() ?? [])
  return { features, embeds: models.length > 0 && models.every((m) => embedding.has(m)) }
}
