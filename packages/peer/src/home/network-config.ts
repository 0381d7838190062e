/**
 * The `network` section of the config: how the node is reached from behind
 * a NAT (circuit relay v2, AutoNAT, UPnP) and which address ranges count as
 * public.
 */
import { parseCidr } from '@chainsafe/netmask'
import { bad } from './config-fields.js'

/** The relay server this node runs for NATed peers (`circuitRelayServer`). */
export interface RelayServeConfig {
  /** `auto`: serve when the node has a public address (an interface or `publicRanges` address). */
  enabled: boolean | 'auto'
  /** Reservations held at once. */
  maxReservations: number
  /** Bytes one relayed connection may carry in each direction before the relay resets it. */
  maxDataBytes: number
  /** How long one relayed connection may stay open, ms. */
  maxDurationMs: number
}

/** Job streams over relayed (limited) connections, on the provider's side. */
export interface RelayJobsConfig {
  /** Off: a job arriving over a relay is rejected with `RELAYED` (relays carry only the handshake). */
  enabled: boolean
  /** Bytes a relayed job may send before it is cut off. */
  maxBytes: number
  /** How long a relayed job may run, ms. */
  maxDurationMs: number
}

export interface NetworkConfig {
  relay: {
    serve: RelayServeConfig
    /**
     * Relays to hold a reservation on (`/p2p-circuit` listen addresses), so
     * the node is reachable behind a NAT. `auto`: 2 when the node has no
     * public address, else 0.
     */
    reservations: number | 'auto'
    jobs: RelayJobsConfig
  }
  /** Ask peers to dial back (AutoNAT v2) and answer their asks: whether this node is publicly reachable. */
  autonat: boolean
  /** Map the listen ports on the home router (UPnP / NAT-PMP) where it offers it. */
  upnp: boolean
  /** Hole punching (DCUtR) on relayed connections. */
  dcutr: boolean
  /** CIDR ranges counted as public besides the globally routable ones (private WANs, test networks). */
  publicRanges: string[]
  /**
   * Tell peers (identify, offers) the node's private and loopback addresses.
   * `auto`: only off the public mesh (a LAN or a one-host mesh: neither the
   * node nor its bootstrap peers have a public address), since a public peer
   * dialling a home LAN address gets no answer until the dial times out.
   */
  announcePrivate: boolean | 'auto'
}

export const DEFAULT_NETWORK_CONFIG: NetworkConfig = {
  relay: {
    serve: { enabled: 'auto', maxReservations: 15, maxDataBytes: 1 << 17, maxDurationMs: 120_000 },
    reservations: 'auto',
    jobs: { enabled: false, maxBytes: 4 << 20, maxDurationMs: 60_000 },
  },
  autonat: true,
  upnp: true,
  dcutr: true,
  publicRanges: [],
  announcePrivate: 'auto',
}

/** The commented `network` section of the default config. */
export const NETWORK_CONFIG_TEXT = `
  // Reachability. A node with a public address serves circuit-relay reservations; a node behind
  // NAT reserves slots on relays and is dialled through them (its offer carries the relay addresses).
  "network": {
    "relay": {
      // Serve relay reservations: "auto" (when this node has a public address), true or false.
      // The limits bound each relayed connection (bytes each way, ms open).
      "serve": { "enabled": "auto", "maxReservations": 15, "maxDataBytes": 131072, "maxDurationMs": 120000 },
      // Relays to reserve a slot on: "auto" (2 when this node has no public address) or a number.
      "reservations": "auto",
      // Serve jobs that arrive over a relayed connection (off: they are rejected with RELAYED and only the
      // handshake crosses relays). The relay's own limits apply too.
      "jobs": { "enabled": false, "maxBytes": 4194304, "maxDurationMs": 60000 }
    },
    // AutoNAT v2 (is this node publicly reachable?), UPnP/NAT-PMP port mapping, DCUtR hole punching.
    "autonat": true,
    "upnp": true,
    "dcutr": true,
    // CIDR ranges to count as public addresses, e.g. a private WAN (COCOON_PUBLIC_RANGES, comma separated).
    "publicRanges": [],
    // Announce private and loopback addresses: "auto" (only when neither this node nor its bootstrap peers
    // have a public address: a LAN or one-host mesh), true or false.
    "announcePrivate": "auto"
  },
`

type Section = Record<string, unknown>

/** The `network` section, each field defaulting to DEFAULT_NETWORK_CONFIG's. */
export function networkConfig(source: string, network: Section): NetworkConfig {
  const d = DEFAULT_NETWORK_CONFIG
  const relay = sub(source, 'network.relay', network.relay)
  const serve = sub(source, 'network.relay.serve', relay.serve)
  const jobs = sub(source, 'network.relay.jobs', relay.jobs)
  const f = (name: string): string => `network.relay.${name}`
  return {
    relay: {
      serve: {
        enabled: autoBool(source, f('serve.enabled'), serve.enabled, d.relay.serve.enabled),
        maxReservations: count(source, f('serve.maxReservations'), serve.maxReservations, 15),
        maxDataBytes: count(source, f('serve.maxDataBytes'), serve.maxDataBytes, d.relay.serve.maxDataBytes),
        maxDurationMs: count(source, f('serve.maxDurationMs'), serve.maxDurationMs, 120_000),
      },
      reservations:
        relay.reservations === 'auto' || relay.reservations === undefined
          ? 'auto'
          : count(source, f('reservations'), relay.reservations, 0, true),
      jobs: {
        enabled: flag(source, f('jobs.enabled'), jobs.enabled, d.relay.jobs.enabled),
        maxBytes: count(source, f('jobs.maxBytes'), jobs.maxBytes, d.relay.jobs.maxBytes),
        maxDurationMs: count(source, f('jobs.maxDurationMs'), jobs.maxDurationMs, d.relay.jobs.maxDurationMs),
      },
    },
    autonat: flag(source, 'network.autonat', network.autonat, d.autonat),
    upnp: flag(source, 'network.upnp', network.upnp, d.upnp),
    dcutr: flag(source, 'network.dcutr', network.dcutr, d.dcutr),
    publicRanges: cidrs(source, 'network.publicRanges', network.publicRanges ?? d.publicRanges),
    announcePrivate: autoBool(source, 'network.announcePrivate', network.announcePrivate, d.announcePrivate),
  }
}

/**
 * Validates CIDR ranges (`198.18.0.0/24`; exported for COCOON_PUBLIC_RANGES).
 * @throws {MalformedConfigError}
 */
export function cidrs(source: string, field: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw bad(source, field, 'an array of CIDR ranges such as "198.18.0.0/24"', value)
  for (const range of value) {
    try {
      parseCidr(range)
    } catch {
      throw bad(source, field, 'CIDR ranges such as "198.18.0.0/24" or "fd00::/8"', range)
    }
  }
  return value
}

function sub(source: string, field: string, value: unknown): Section {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(source, field, 'an object', value)
  return value as Section
}

function flag(source: string, field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw bad(source, field, 'true or false', value)
  return value
}

function autoBool(
  source: string,
  field: string,
  value: unknown,
  fallback: boolean | 'auto',
): boolean | 'auto' {
  if (value === undefined) return fallback
  if (value !== 'auto' && typeof value !== 'boolean') throw bad(source, field, '"auto", true or false', value)
  return value
}

function count(source: string, field: string, value: unknown, fallback: number, zero = false): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (zero ? 0 : 1))
    throw bad(source, field, zero ? 'a non-negative integer' : 'a positive integer', value)
  return value
}
