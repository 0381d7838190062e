import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import {
  createLightNode,
  DiscoveryFailedError,
  discoverOffers,
  fetchOffers,
  type OfferTrust,
  tierName,
  trustLabel,
} from '@cocoon-mesh/client/internal'
import type { Offer } from '@cocoon-mesh/protocol'
import { errorLine } from '@cocoon-mesh/protocol'
import { resolveHome } from '@cocoon-mesh/settlement/node'
import type { PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Command } from 'commander'
import { BootstrapUnreachableError } from '../../home/errors.js'
import type { OfferSummary } from '../../home/state.js'
import { clientTrust } from '../node-attestation.js'
import { collect, effectiveConfig, offersTable, summarizeOffer } from '../node-options.js'
import type { RegisterCommand } from './index.js'

/**
 * An offer as `cocoon offers` prints it: the summary plus
 * where the provider is paid, which a client needs for `cocoon channel open
 * --payout ADDRESS --provider-key HEX`.
 */
export interface OfferListing extends OfferSummary {
  /** TON address the provider is paid to; '' when the offer names none (free jobs). */
  payoutAddress: string
  /** The provider's ed25519 settlement key (a channel's provider key must be this), hex; '' when none. */
  settlementKey: string
  /** This client's tier for the offer, from evidence it verified: `attested` or `open`. */
  tier: string
  /** The verdict in words: what is attested (CPU TEE, GPU), or why the offer is open. */
  trust: string
  /** The tier the provider claims (shown, never believed). */
  claimedTier: string
  /** Why the offer is not attested (`no-evidence`, `bad-signature`, `not-bound`, ...), absent when attested. */
  notAttestedReason?: string
  /** The verifier's checks, each passed or failed, when the offer carried evidence. */
  checks?: Array<{ name: string; ok: boolean; detail: string }>
}

/** The listing of `offer`; with `model` its price columns are that model's. */
export function offerListing(offer: Offer, trust: OfferTrust, model?: string): OfferListing {
  return {
    ...summarizeOffer(offer, trust, model),
    payoutAddress: offer.payoutAddress,
    settlementKey: Buffer.from(offer.settlementKey).toString('hex'),
    tier: tierName(trust.tier),
    trust: trustLabel(trust),
    claimedTier: tierName(trust.claimed),
    ...(trust.reason === undefined ? {} : { notAttestedReason: trust.reason }),
    ...(trust.verdict === undefined
      ? {}
      : { checks: trust.verdict.checks.map(({ name, ok, detail }) => ({ name, ok, detail })) }),
  }
}

/** The offers table with each offer's trust verdict, payout address and settlement key ('-' when absent) below its row. */
export function offerListingTable(offers: OfferListing[]): string {
  if (offers.length === 0) return offersTable([])
  const rows = offersTable(offers).trimEnd().split('\n')
  const out = [rows[0] ?? '']
  offers.forEach((o, i) => {
    out.push(rows[i + 1] ?? '')
    out.push(`  trust ${o.trust}`)
    for (const m of o.modelPrices ?? [])
      out.push(
        `  price of ${m.model}: prompt ${m.perKPromptTokens} completion ${m.perKCompletionTokens} nanoTON/1k`,
      )
    out.push(`  payout ${o.payoutAddress || '-'}  settlement-key ${o.settlementKey || '-'}`)
  })
  return `${out.join('\n')}\n`
}

export const registerOffers: RegisterCommand = (program: Command) => {
  program
    .command('offers')
    .description('join briefly as a light peer and print the order book it sees (table, or JSON with --json)')
    .option('--home <dir>', 'home folder to read the config (bootstrap list) from')
    .option('--model <id>', 'only offers for this model (found through the DHT, then asked directly)')
    .option(
      '--bootstrap <multiaddr>',
      'peer to join through, repeatable (overrides config and COCOON_BOOTSTRAP)',
      collect,
    )
    .option('--json', 'print JSON instead of a table')
    .option('--timeout <ms>', 'how long to look, in ms', '10000')
    .action(
      async (opts: {
        home?: string
        model?: string
        bootstrap?: string[]
        json?: boolean
        timeout: string
      }) => {
        const home = resolveHome(opts.home)
        const config = await effectiveConfig(home, { bootstrap: opts.bootstrap })
        if (config.bootstrap.length === 0) {
          throw new BootstrapUnreachableError('No bootstrap peer to ask', {
            details:
              'Pass --bootstrap /ip4/<ip>/tcp/<port>/p2p/<peer id> (a running node prints its addresses), or set COCOON_BOOTSTRAP or "bootstrap" in the config.',
          })
        }
        const timeoutMs = Number.parseInt(opts.timeout, 10) || 10_000
        const trust = await clientTrust(home, config.attestation)
        const light = await createLightNode({ gossip: false, trust })
        try {
          const dialed = await Promise.allSettled(
            config.bootstrap.map((a) =>
              light.libp2p.dial(multiaddr(a), { signal: AbortSignal.timeout(timeoutMs) }),
            ),
          )
          const connections = dialed.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
          if (connections.length === 0) {
            throw new BootstrapUnreachableError('None of the bootstrap peers could be reached', {
              details: `${dialed.map((r, i) => `${config.bootstrap[i]}: ${r.status === 'rejected' ? String((r.reason as Error)?.message ?? r.reason) : 'ok'}`).join('; ')}. Check the addresses and that those nodes run.`,
            })
          }
          const signal = AbortSignal.timeout(timeoutMs)
          const collected = await collectOffers(light, connections, opts.model, signal)
          const offers = light.orderBook
            .entries(opts.model)
            .map((e) => offerListing(e.offer, e.trust, opts.model))
          if (offers.length === 0 && collected.failed === collected.asked) {
            throw new DiscoveryFailedError('no offers found: every peer and lookup asked failed', {
              details: `${collected.notes.join('; ')}. Check the bootstrap peers and the connection.`,
            })
          }
          if (offers.length === 0 && collected.lookupError !== undefined) {
            // the bootstrap peers answered with nothing, and the lookup that finds providers failed
            throw new DiscoveryFailedError(`no offers of "${opts.model}" found: the DHT lookup failed`, {
              details: `${collected.notes.join('; ')}. Check the bootstrap peers and the connection.`,
              cause: collected.lookupError,
            })
          }
          for (const note of collected.notes) process.stderr.write(`cocoon: ${note}\n`)
          process.stdout.write(
            opts.json === true ? `${JSON.stringify(offers, null, 2)}\n` : offerListingTable(offers),
          )
        } finally {
          await light.stop()
        }
      },
    )
}

/** What asking for offers gave: how many sources were asked, how many failed, and each failure. */
interface Collected {
  asked: number
  failed: number
  notes: string[]
  /** Why the DHT lookup of the model threw, when it did. */
  lookupError?: unknown
}

/**
 * Fills the light peer's book from the bootstrap peers' own books (every full
 * peer answers /cocoon/offers) and, for one model, from its providers found
 * through the DHT (that lookup fails when it throws or none of its providers answer).
 */
async function collectOffers(
  light: CocoonPeer,
  connections: ReadonlyArray<{ remotePeer: PeerId }>,
  model: string | undefined,
  signal: AbortSignal,
): Promise<Collected> {
  const collected: Collected = { asked: connections.length, failed: 0, notes: [] }
  await Promise.all(
    connections.map(async (c) => {
      try {
        await light.orderBook.addVerified(
          await fetchOffers(light.libp2p, c.remotePeer, model ?? '', { signal }),
          { from: c.remotePeer },
        )
      } catch (error) {
        collected.failed++
        collected.notes.push(`asking ${c.remotePeer.toString()} for its offers failed (${errorLine(error)})`)
      }
    }),
  )
  if (model === undefined) return collected
  collected.asked++
  try {
    const found = await discoverOffers(light.libp2p, light.orderBook, model, {
      signal,
      logger: light.libp2p.logger,
    })
    if (found.failed === 0) return collected
    if (found.failed === found.providers.length) collected.failed++
    collected.notes.push(
      `${found.failed} of ${found.providers.length} providers of ${model} found in the DHT did not answer (${errorLine(found.lastError)})`,
    )
  } catch (error) {
    collected.failed++
    collected.lookupError = error
    collected.notes.push(`the DHT lookup of ${model} failed (${errorLine(error)})`)
  }
  return collected
}
