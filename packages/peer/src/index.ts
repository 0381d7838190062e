/**
 * @packageDocumentation
 *
 * A Cocoon Mesh peer: the libp2p node (TCP/WebSockets, noise, yamux, the
 * Kademlia DHT under `/cocoon/kad/1.0.0`, gossipsub), DHT discovery, the
 * validated gossipsub order book, the job protocol, client-side matching, the
 * light peer SDK, the OpenAI-compatible gateway and the `cocoon` CLI.
 */

export * from './cli/provider-settlement.js'
export { type RunNodeOptions, type RunningNode, runNode } from './cli/run-node.js'
export * from './demo/mesh.js'
export * from './gateway/index.js'
export * from './home/index.js'
export * from './jobs/index.js'
export * from './market/index.js'
export * from './matching/index.js'
export * from './peer/create-peer.js'
export * from './peer/gossip-config.js'
export type * from './peer/types.js'
export * from './sdk/light-peer.js'
export * from './sdk/payments.js'
export * from './services/index.js'
