/**
 * Which of its addresses a node tells peers, through identify and in its
 * offers. libp2p dials a peer's addresses one at a time, each until it
 * answers or times out, so a home LAN address in a NATed provider's offer
 * holds every public client for seconds before the relay address is tried.
 */
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { NetworkConfig } from '../home/network-config.js'
import { isPublicIp, type NatPlan } from './nat-services.js'

/** Whether `addr` goes through a relay (`…/p2p-circuit`). */
export function isCircuitAddress(addr: Multiaddr): boolean {
  return addr.getComponents().some((c) => c.name === 'p2p-circuit')
}

/** The IP an address starts with, if it is IP-based. */
export function ipOf(addr: Multiaddr): string | undefined {
  const first = addr.getComponents()[0]
  return first?.name === 'ip4' || first?.name === 'ip6' ? first.value : undefined
}

/** Whether `addr` is a direct address on a private or loopback IP (not a relay address, not DNS). */
function isPrivateDirect(addr: Multiaddr, publicRanges: readonly string[]): boolean {
  const ip = ipOf(addr)
  return ip !== undefined && !isCircuitAddress(addr) && !isPublicIp(ip, publicRanges)
}

/**
 * libp2p's `announceFilter` for `network.announcePrivate`: `true` keeps
 * every address; `false` drops the private ones; `auto` drops them on a node
 * of the public mesh (see {@link onPublicMesh}), and keeps them on a LAN or
 * a one-host mesh, where they are the only way in. The choice is made once,
 * at start: what a node announces before its first relay reservation is
 * stored by the peers it meets (with its DHT provider records too) and not
 * forgotten.
 */
export function announceFilter(
  network: Pick<NetworkConfig, 'announcePrivate' | 'publicRanges'>,
  publicMesh: boolean,
): (addrs: Multiaddr[]) => Multiaddr[] {
  const { announcePrivate, publicRanges } = network
  if (announcePrivate === true || (announcePrivate === 'auto' && !publicMesh)) return (addrs) => addrs
  return (addrs) => addrs.filter((a) => !isPrivateDirect(a, publicRanges))
}

/**
 * Whether a node is part of the public mesh: it has a public address
 * itself, or one of its bootstrap peers has one (a home node joining the
 * internet's mesh, where nobody can dial its LAN address).
 */
export function onPublicMesh(
  isPublic: boolean,
  bootstrap: readonly string[],
  publicRanges: readonly string[],
): boolean {
  if (isPublic) return true
  return bootstrap.some((addr) => {
    try {
      const ip = ipOf(multiaddr(addr))
      return ip !== undefined && isPublicIp(ip, publicRanges)
    } catch {
      // a malformed bootstrap address is reported where the node dials it
      return false
    }
  })
}

/**
 * A full node's DHT mode: on the public mesh a node behind NAT (one that
 * reserves relay slots) is only a DHT client until libp2p holds a public
 * address for it (a UPnP mapping), since peers that took it for a server
 * would send their queries to addresses that cannot carry them; every other
 * full node serves.
 */
export function dhtMode(nat: Pick<NatPlan, 'reservations'>, publicMesh: boolean): 'server' | 'auto' {
  return publicMesh && nat.reservations > 0 ? 'auto' : 'server'
}
