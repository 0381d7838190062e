import {
  canonicalModelId,
  MAX_MODEL_ID_LENGTH,
  modelFromOrderBookTopic,
  orderBookTopic,
} from '@cocoon-mesh/protocol'
import type { Logger } from '@libp2p/interface'

/**
 * The model of an order-book topic, in its canonical spelling; undefined for
 * a topic that is not one of the mesh (not an order-book topic, a model id
 * too long, or a differently encoded or cased spelling of a model's topic).
 */
export function canonicalModelOfTopic(topic: string): string | undefined {
  const model = modelFromOrderBookTopic(topic)
  if (model === undefined || model.length > MAX_MODEL_ID_LENGTH) return undefined
  const canonical = canonicalModelId(model)
  // one topic per model: a differently encoded or cased spelling is not a topic of the mesh
  if (orderBookTopic(canonical) !== topic) return undefined
  return canonical
}

export interface FollowedTopicsInit {
  /** Most topics followed at once. */
  max: number
  /** True when the book holds an offer of `model`: such a topic does not give way to a new one. */
  holdsOffers: (model: string) => boolean
  /** Stops watching `model`, to make room for a new followed topic. */
  unwatch: (model: string) => void
  log: Logger
}

/**
 * The topics a full peer joined because a peer subscribed to them (not
 * configured nor asked for), bounded: past `max`, a followed topic that holds
 * no offer gives way, and a new topic is ignored when every followed one holds offers.
 */
export class FollowedTopics {
  readonly #models = new Set<string>()
  readonly #init: FollowedTopicsInit

  constructor(init: FollowedTopicsInit) {
    this.#init = init
  }

  add(model: string): void {
    this.#models.add(model)
  }

  /** A followed topic that became a watched one, or was left. */
  delete(model: string): void {
    this.#models.delete(model)
  }

  clear(): void {
    this.#models.clear()
  }

  /** True when one more followed topic fits, after dropping a followed topic without offers if needed. */
  makeRoom(): boolean {
    if (this.#models.size < this.#init.max) return true
    const idle = [...this.#models].find((m) => !this.#init.holdsOffers(m))
    if (idle === undefined) {
      this.#init.log(
        'not following another order-book topic: all %d followed topics hold offers',
        this.#models.size,
      )
      return false
    }
    this.#models.delete(idle)
    this.#init.unwatch(idle)
    return true
  }
}
