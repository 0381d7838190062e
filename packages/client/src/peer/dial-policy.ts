/**
 * Which addresses a peer dials. js-libp2p in a browser refuses private and
 * loopback addresses and plain (non-TLS) WebSockets by default, which would
 * keep a page on localhost from the local mesh it was given. The light peer
 * decides from its bootstrap addresses: when every one of them is private or
 * loopback the mesh is a local one, and its private addresses and plain `/ws`
 * are dialled; otherwise libp2p's browser default stands (public nodes are
 * reached over `wss`, behind a TLS terminator). `allowPrivateAddresses`
 * overrides the guess either way.
 */
import type { ConnectionGater } from '@libp2p/interface'
import { isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'

export interface DialPolicyOptions {
  /** The peer's bootstrap multiaddrs. */
  bootstrap: readonly string[]
  /** Dial private and loopback addresses (and, in a browser, plain `/ws`); default: see {@link localMesh}. */
  allowPrivateAddresses?: boolean | undefined
}

/** True when there are bootstrap addresses and every one is private or loopback (a LAN or localhost mesh). */
export function localMesh(bootstrap: readonly string[]): boolean {
  return bootstrap.length > 0 && bootstrap.every((addr) => isPrivate(multiaddr(addr)))
}

/** A gater that dials every address: what a browser needs to reach a local mesh. */
export const DIAL_ANY_GATER: ConnectionGater = { denyDialMultiaddr: () => false }

/** A gater that refuses private and loopback addresses. */
export const DENY_PRIVATE_GATER: ConnectionGater = { denyDialMultiaddr: (ma) => isPrivate(ma) }
