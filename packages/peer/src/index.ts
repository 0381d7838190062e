/**
 * @packageDocumentation
 *
 * A Cocoon Mesh peer: the libp2p node, DHT discovery, the gossipsub order
 * book, the job protocol, client-side matching, the light peer SDK, the
 * OpenAI-compatible gateway and the `cocoon` CLI.
 */
export * from './matching/index.js'
