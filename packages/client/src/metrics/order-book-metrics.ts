/**
 * Metrics of the order-book service, registered through libp2p's `Metrics`.
 * libp2p's metric groups carry one label, so a message's verdict and reason
 * share the label `verdict_reason` as `<verdict>/<reason>`.
 */
import type { Metrics } from '@libp2p/interface'
import type { GossipVerdict } from '../market/gossip-validation.js'

export interface OrderBookMetrics {
  /** Counts one validated order-book message. */
  message(verdict: GossipVerdict, reason: string): void
}

/** Registers `cocoon_orderbook_messages_total` and `cocoon_orderbook_offers` (read from `book` at each scrape). */
export function orderBookMetrics(metrics: Metrics, book: { readonly size: number }): OrderBookMetrics {
  const messages = metrics.registerCounterGroup('cocoon_orderbook_messages_total', {
    label: 'verdict_reason',
    help: 'Order-book gossip messages validated, by verdict and reason',
  })
  metrics.registerMetric('cocoon_orderbook_offers', {
    help: 'Live offers in the book',
    calculate: () => book.size,
  })
  return {
    message(verdict, reason) {
      messages.increment({ [`${verdict}/${reason}`]: true })
    },
  }
}
