/**
 * Pure market code with an injected clock: the order book, gossip
 * validation of order-book messages, origin attribution and rate limits. The simulator
 * runs exactly this code in simulated time.
 */
export * from './gossip-validation.js'
export * from './offer-book.js'
export * from './offer-factory.js'
export * from './offer-trust.js'
export * from './origin.js'
export * from './origin-limits.js'
export * from './rate-limit.js'
