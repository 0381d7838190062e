/**
 * Which of its addresses a node tells peers, through identify and in its
 * offers. libp2p dials a peer's addresses one at a time, each until it
 * answers or times out, so a home LAN address in a NATed provider's offer
 * holds every public client for seconds before the relay address is tried.
 */
import type { Multiaddr } from '@multiformats/multiaddr'
import type { NetworkConfig } from '../home/network-config.js'
import { ipOf, isCircuitAddress, isPublicIp } from './nat-services.js'

/** Whether `addr` is a direct address on a private or loopback IP (not a relay address, not DNS). */
function isPrivateDirect(addr: Multiaddr, publicRanges: readonly string[]): boolean {
  const ip = ipOf(addr)
  return ip !== undefined && !isCircuitAddress(addr) && !isPublicIp(ip, publicRanges)
}

/**
 * libp2p's `announceFilter` for `network.announcePrivate`: `true` keeps
 * every address; `false` drops the private ones; `auto` drops them on a node
 * of the public mesh (see `onPublicMesh` in nat-services.ts), and keeps them on a LAN or
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
