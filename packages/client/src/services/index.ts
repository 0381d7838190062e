/** The peer's js-libp2p style services: order book, offer publishing, the offers protocol, DHT discovery. */

export * from './attestation-trust.js'
export * from './discovery.js'
export * from './errors.js'
export * from './model-cid.js'
export * from './offer-publisher.js'
export * from './offers-protocol.js'
export * from './order-book.js'
export * from './penalties.js'
