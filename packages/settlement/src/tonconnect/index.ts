// Opening a channel from a TON Connect wallet, without the sdk at run time
// (the sdk's errors are mapped in `./sdk.ts`, the `/tonconnect` subpath).
export * from './channel-open-transaction.js'
export * from './transaction-request.js'
export * from './wait-for-channel.js'
export * from './wallet-transaction.js'
