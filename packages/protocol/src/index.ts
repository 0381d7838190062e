/**
 * @packageDocumentation
 *
 * The wire contract of Cocoon Mesh: everything two peers say to each other is
 * defined here and nowhere else — protobuf messages (compiled by protons),
 * checked codecs with hard size limits, domain-separated signatures with the
 * peer's libp2p key, pure validators with an injected clock, length-prefixed
 * framing for libp2p streams, the nanoTON price arithmetic both sides share,
 * protocol ids and topic names, and the typed errors every package builds on.
 */
export * from './attestation.js'
export * from './bench-report.js'
export * from './clock.js'
export * from './codec.js'
export * from './errors.js'
export * from './features.js'
export * from './framing.js'
export * from './generated/cocoon.js'
export * from './generation-wire.js'
export * from './job-kind.js'
export * from './job-shapes.js'
export * from './limits.js'
export * from './model-key.js'
export * from './pricing.js'
export * from './promises.js'
export * from './protocol-ids.js'
export * from './signing.js'
export * from './stop-filter.js'
export * from './tensor-chunk-frame.js'
export * from './validate.js'
export * from './validate-generation.js'
