/**
 * @packageDocumentation
 *
 * Settlement for Cocoon Mesh: batched micropayments through our own TON
 * unidirectional payment-channel contract, off-chain vouchers signed with
 * node:crypto ed25519, and the payment policy the job protocol calls per chunk.
 */
export * from './payment-session.js'
