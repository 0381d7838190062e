import {
  ORDER_BOOK_SCORE_THRESHOLDS,
  orderBookGossipOptions,
  PENALTY,
  PeerPenalties,
} from '@cocoon-mesh/client/internal'
import { canonicalModelId, orderBookTopic } from '@cocoon-mesh/protocol'
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
  readonly #score: PeerScore
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
    this.#score = new PeerScore(params, null, defaultLogger(), { scoreCacheValidityMs: 0 })
    this.#decayMs = params.decayInterval
    this.#decayedTo = init.now()
  }

  /** Whether the relay still reads messages from `peer`: its score is at or above the graylist threshold. */
  accepts(peer: string): boolean {
    return this.score(peer) >= ORDER_BOOK_SCORE_THRESHOLDS.graylistThreshold
  }

  /** `peer`'s score now (0 for a peer never penalised: gossipsub scores peers it holds no stats of 0). */
  score(peer: string): number {
    this.#decay()
    this.#score.scoreCache.delete(peer)
    return this.#score.score(peer)
  }

  /** `peer` sent a message that failed validation (REJECT), published on the topics of `models`. */
  rejected(peer: string, models: readonly string[]): void {
    this.#decay()
    this.#known(peer)
    for (const model of models)
      this.#score.rejectInvalidMessage(peer, orderBookTopic(canonicalModelId(model)))
    this.#penalties.penalise(peer, PENALTY.invalid)
  }

  /** `peer` sent its own message over its rate. */
  overLimit(peer: string): void {
    this.#known(peer)
    this.#penalties.penalise(peer, PENALTY.overLimit)
  }

  /** Stats only for the peers penalised: `refreshScores` walks every peer it holds, once a second. */
  #known(peer: string): void {
    if (!this.#score.peerStats.has(peer)) this.#score.addPeer(peer)
  }

  #decay(): void {
    const now = this.#now()
    while (this.#decayedTo + this.#decayMs <= now) {
      this.#score.refreshScores()
      this.#decayedTo += this.#decayMs
    }
  }
}
