import { IpNet } from '@chainsafe/netmask'

/**
 * Where an order-book message came from, as far as this peer can tell: the
 * peer that handed it over and the IP of that connection. The peer is the
 * origin only when it is the offer's provider; otherwise it is a relay and
 * the origin's own address is unknown.
 */
export interface MessageSource {
  /** Peer id (string) of the peer that handed the message over. */
  peer: string
  /** IP address of that peer's connection, when known (not on the memory transport). */
  ip?: string
}

/**
 * How sources are grouped: by IPv4 /24 or IPv6 /48 of the connection
 * (`subnet`, the default: an attacker pays per subnet, not per key or port),
 * or by the handing peer's id (`peer`: every peer is its own source, for a
 * mesh on one host such as 127.0.0.1, where every peer shares one subnet).
 */
export type SourceGrouping = 'subnet' | 'peer'

/** The /24 (IPv4, also IPv4-mapped IPv6) or /48 (IPv6) network of an IP, e.g. `1.2.3.0/24`; undefined when it does not parse. */
export function subnetOf(ip: string): string | undefined {
  if (subnets.has(ip)) return subnets.get(ip)
  const subnet = parseSubnet(ip)
  if (subnets.size >= MAX_SUBNETS) subnets.clear()
  subnets.set(ip, subnet)
  return subnet
}

/**
 * Subnets by IP: every message of a source is attributed several times on
 * its way through validation and the book, and the connected peers' IPs are
 * few. Dropped wholesale when full.
 */
const subnets = new Map<string, string | undefined>()
const MAX_SUBNETS = 4096

function parseSubnet(ip: string): string | undefined {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)?.[1]
  try {
    return v4 === undefined ? new IpNet(ip.split('%')[0] ?? ip, 48).toString() : new IpNet(v4, 24).toString()
  } catch {
    // not an IP (e.g. a DNS name left in the address): the caller groups by peer instead
    return undefined
  }
}

/**
 * The origin group an identity's message is attributed to:
 * `direct:<net>` when the provider handed over its own message (the address
 * is the origin's), `via:<net>` when a relay did (the relay's address: the
 * origin's is unknown, so the relay's neighbourhood answers for it). `<net>`
 * is the source's subnet, or its peer id with `peer` grouping or no IP.
 */
export function originGroup(source: MessageSource, provider: string, grouping: SourceGrouping): string {
  const net = grouping === 'subnet' && source.ip !== undefined ? subnetOf(source.ip) : undefined
  return `${source.peer === provider ? 'direct' : 'via'}:${net ?? source.peer}`
}
