/**
 * @packageDocumentation
 *
 * The wire contract of Cocoon Mesh: everything two peers say to each other is
 * defined here and nowhere else — protobuf messages (compiled by protons),
 * domain-separated signatures, length-prefixed framing with size limits,
 * protocol ids and topic names, and the typed errors every package builds on.
 */
export * from './bench-report.js'
export * from './errors.js'
export * from './generated/cocoon.js'
export * from './protocol-ids.js'
