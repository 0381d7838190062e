/**
 * @packageDocumentation
 *
 * The local devnet of `@cocoon-mesh/settlement/devnet`: `startDevnet()` serves
 * the @ton/sandbox emulator behind the toncenter v2 jsonRPC that TonClient
 * speaks, `devnetCall` reaches its devnet-only methods (faucet, time), and
 * `SandboxChainClient` drives an in-process emulator directly. Node only, and
 * only for apps that emulate the chain: `@ton/sandbox` is an optional peer
 * dependency, so installing it is up to the app that imports this entry.
 */

export * from './chain/devnet.js'
export * from './chain/sandbox-chain-client.js'
