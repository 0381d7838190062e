/** The provider half of a node: its offer template, settlement and job service, from the config. */
import type { ComponentLogger, Metrics } from '@libp2p/interface'
import type { NodeConfig } from '../home/config.js'
import {
  createProviderJobs,
  offerCapabilities,
  type ProviderJobs,
  runtimeConfigFromHome,
} from '../jobs/serve.js'
import type { OfferTemplate } from '../market/offer-factory.js'
import { jobLine } from './node-log.js'
import { type ProviderSettlement, startProviderSettlement } from './provider-settlement.js'
import type { RunNodeOptions } from './run-node.js'

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
  return {
    models: p.models,
    jobKinds: p.jobKinds,
    prices: p.prices,
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
    claimPolicy: { threshold: s.claimThreshold, interval: s.claimAfterMs, minClaim: s.claimMinimum },
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
  log: (line: string) => void,
  observe: { metrics: Metrics | undefined; logger: ComponentLogger },
): Promise<ProviderSettlement> {
  // the wallet is the offers' payout address and settlement key; with a
  // chain endpoint jobs are paid through channels (and claimed on a timer), otherwise free
  const endpoint = options.chainEndpoint ?? process.env.COCOON_TON_ENDPOINT
  const apiKey = process.env.COCOON_TON_API_KEY
  const settlement = await startProviderSettlement({
    home: options.home,
    prices: template.prices,
    log,
    logger: observe.logger,
    ...(observe.metrics === undefined ? {} : { metrics: observe.metrics }),
    ...settlementFromConfig(options.config), // the config's "settlement" section
    ...options.settlement,
    ...(endpoint === undefined || endpoint === '' ? {} : { endpoint }),
    ...(apiKey === undefined ? {} : { apiKey }),
  })
  if (settlement.payments !== undefined || (template.payoutAddress ?? '') === '')
    template.payoutAddress = settlement.wallet.address.toString()
  template.settlementKey = new Uint8Array(settlement.wallet.signingKey.publicKey)
  log(
    settlement.payments === undefined
      ? `payments off (free jobs): no chain endpoint; payout ${template.payoutAddress}`
      : `payments on via ${endpoint}; payout ${template.payoutAddress} settlement-key ${Buffer.from(template.settlementKey).toString('hex')}`,
  )
  return settlement
}

/**
 * The job service on the gpu-runtime (models from <home>/models/<name>.gguf),
 * one log line per job event; puts the measured capacity in the offer.
 */
export async function startJobs(
  options: RunNodeOptions,
  template: OfferTemplate,
  settlement: ProviderSettlement | undefined,
  log: (line: string) => void,
  logger: ComponentLogger,
): Promise<ProviderJobs> {
  const jobs = await createProviderJobs({
    logger,
    runtime: runtimeConfigFromHome(options.home, options.config.provide),
    prices: template.prices,
    ...(settlement?.payments === undefined ? {} : { payments: settlement.payments }),
    onEvent: (event) => {
      const line = jobLine(event)
      if (line !== undefined) log(line)
    },
  })
  if (jobs.capacity !== undefined) {
    template.tokensPerSecond = jobs.capacity.tokensPerSecond
    template.gflops = jobs.capacity.gflops
  }
  const capabilities = offerCapabilities(jobs.runtime, template.models)
  template.features = capabilities.features
  if (capabilities.embeds) template.jobKinds = [...new Set([...(template.jobKinds ?? ['llm']), 'embedding'])]
  return jobs
}
