/**
 * NAT traversal with js-libp2p's own services: the circuit relay v2 server
 * (nodes with a public address), relay reservations (nodes without one),
 * AutoNAT v2, DCUtR and UPnP/NAT-PMP port mapping.
 *
 * DCUtR runs, but on TCP it cannot succeed in js-libp2p: Node cannot dial
 * out from the listening port, so identify drops every observed TCP address
 * and a NATed node knows no public address to punch to (DCUtR then logs
 * "connect message had no dialable multiaddrs"). Jobs to a NATed provider go
 * over the relay where `network.relay.jobs` allows it.
 */
import { networkInterfaces } from 'node:os'
import { cidrContains } from '@chainsafe/netmask'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { uPnPNAT } from '@libp2p/upnp-nat'
import { isPrivateIp } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { ServiceFactoryMap } from 'libp2p'
import type { NetworkConfig } from '../home/network-config.js'
import { relayReservations } from './relay-reservations.js'

/** Relays a node without a public address reserves a slot on, unless configured. */
export const AUTO_RELAY_RESERVATIONS = 2

/** What {@link natPlan} decided for a node: what it serves, how many relays it reserves on, its services. */
export interface NatPlan {
  /** Whether the node serves relay reservations. */
  serveRelay: boolean
  /** Whether it has a public address (an interface's, or inside `publicRanges`). */
  isPublic: boolean
  /** Relays it reserves a slot on. */
  reservations: number
  services: ServiceFactoryMap<Record<string, unknown>>
}

/**
 * Whether `ip` is public: globally routable, or inside one of the
 * operator's `publicRanges` (a private WAN, a test network in 198.18.0.0/15).
 */
export function isPublicIp(ip: string, publicRanges: readonly string[]): boolean {
  if (publicRanges.some((range) => safeContains(range, ip))) return true
  return isPrivateIp(ip) === false
}

function safeContains(range: string, ip: string): boolean {
  try {
    return cidrContains(range, ip)
  } catch {
    // an IPv6 address against an IPv4 range (or the reverse) is simply not inside it
    return false
  }
}

/**
 * The IP addresses the node listens or announces on: a wildcard listen
 * address stands for every interface's address.
 */
export function hostAddresses(listen: readonly string[], announce: readonly string[]): string[] {
  const out = new Set<string>()
  for (const addr of [...listen, ...announce]) {
    const host = multiaddr(addr).getComponents()[0]
    if (host === undefined || (host.name !== 'ip4' && host.name !== 'ip6') || host.value === undefined)
      continue
    if (host.value !== '0.0.0.0' && host.value !== '::') {
      out.add(host.value)
      continue
    }
    for (const nets of Object.values(networkInterfaces()))
      for (const net of nets ?? [])
        if ((net.family === 'IPv4') === (host.name === 'ip4') && !net.internal) out.add(net.address)
  }
  return [...out]
}

/**
 * The NAT services of a full node from its `network` config: a relay server
 * when it has a public address (or is told to serve), reservations on relays
 * when it has none but a routable address, AutoNAT, DCUtR, and UPnP unless
 * it only listens on loopback (no home router to ask).
 */
export function natPlan(
  network: NetworkConfig,
  listen: readonly string[],
  announce: readonly string[],
): NatPlan {
  const hosts = hostAddresses(listen, announce)
  const isPublic = hosts.some((ip) => isPublicIp(ip, network.publicRanges))
  const serveRelay = network.relay.serve.enabled === 'auto' ? isPublic : network.relay.serve.enabled
  // a node only on loopback (a test on one host) has no NAT to get through
  const routable = hosts.some((ip) => !ip.startsWith('127.') && ip !== '::1')
  const reservations =
    network.relay.reservations === 'auto'
      ? isPublic || !routable
        ? 0
        : AUTO_RELAY_RESERVATIONS
      : network.relay.reservations
  const { serve } = network.relay
  const services: ServiceFactoryMap<Record<string, unknown>> = {}
  if (serveRelay)
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: serve.maxReservations,
        applyDefaultLimit: true,
        defaultDataLimit: BigInt(serve.maxDataBytes),
        defaultDurationLimit: serve.maxDurationMs,
      },
    })
  if (reservations > 0) services.relayReservations = relayReservations({ count: reservations })
  if (network.autonat) services.autonat = autoNATv2()
  if (network.dcutr) services.dcutr = dcutr()
  // the router itself reports the mapping, so its address is announced without waiting for AutoNAT
  // dial-backs, which need several public peers a new node may not have met yet
  if (network.upnp && routable) services.upnp = uPnPNAT({ autoConfirmAddress: true })
  return { serveRelay, isPublic, reservations, services }
}
