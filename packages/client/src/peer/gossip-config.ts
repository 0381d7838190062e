import { orderBookTopic } from '@cocoon-mesh/protocol'
import type { GossipsubOpts, Message } from '@libp2p/gossipsub'
import {
  createTopicScoreParams,
  type PeerScoreParams,
  type PeerScoreThresholds,
  type TopicScoreParams,
} from '@libp2p/gossipsub/score'
import { sha1Base64, sha256 } from '#sha'

/**
 * Content-addressed message id: the sha256 of the payload, so the same offer
 * relayed by different peers is one message (as Ethereum consensus clients do).
 */
export function contentMessageId(message: Message): Uint8Array {
  return sha256(message.data)
}

/** Score thresholds: a peer sending a couple of invalid messages falls below gossip, a few more below graylist. */
export const ORDER_BOOK_SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 2,
}

/**
 * Per-topic score parameters of an order-book topic. Invalid deliveries weigh
 * heavily (quadratic in the count), mesh-delivery penalties are off because
 * offers are rare and bursty.
 */
export function orderBookTopicScoreParams(): TopicScoreParams {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 100,
    firstMessageDeliveriesWeight: 0.5,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 20,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.9,
    meshMessageDeliveriesCap: 10,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.9,
    invalidMessageDeliveriesWeight: -20,
    invalidMessageDeliveriesDecay: 0.99,
  })
}

export interface OrderBookGossipOptions {
  /**
   * Models whose order-book topics gossipsub scores with
   * {@link orderBookTopicScoreParams}. Gossipsub takes topic score parameters
   * at creation only: topics joined later are guarded by validation and the
   * application score alone.
   */
  models?: readonly string[]
  /** Extra (negative) application score per peer, e.g. from the order book's own rate limiter. */
  appSpecificScore?: (peerId: string) => number
  /** Gossipsub heartbeat in ms (default 1000; smaller in tests and benches). */
  heartbeatInterval?: number
  /** Send own messages to every topic peer, not only the mesh (gossipsub `floodPublish`, default true). */
  floodPublish?: boolean
  /** Largest gossip payload accepted before decoding (default 64 KiB). */
  maxMessageBytes?: number
}

/** The gossipsub options every Cocoon peer runs with. */
export function orderBookGossipOptions(options: OrderBookGossipOptions = {}): Partial<GossipsubOpts> {
  const scoreParams: Partial<PeerScoreParams> = {
    topics: Object.fromEntries(
      (options.models ?? []).map((model) => [orderBookTopic(model), orderBookTopicScoreParams()]),
    ),
    appSpecificScore: options.appSpecificScore ?? (() => 0),
    appSpecificWeight: 1,
    IPColocationFactorWeight: 0, // many honest peers on one host in tests; enable on public deployments
    IPColocationFactorThreshold: 10,
    behaviourPenaltyWeight: -10,
    behaviourPenaltyThreshold: 6,
    behaviourPenaltyDecay: 0.9,
    decayInterval: 1000,
    decayToZero: 0.01,
    retainScore: 60_000,
  }
  return {
    // Offers carry their own provider signature; relays are anonymous and content addressed.
    globalSignaturePolicy: 'StrictNoSign',
    msgIdFn: contentMessageId,
    fastMsgIdFn: (rpc) => sha1Base64(rpc.data ?? new Uint8Array()),
    emitSelf: false,
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    floodPublish: options.floodPublish ?? true,
    heartbeatInterval: options.heartbeatInterval ?? 1000,
    maxInboundDataLength: options.maxMessageBytes ?? 64 * 1024,
    scoreParams,
    scoreThresholds: ORDER_BOOK_SCORE_THRESHOLDS,
  }
}
