/** Shared CLI helpers: config precedence (file < COCOON_* env < flags), offer summaries, output. */

import { type OfferTrust, providerKey, tierName } from '@cocoon-mesh/client/internal'
import { type Offer, offerPricesFor, TrustTier } from '@cocoon-mesh/protocol'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidArgumentError } from 'commander'
import { configFromEnv, loadConfigFile, multiaddrs, type NodeConfig } from '../home/config.js'
import type { OfferSummary } from '../home/state.js'

export interface NetworkFlags {
  listen?: string[]
  bootstrap?: string[]
  model?: string[]
}

/** commander parser for a TCP port option: an integer 0..65535, or commander's usage error. */
export function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new InvalidArgumentError(
      `"${value}" is not a TCP port: give an integer from 0 to 65535 (0 picks a free one)`,
    )
  return port
}

/** commander parser of `--trust-tier`: `open` (any provider) or `attested` (a TEE this client verified). */
export function parseTrustTier(value: string): TrustTier {
  if (value === 'attested') return TrustTier.TRUST_TIER_ATTESTED
  if (value === 'open') return TrustTier.TRUST_TIER_UNSPECIFIED
  throw new InvalidArgumentError(`"${value}" is not a trust tier: give open or attested`)
}

/** Collects a repeatable option into an array (commander `argParser`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** The effective config: file < COCOON_* environment < flags. */
export async function effectiveConfig(
  home: string,
  flags: NetworkFlags,
  env = process.env,
): Promise<NodeConfig> {
  const config = configFromEnv(env, await loadConfigFile(home))
  if (flags.listen !== undefined) config.listen = multiaddrs('--listen', '', flags.listen, [])
  if (flags.bootstrap !== undefined) config.bootstrap = multiaddrs('--bootstrap', '', flags.bootstrap, [])
  if (flags.model !== undefined) config.models = flags.model
  return config
}

/**
 * An offer as the CLI shows it; `trust` is this node's verdict on its evidence (the TIER column).
 * With `model` the price columns are that model's (`offerPricesFor`), else the offer's default prices.
 */
export function summarizeOffer(offer: Offer, trust?: OfferTrust, model?: string): OfferSummary {
  const prices = model === undefined ? offer.prices : offerPricesFor(offer, model)
  return {
    provider: providerKey(offer.provider),
    models: offer.models,
    perKPromptTokens: String(prices?.perKPromptTokens ?? 0n),
    perKCompletionTokens: String(prices?.perKCompletionTokens ?? 0n),
    perTensorGflop: String(prices?.perTensorGflop ?? 0n),
    ...(offer.modelPrices.length === 0
      ? {}
      : {
          modelPrices: offer.modelPrices.map((e) => ({
            model: e.model,
            perKPromptTokens: String(e.prices?.perKPromptTokens ?? 0n),
            perKCompletionTokens: String(e.prices?.perKCompletionTokens ?? 0n),
          })),
        }),
    maxConcurrency: offer.maxConcurrency,
    gpu: offer.gpu?.model ?? '',
    backend: offer.gpu?.backend ?? '',
    region: offer.region,
    sequence: String(offer.sequence),
    expiresAt: Number(offer.expiresAt),
    addrs: offer.addrs.map(addrText),
    ...(trust === undefined ? {} : { tier: tierName(trust.tier) }),
  }
}

/** An offer's address as text; bytes that are no multiaddr are shown as hex, not hidden. */
function addrText(bytes: Uint8Array): string {
  try {
    return multiaddr(bytes).toString()
  } catch {
    return `0x${Buffer.from(bytes).toString('hex')}`
  }
}

/** A plain text table of offers. */
export function offersTable(offers: OfferSummary[]): string {
  if (offers.length === 0) return 'no offers\n'
  const rows = [
    ['PROVIDER', 'TIER', 'MODELS', 'PROMPT/1K', 'COMPL/1K', 'GPU', 'BACKEND', 'SLOTS', 'EXPIRES'],
    ...offers.map((o) => [
      o.provider,
      o.tier ?? '-',
      o.models.join(','),
      o.perKPromptTokens,
      o.perKCompletionTokens,
      o.gpu,
      o.backend,
      String(o.maxConcurrency),
      new Date(o.expiresAt).toISOString(),
    ]),
  ]
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`
}
