/**
 * The transports of a peer under Node: TCP and WebSockets (full nodes listen
 * on both, so browsers reach them on `/ws`) and circuit relay v2 (to dial a
 * provider behind NAT through its relay), or the in-process memory
 * transport. `#transports` resolves here under Node and to
 * transports-browser.ts in browsers; both export the same functions.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import type { ConnectionGater } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import type { Libp2pOptions } from 'libp2p'
import { DENY_PRIVATE_GATER, type DialPolicyOptions } from './dial-policy.js'

export interface PeerTransportsOptions {
  transport: 'tcp' | 'memory'
  memoryLatency?: number | undefined
}

/** libp2p's transport factories, as `createLibp2p` takes them. */
export type TransportFactory = NonNullable<Libp2pOptions['transports']>[number]

export function peerTransports(options: PeerTransportsOptions): TransportFactory[] {
  return options.transport === 'memory'
    ? [memory({ latency: options.memoryLatency ?? 0 })]
    : [tcp(), webSockets(), circuitRelayTransport()] // every peer can dial a NATed provider through a relay
}

/**
 * Node dials any address (libp2p's default): LAN and loopback addresses are
 * legitimate in the mesh. `allowPrivateAddresses: false` refuses them.
 */
export function peerConnectionGater(options: DialPolicyOptions): ConnectionGater | undefined {
  return options.allowPrivateAddresses === false ? DENY_PRIVATE_GATER : undefined
}
