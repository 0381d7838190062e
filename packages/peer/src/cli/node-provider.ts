/** The provider half of a node: its offer template, settlement and job service, from the config. */

import { join } from 'node:path'
import type { OfferTemplate } from '@cocoon-mesh/client/internal'
import { type LlmModelConfig, pullModel } from '@cocoon-mesh/gpu-runtime'
import { errorLine, tierPrices } from '@cocoon-mesh/protocol'
import { chainApiKeyFromEnv, chainEndpointFromEnv } from '@cocoon-mesh/settlement'
import type { ComponentLogger, Metrics } from '@libp2p/interface'
import type { NodeConfig } from '../home/config.js'
import { ModelUnavailableError } from '../home/errors.js'
import { offerModelPrices, PROVIDER_MODELS_DIR, providedModelIds } from '../home/provide-models.js'
import type { ModelStatus } from '../jobs/model-check.js'
import {
  createProviderJobs,
  offerCapabilities,
  type ProviderJobs,
  runtimeConfigFromHome,
} from '../jobs/serve.js'
import { attestProvider } from './node-attestation.js'
import { logJobEvent, type NodeLog } from './node-log.js'
import { type ClaimPass, type ProviderSettlement, startProviderSettlement } from './provider-settlement.js'
import type { RunNodeOptions } from './run-node.js'
import type { Teardown } from './teardown.js'
import { TEST_MODEL_ID } from './try-model.js'

/** What a providing node runs besides the peer: its offer template, settlement and job service. */
export interface ProviderParts {
  template: OfferTemplate
  settlement: ProviderSettlement
  jobs: ProviderJobs
}

/** Where the provider part reports: the node's metrics and logger, and the dashboard's claim feed. */
export interface Observers {
  metrics: Metrics | undefined
  logger: ComponentLogger
  onClaimPass?: (pass: ClaimPass) => void
}

/**
 * Starts the provider part: the offer template from the config, the
 * settlement (wallet, payments, claim timer) and the job runtime, each
 * registering its stop on `teardown` as soon as it runs.
 */
export async function startProvider(
  options: RunNodeOptions,
  log: NodeLog,
  teardown: Teardown,
  observe: Observers,
): Promise<ProviderParts> {
  const template = await offerTemplateFromConfig(options.config)
  const settlement = await startSettlement(options, template, log, observe)
  teardown.defer('settlement', () => settlement.close())
  if (template.settlementKey !== undefined) {
    const { home, privateKey, config } = options
    const own = {
      home,
      privateKey,
      settlementKey: template.settlementKey,
      config: config.attestation,
      logger: observe.logger,
    }
    await attestProvider(own, template, log)
  }
  const jobs = await startJobs(options, template, settlement, log, observe.logger)
  teardown.defer('job runtime', () => jobs.close())
  return { template, settlement, jobs }
}

/** What the config says this node serves, with the GPU found by gpu-runtime's detectHardware. */
export async function offerTemplateFromConfig(config: NodeConfig): Promise<OfferTemplate> {
  const p = config.provide
  let gpu = { model: 'cpu', vramMb: 0, backend: 'cpu' }
  try {
    const { detectHardware } = await import('@cocoon-mesh/gpu-runtime')
    const hw = await detectHardware({ timeoutMs: 3000 })
    const first = hw.gpus[0]
    gpu =
      first === undefined
        ? { model: hw.cpu.model, vramMb: 0, backend: 'cpu' }
        : { model: first.name, vramMb: first.vramMb, backend: 'cuda' }
  } catch {
    // hardware detection is best effort
  }
  const models = providedModelIds(p.models)
  return {
    models,
    jobKinds: p.jobKinds,
    // the node's own prices; a model priced otherwise is quoted at its own in `modelPrices`
    prices: p.prices,
    modelPrices: offerModelPrices(p.prices, p.models, models),
    gpu,
    maxConcurrency: Math.max(1, p.maxConcurrency),
    region: p.region,
    payoutAddress: p.payoutAddress,
  }
}

/** The provider settlement options the config's "settlement" section sets. */
export function settlementFromConfig(config: NodeConfig): NonNullable<RunNodeOptions['settlement']> {
  const s = config.settlement
  return {
    ...(s.creditWindow > 0n ? { creditWindow: s.creditWindow } : {}),
    voucherTimeoutMs: s.voucherTimeoutMs,
    claimPolicy: {
      threshold: s.claimThreshold,
      interval: s.claimAfterMs,
      minClaim: s.claimMinimum,
      feeMultiple: s.claimFeeMultiple,
      minFeeBalance: s.minFeeBalance,
    },
    claimIntervalMs: s.claimCheckMs,
    freeJobs: s.freeJobs,
  }
}

/**
 * The provider's settlement (wallet, payments with a chain endpoint, the claim
 * timer). Puts its wallet in the offer as payout address and settlement key.
 */
export async function startSettlement(
  options: RunNodeOptions,
  template: OfferTemplate,
  log: NodeLog,
  observe: Observers,
): Promise<ProviderSettlement> {
  // the wallet is the offers' payout address and settlement key; with a
  // chain endpoint jobs are paid through channels (and claimed on a timer), otherwise free
  const endpoint = options.chainEndpoint ?? chainEndpointFromEnv()
  const apiKey = chainApiKeyFromEnv()
  const settlement = await startProviderSettlement({
    home: options.home,
    prices: template.prices,
    log: log.line,
    logger: observe.logger,
    ...(observe.metrics === undefined ? {} : { metrics: observe.metrics }),
    ...(observe.onClaimPass === undefined ? {} : { onClaimPass: observe.onClaimPass }),
    ...settlementFromConfig(options.config), // the config's "settlement" section
    ...options.settlement,
    ...(endpoint === undefined || endpoint === '' ? {} : { endpoint }),
    ...(apiKey === undefined ? {} : { apiKey }),
  })
  if (settlement.payments !== undefined || (template.payoutAddress ?? '') === '')
    template.payoutAddress = settlement.wallet.address.toString()
  template.settlementKey = new Uint8Array(settlement.wallet.signingKey.publicKey)
  const payout = template.payoutAddress ?? ''
  if (settlement.payments === undefined || endpoint === undefined) log.event('payments-off', { payout })
  else
    log.event('payments-on', {
      endpoint,
      payout,
      settlementKey: Buffer.from(template.settlementKey).toString('hex'),
    })
  return settlement
}

/**
 * The job service on the gpu-runtime (models from `provide.models`), one log
 * event per job; each model is tried and benchmarked at start (progress and
 * figures logged), and the offer sells the ones that answered, at the
 * capacity they measured.
 * @throws {ModelUnavailableError} when no model answers, naming each problem and its fix.
 */
export async function startJobs(
  options: RunNodeOptions,
  template: OfferTemplate,
  settlement: ProviderSettlement | undefined,
  log: NodeLog,
  logger: ComponentLogger,
): Promise<ProviderJobs> {
  const runtime = runtimeConfigFromHome(options.home, options.config.provide)
  await pullHfModels(options.home, runtime.models ?? [], log)
  const nodePrices = options.config.provide.prices
  const jobs = await createProviderJobs({
    logger,
    runtime,
    // a job is billed from the offer the client chose it by, with the same lookup (canonical model
    // id; the attested prices for a job that requires the attested tier, once the node's evidence
    // put them in its offer), so the bill and the quote cannot differ by a model's spelling
    prices: ({ model, minTrustTier }) => tierPrices(template, minTrustTier, model) ?? template.prices,
    ...(settlement?.payments === undefined ? {} : { payments: settlement.payments }),
    onEvent: (event) => logJobEvent(log, event),
    relayedJobs: options.config.network.relay.jobs,
    onModelCheck: (step) => log.event('model-check', step),
  })
  for (const m of jobs.models) {
    if (m.ok)
      log.event('benchmark', { model: m.id, tokensPerSecond: m.figures.tokensPerSecond, cached: m.cached })
    else
      log.event('model-unavailable', { model: m.id, error: m.error.shortMessage, fix: m.error.details ?? '' })
  }
  const serving = jobs.models.flatMap((m) => (m.ok ? [m.id] : []))
  if (serving.length === 0 && !(template.jobKinds ?? []).includes('tensor')) {
    await jobs.close()
    throw noModelAnswers(jobs.models)
  }
  template.models = serving
  // each model is quoted at the price it is billed at (`offerPricesFor` on both sides)
  template.modelPrices = offerModelPrices(nodePrices, options.config.provide.models, serving)
  if (serving.includes(TEST_MODEL_ID)) log.event('test-model', { model: TEST_MODEL_ID })
  if (jobs.capacity !== undefined) {
    template.tokensPerSecond = jobs.capacity.tokensPerSecond
    template.gflops = jobs.capacity.gflops
  }
  const capabilities = offerCapabilities(jobs.runtime, template.models)
  template.features = capabilities.features
  template.contextSize = capabilities.contextSize
  if (capabilities.embeds) template.jobKinds = [...new Set([...(template.jobKinds ?? ['llm']), 'embedding'])]
  return jobs
}

/**
 * Downloads the `hf:` models not yet in `<home>/models`, with node-llama-cpp's
 * progress bar on a terminal; a failed download is logged, and the model's
 * probe then reports it unavailable with the fix.
 */
async function pullHfModels(home: string, models: readonly LlmModelConfig[], log: NodeLog): Promise<void> {
  for (const m of models) {
    if (m.kind !== 'llama' || !m.source.startsWith('hf:')) continue
    log.event('model-pull', { model: m.name, source: m.source })
    try {
      await pullModel(m.source, {
        directory: join(home, PROVIDER_MODELS_DIR),
        progress: process.stderr.isTTY === true,
      })
    } catch (error) {
      log.event('model-pull-failed', { model: m.name, error: errorLine(error) })
    }
  }
}

function noModelAnswers(models: ModelStatus[]): ModelUnavailableError {
  const problems = models.flatMap((m) =>
    m.ok ? [] : [`${m.id}: ${m.error.shortMessage}. ${m.error.details ?? ''}`],
  )
  return new ModelUnavailableError('None of the configured models can serve, so there is nothing to sell', {
    model: models.map((m) => m.id).join(','),
    details: `${problems.join(' | ')} — \`cocoon doctor\` checks each one.`,
    cause: models.flatMap((m) => (m.ok ? [] : [m.error]))[0],
  })
}
