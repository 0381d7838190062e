import {
  ORDER_BOOK_SCORE_THRESHOLDS,
  orderBookGossipOptions,
  PENALTY,
  PeerPenalties,
} from '@cocoon-mesh/client/internal'
import { orderBookTopic } from '@cocoon-mesh/protocol'
import { createPeerScoreParams, PeerScore } from '@libp2p/gossipsub/score'
import { defaultLogger } from '@libp2p/logger'

/**
 * How the relay a provider publishes through scores it: gossipsub's own
 * `PeerScore` and Cocoon's `PeerPenalties`, with the parameters and
 * thresholds every Cocoon peer runs with (`orderBookGossipOptions`), so the
 * two cannot drift apart. A REJECTed message costs its sender gossipsub's
 * invalid-delivery score on each of the offer's topics and the application
 * penalty for an invalid message; a message over the sender's own rate the
 * over-limit penalty. Once the score is below the graylist threshold the
 * relay drops the sender's messages unread, as gossipsub drops a graylisted
 * peer's RPCs.
 *
 * The score decays in simulated time: one `refreshScores` per elapsed
 * `decayInterval`, as gossipsub's background timer calls it, and never a
 * cached score (the cache keys on the wall clock).
 */
export class RelayScore {
  readonly #peerScore: PeerScore
  readonly #penalties: PeerPenalties
  readonly #now: () => number
  readonly #decayMs: number
  #decayedTo: number

  constructor(init: { models: readonly string[]; now: () => number }) {
    this.#now = init.now
    this.#penalties = new PeerPenalties({ now: init.now })
    const { scoreParams } = orderBookGossipOptions({
      models: init.models,
      appSpecificScore: this.#penalties.appSpecificScore,
    })
    const params = createPeerScoreParams(scoreParams)
    this.#peerScore = new PeerScore(params, null, defaultLogger(), { scoreCacheValidityMs: 0 })
    this.#decayMs = params.decayInterval
    this.#decayedTo = init.now()
  }

  /**
   * Whether the relay still reads messages from `peer`: its score is at or
   * above the graylist threshold (a peer never penalised has no stats, and
   * gossipsub scores it 0).
   */
  accepts(peer: string): boolean {
    this.#decay()
    this.#peerScore.scoreCache.delete(peer)
    return this.#peerScore.score(peer) >= ORDER_BOOK_SCORE_THRESHOLDS.graylistThreshold
  }

  /** `peer` sent a message that failed validation (REJECT), published on the topics of `models`. */
  rejected(peer: string, models: readonly string[]): void {
    this.#track(peer)
    for (const model of models) this.#peerScore.rejectInvalidMessage(peer, orderBookTopic(model))
    this.#penalties.penalise(peer, PENALTY.invalid)
  }

  /** `peer` sent its own message over its rate. */
  overLimit(peer: string): void {
    this.#track(peer)
    this.#penalties.penalise(peer, PENALTY.overLimit)
  }

  /**
   * Brings the scores up to now, then holds stats for `peer`. Only penalised
   * peers get stats: `refreshScores` walks every peer held, once a second.
   */
  #track(peer: string): void {
    this.#decay()
    if (!this.#peerScore.peerStats.has(peer)) this.#peerScore.addPeer(peer)
  }

  #decay(): void {
    const now = this.#now()
    while (this.#decayedTo + this.#decayMs <= now) {
      this.#peerScore.refreshScores()
      this.#decayedTo += this.#decayMs
    }
  }
}
