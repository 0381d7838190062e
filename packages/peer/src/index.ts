/**
 * @packageDocumentation
 *
 * A Cocoon Mesh full node: the provider's job service on the gpu-runtime, the
 * OpenAI-compatible gateway, the node's home folder (config, identity,
 * state), provider settlement, the local demo mesh and the `cocoon` CLI. It
 * builds on `@cocoon-mesh/client`, which holds the libp2p node, the order book
 * and the job client; apps install that package alone.
 */

export { type CocoonPeer, type CreatePeerOptions, createPeer } from '@cocoon-mesh/client/internal'
export * from './cli/provider-settlement.js'
export { type RunNodeOptions, type RunningNode, runNode } from './cli/run-node.js'
export * from './demo/mesh.js'
export * from './gateway/index.js'
export * from './home/index.js'
export * from './jobs/index.js'
