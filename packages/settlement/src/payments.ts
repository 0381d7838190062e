/**
 * @packageDocumentation
 *
 * `@cocoon-mesh/settlement/payments`: the payment-session interfaces the job
 * protocol calls, `noPayments` and the typed errors, without the TON
 * libraries. A client that pays nothing (or loads its payments later) imports
 * this rather than the root entry, which brings the chain code (@ton/core,
 * @ton/ton and their HTTP client) with it.
 */

export * from './errors.js'
export * from './payment-session.js'
