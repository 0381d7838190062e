/**
 * @packageDocumentation
 *
 * A Cocoon Mesh peer: a js-libp2p 3 node (TCP/WebSockets, noise, yamux,
 * Kademlia DHT under `/cocoon/kad/1.0.0`, gossipsub), the validated
 * order book of GPU offers, offer publishing and DHT discovery, the light
 * peer for apps, and the `cocoon` operator CLI.
 */
export * from './peer/create-peer.js'
export * from './peer/gossip-config.js'
export type * from './peer/types.js'
