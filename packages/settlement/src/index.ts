/**
 * @packageDocumentation
 *
 * Settlement for Cocoon Mesh: batched micropayments through our own TON
 * unidirectional payment-channel contract, off-chain vouchers signed with
 * ed25519 (libsodium through sodium-native when it loads, else node:crypto;
 * @noble/curves in browsers), and the payment policy the job protocol calls
 * per chunk. This entry runs in Node and in browsers; the Node-only parts are
 * in `@cocoon-mesh/settlement/node`, the devnet in `/devnet`.
 */

export * from './chain/chain-client.js'
export * from './chain/networks.js'
export * from './chain/ton-chain-client.js'
export * from './channel/channel-deploy.js'
export * from './channel/channels.js'
export * from './channel/claim-fees.js'
export * from './channel/claim-runner.js'
export * from './channel/context.js'
export * from './channel/discovery.js'
export * from './contract/payment-channel.js'
export * from './contract/payment-channel-code.js'
export * from './errors.js'
export * from './payment-session.js'
export * from './policy/channel-proof.js'
export * from './policy/claim-policy.js'
export * from './policy/client-payments.js'
export * from './policy/provider-payments.js'
export * from './store/voucher-store.js'
export * from './tonconnect/index.js'
export * from './voucher/ed25519.js'
export { nobleEd25519 } from './voucher/ed25519-noble.js'
export * from './voucher/keys.js'
export * from './voucher/voucher.js'
export * from './voucher/voucher-hash.js'
export * from './wallet/wallet.js'
