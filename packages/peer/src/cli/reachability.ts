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
import type { NodeReachability } from '../home/state.js'
import { ipOf, isCircuitAddress as isCircuit, isPublicIp } from '../network/nat-services.js'

/** What the tracker reports as it happens (the node log's lines). */
export interface ReachabilityEvents {
  /** A relay address gained (a reservation) or lost. */
  relayAddress(address: string, held: boolean): void
  /** A public address gained (a UPnP mapping, a public interface) or lost. */
  publicAddress(address: string, held: boolean): void
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

  readonly #knownRelays = new Set<string>()
  readonly #knownPublic = new Set<string>()

  readonly #on: ReachabilityEvents

  constructor(peer: CocoonPeer, publicRanges: readonly string[], on: ReachabilityEvents) {
    this.#peer = peer
    this.#publicRanges = publicRanges
    this.#on = on
    peer.libp2p.addEventListener('connection:open', (e) => this.#onOpen(e.detail))
    const update = (): void => {
      diff(this.#knownRelays, this.relayAddresses(), on.relayAddress)
      diff(this.#knownPublic, this.publicAddresses(), on.publicAddress)
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

  /** The direct addresses peers can dial: public, or inside `publicRanges`. */
  publicAddresses(): string[] {
    return this.#peer.libp2p
      .getMultiaddrs()
      .filter((a) => {
        const ip = ipOf(a)
        return !isCircuit(a) && ip !== undefined && isPublicIp(ip, this.#publicRanges)
      })
      .map((a) => a.toString())
  }

  snapshot(): NodeReachability {
    const direct = this.publicAddresses()
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

/** Reports what entered and what left `known` since the last call, and makes `known` the `now` set. */
function diff(
  known: Set<string>,
  now: readonly string[],
  report: (address: string, held: boolean) => void,
): void {
  const current = new Set(now)
  for (const a of current) if (!known.has(a)) report(a, true)
  for (const a of known) if (!current.has(a)) report(a, false)
  known.clear()
  for (const a of current) known.add(a)
}
