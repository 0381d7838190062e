/**
 * The dashboard's whole state as one JSON document (`/api/state`, and each
 * server-sent `state` event): what `cocoon status` shows, what `cocoon
 * earnings --json` computes, and the feed of the node's events.
 */

import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import type { Finding } from '../cli/doctor-checks.js'
import { nodeStateSnapshot } from '../cli/node-state-file.js'
import type { ProviderLedger } from '../cli/provider-channels.js'
import { earningsJson, providerEarnings } from '../cli/provider-earnings.js'
import type { OfferSummary } from '../home/state.js'
import type { DashboardFeed, FeedState } from './feed.js'

/** Most peers and book offers listed (the counts stay exact). */
export const MAX_LISTED = 200
/** Most earnings points kept for the chart. */
export const MAX_POINTS = 500

export interface EarningsPoint {
  at: number
  /** nanoTON, decimal. */
  earned: string
  claimed: string
}

export interface DashboardState extends FeedState {
  at: number
  peerId: string
  startedAt: number
  addresses: string[]
  peerCount: number
  peers: string[]
  ownOffer?: OfferSummary
  /** Other providers' offers for the models this node sells (or follows). */
  book: OfferSummary[]
  /** Jobs each model's runtime runs and holds in its queue now. */
  load: Record<string, { running: number; queued: number }>
  earnings?: ReturnType<typeof earningsJson> & { unread: string[] }
  earningsError?: string
  earningsHistory: EarningsPoint[]
  reachability: Finding[]
}

export interface SnapshotSources {
  peer: CocoonPeer
  feed: DashboardFeed
  startedAt: number
  providing: boolean
  /** Undefined on a node without a chain endpoint: it earns nothing. */
  ledger: ProviderLedger | undefined
  /** Jobs each model runs and queues (the runtime's admission stats). */
  load: () => Record<string, { running: number; queued: number }>
  /** Whether the node answers on its advertised addresses (`cocoon doctor`'s listening check). */
  reachability: () => Promise<Finding[]>
}

/**
 * Builds snapshots; earnings and reachability ask the chain and dial the
 * node, so they are computed once per change ({@link markEarningsStale}) or
 * per interval, never once per request.
 */
export class Snapshots {
  readonly #s: SnapshotSources
  #earnings: Promise<Pick<DashboardState, 'earnings' | 'earningsError'>> | undefined
  #reachability: { at: number; findings: Promise<Finding[]> } | undefined
  readonly #history: EarningsPoint[] = []
  /** Counts earnings reads, so only the newest one records a point. */
  #generation = 0

  constructor(sources: SnapshotSources) {
    this.#s = sources
  }

  /** The next snapshot reads earnings from the chain and store again. */
  markEarningsStale(): void {
    this.#earnings = undefined
  }

  async state(): Promise<DashboardState> {
    const { peer, feed, startedAt, providing } = this.#s
    const status = nodeStateSnapshot(peer, { startedAt, providing })
    const own = new Set(status.ownOffer?.models ?? status.models)
    const book = status.offers.filter(
      (o) => o.provider !== status.ownOffer?.provider && o.models.some((m) => own.has(m)),
    )
    const [money, reachability] = await Promise.all([this.#latestEarnings(), this.#reachabilityNow()])
    return {
      at: Date.now(),
      peerId: status.peerId,
      startedAt,
      addresses: status.addresses,
      peerCount: status.connectedPeers.length,
      peers: status.connectedPeers.slice(0, MAX_LISTED),
      ...(status.ownOffer === undefined ? {} : { ownOffer: status.ownOffer }),
      book: book.slice(0, MAX_LISTED),
      load: this.#s.load(),
      ...money,
      earningsHistory: [...this.#history],
      reachability,
      ...feed.state(),
    }
  }

  /** The newest earnings: a read that a newer one overtook while it ran is not shown (the page would step back). */
  async #latestEarnings(): Promise<Pick<DashboardState, 'earnings' | 'earningsError'>> {
    for (;;) {
      const pending = this.#earningsNow()
      const generation = this.#generation
      const money = await pending
      if (generation === this.#generation) return money
    }
  }

  #earningsNow(): Promise<Pick<DashboardState, 'earnings' | 'earningsError'>> {
    const ledger = this.#s.ledger
    if (ledger === undefined) return Promise.resolve({ earningsError: 'payments off: no chain endpoint' })
    if (this.#earnings !== undefined) return this.#earnings
    const generation = ++this.#generation
    this.#earnings = providerEarnings(ledger, false).then(
      (e) => {
        const json = earningsJson(e)
        // a read overtaken by a newer one must not add an older point after it
        if (generation === this.#generation) this.#record(json.earned, json.claimed)
        return { earnings: { ...json, unread: e.unread } }
      },
      // shown on the page; the next change asks again
      (error: unknown) => {
        if (generation === this.#generation) this.#earnings = undefined
        return { earningsError: error instanceof Error ? error.message : String(error) }
      },
    )
    return this.#earnings
  }

  #record(earned: string, claimed: string): void {
    const last = this.#history.at(-1)
    if (last !== undefined && last.earned === earned && last.claimed === claimed) return
    this.#history.push({ at: Date.now(), earned, claimed })
    if (this.#history.length > MAX_POINTS) this.#history.splice(0, this.#history.length - MAX_POINTS)
  }

  #reachabilityNow(): Promise<Finding[]> {
    // dialling itself takes up to a few seconds: once every 30 s is enough
    if (this.#reachability === undefined || Date.now() - this.#reachability.at > 30_000)
      this.#reachability = { at: Date.now(), findings: this.#s.reachability() }
    return this.#reachability.findings
  }
}
