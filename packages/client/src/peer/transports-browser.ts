/**
 * The transports of a light peer in a browser: WebSockets to full nodes'
 * `/ws` (or `/wss` behind a TLS terminator) and circuit relay v2 through
 * them to providers behind NAT, or the in-page memory transport; no TCP. See dial-policy.ts for which addresses it dials.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import type { ConnectionGater } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { webSockets } from '@libp2p/websockets'
import { DIAL_ANY_GATER, type DialPolicyOptions, localMesh } from './dial-policy.js'
import type { PeerTransportsOptions, TransportFactory } from './transports-node.js'

export type { PeerTransportsOptions, TransportFactory } from './transports-node.js'

export function peerTransports(options: PeerTransportsOptions): TransportFactory[] {
  return options.transport === 'memory'
    ? [memory({ latency: options.memoryLatency ?? 0 })]
    : [webSockets(), circuitRelayTransport()]
}

/** A local mesh is dialled on any address; otherwise libp2p's browser default gater applies. */
export function peerConnectionGater(options: DialPolicyOptions): ConnectionGater | undefined {
  return (options.allowPrivateAddresses ?? localMesh(options.bootstrap)) ? DIAL_ANY_GATER : undefined
}
