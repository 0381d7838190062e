/**
 * @packageDocumentation
 *
 * The Node-only part of settlement, `@cocoon-mesh/settlement/node`: the
 * wallet in a home folder (`wallet.mnemonic`), the CLI's settlement context,
 * the LevelDB-backed voucher store (`openVoucherStore`, fsync per batch;
 * `datastore-level` is an optional peer dependency, installed by the app that
 * imports this entry) and node:crypto's ed25519 backend with the loader of
 * the optional `sodium-native`.
 */

export * from './channel/settlement-context.js'
export * from './store/level-store.js'
export { loadSodiumNative, nodeCryptoEd25519, publicKeyObject } from './voucher/ed25519-node.js'
export * from './wallet/wallet-files.js'
