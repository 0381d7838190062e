/**
 * What `cocoon status` and the log say about reaching this node: whether it
 * has an address peers can dial directly (public, or inside the operator's
 * `publicRanges`; AutoNAT-verified when libp2p counts it public), through
 * which relays it is reachable otherwise, and how many relayed connections
 * DCUtR upgraded to direct ones. On TCP js-libp2p cannot hole-punch (Node
 * dials out from no listening port, so identify ignores observed TCP
 * addresses), so "upgraded" stays 0 there: the count is what happened, not
 * a promise.
 */

import type { CocoonPeer } from '@cocoon-mesh/client/internal'
import type { Connection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { NodeReachability } from '../home/state.js'
import { isPublicIp } from '../network/nat-services.js'

const CIRCUIT = 'p2p-circuit'

function isCircuit(addr: Multiaddr): boolean {
  return addr.getComponents().some((c) => c.name === CIRCUIT)
}

function ipOf(addr: Multiaddr): string | undefined {
  const first = addr.getComponents()[0]
  return first?.name === 'ip4' || first?.name === 'ip6' ? first.value : undefined
}

/** What the tracker reports as it happens (the node log's lines). */
export interface ReachabilityEvents {
  /** A relay address gained (a reservation) or lost. */
  relayAddress(address: string, held: boolean): void
  /** A relayed (limited) connection opened. */
  relayedConnection(peer: string, via: string): void
  /** A direct connection followed a relayed one to the same peer. */
  upgraded(peer: string, via: string): void
}

/** Follows the node's addresses and connections; `snapshot()` is the status's `reachability`. */
export class ReachabilityTracker {
  readonly #peer: CocoonPeer
  readonly #publicRanges: readonly string[]
  readonly #relayed = new Set<string>()
  #upgraded = 0
  #relayedConnections = 0

  readonly #known = new Set<string>()

  readonly #on: ReachabilityEvents

  constructor(peer: CocoonPeer, publicRanges: readonly string[], on: ReachabilityEvents) {
    this.#peer = peer
    this.#publicRanges = publicRanges
    this.#on = on
    const onRelayAddress = on.relayAddress
    peer.libp2p.addEventListener('connection:open', (e) => this.#onOpen(e.detail))
    const update = (): void => {
      const now = new Set(this.relayAddresses())
      for (const a of now) if (!this.#known.has(a)) onRelayAddress(a, true)
      for (const a of this.#known) if (!now.has(a)) onRelayAddress(a, false)
      this.#known.clear()
      for (const a of now) this.#known.add(a)
    }
    peer.libp2p.addEventListener('self:peer:update', update)
    peer.libp2p.addEventListener('transport:listening', update)
    peer.libp2p.addEventListener('transport:close', update)
    // a reservation made while the node started is reported too
    update()
  }

  /** A direct connection to a peer this node had a relayed one to is an upgrade (DCUtR, or a direct redial). */
  #onOpen(connection: Connection): void {
    const peer = connection.remotePeer.toString()
    const via = connection.remoteAddr.toString()
    if (connection.limits !== undefined) {
      this.#relayedConnections++
      this.#relayed.add(peer)
      this.#on.relayedConnection(peer, via)
      return
    }
    if (this.#relayed.delete(peer)) {
      this.#upgraded++
      this.#on.upgraded(peer, via)
    }
  }

  /** The relay addresses (`…/p2p-circuit`) the node holds reservations behind. */
  relayAddresses(): string[] {
    return this.#peer.libp2p
      .getMultiaddrs()
      .filter(isCircuit)
      .map((a) => a.toString())
  }

  snapshot(): NodeReachability {
    const addrs = this.#peer.libp2p.getMultiaddrs()
    const direct = addrs
      .filter((a) => !isCircuit(a))
      .filter((a) => {
        const ip = ipOf(a)
        return ip !== undefined && isPublicIp(ip, this.#publicRanges)
      })
      .map((a) => a.toString())
    const relays = this.relayAddresses()
    return {
      status: direct.length > 0 ? 'public' : relays.length > 0 ? 'relayed' : 'unreachable',
      publicAddresses: direct,
      relays,
      relayedConnections: this.#relayedConnections,
      upgradedConnections: this.#upgraded,
    }
  }
}
