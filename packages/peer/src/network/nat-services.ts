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
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { ServiceFactoryMap } from 'libp2p'
import type { NetworkConfig } from '../home/network-config.js'
import { relayReservations } from './relay-reservations.js'

/** Relays a node without a public address reserves a slot on, unless configured. */
export const AUTO_RELAY_RESERVATIONS = 2

/** What {@link natPlan} decided for a node: what it serves, how many relays it reserves on, its services. */
export interface NatPlan {
  /** Whether the node serves relay reservations. */
  serveRelay: boolean
  /** Relays it reserves a slot on. */
  reservations: number
  /** Whether it is part of the public mesh (see {@link onPublicMesh}). */
  publicMesh: boolean
  /** The DHT mode of the full node (see {@link dhtMode}). */
  dhtMode: 'server' | 'auto'
  services: ServiceFactoryMap<Record<string, unknown>>
}

/** Whether `addr` goes through a relay (`…/p2p-circuit`). */
export function isCircuitAddress(addr: Multiaddr): boolean {
  return addr.getComponents().some((c) => c.name === 'p2p-circuit')
}

/** The IP an address starts with, if it is IP-based. */
export function ipOf(addr: Multiaddr): string | undefined {
  const first = addr.getComponents()[0]
  return first?.name === 'ip4' || first?.name === 'ip6' ? first.value : undefined
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
 * The NAT plan of a full node from its `network` config: a relay server
 * when it has a public address (or is told to serve), reservations on relays
 * when it has none but a routable address, AutoNAT, DCUtR, and UPnP unless
 * it only listens on loopback (no home router to ask); and whether it is on
 * the public mesh, which decides what it announces and its DHT mode.
 */
export function natPlan(
  network: NetworkConfig,
  listen: readonly string[],
  announce: readonly string[],
  bootstrap: readonly string[] = [],
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
  const publicMesh = onPublicMesh(isPublic, bootstrap, network.publicRanges)
  return {
    serveRelay,
    reservations,
    publicMesh,
    dhtMode: dhtMode({ reservations }, publicMesh),
    services: natServices(network, { serveRelay, reservations, routable }),
  }
}

/** js-libp2p's services for a plan. */
function natServices(
  network: NetworkConfig,
  plan: { serveRelay: boolean; reservations: number; routable: boolean },
): ServiceFactoryMap<Record<string, unknown>> {
  const { serve } = network.relay
  const services: ServiceFactoryMap<Record<string, unknown>> = {}
  if (plan.serveRelay)
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: serve.maxReservations,
        applyDefaultLimit: true,
        defaultDataLimit: BigInt(serve.maxDataBytes),
        defaultDurationLimit: serve.maxDurationMs,
      },
    })
  if (plan.reservations > 0) services.relayReservations = relayReservations({ count: plan.reservations })
  if (network.autonat) services.autonat = autoNATv2()
  if (network.dcutr) services.dcutr = dcutr()
  // the router itself reports the mapping, so its address is announced without waiting for AutoNAT
  // dial-backs, which need several public peers a new node may not have met yet
  if (network.upnp && plan.routable) services.upnp = uPnPNAT({ autoConfirmAddress: true })
  return services
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
