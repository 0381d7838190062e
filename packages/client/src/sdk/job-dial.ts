/** How a light peer opens a job stream to a provider, and names the connection it runs on. */
import { JOB_PROTOCOL } from '@cocoon-mesh/protocol'
import {
  type Connection,
  type Libp2p,
  LimitedConnectionError,
  type PeerId,
  type Stream,
} from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'

export interface JobDialOptions {
  signal: AbortSignal | undefined
  maxOutboundStreams: number
}

/**
 * Opens a job stream, over a direct connection when libp2p can make one;
 * only when the provider is reachable through a relay alone (libp2p got a
 * limited, relayed connection) is the stream opened on that connection.
 * Whether the provider serves jobs there is its operator's choice: it
 * answers `RELAYED` when not.
 *
 * The relayed stream is opened on the connection itself: `dialProtocol`
 * dials the peer again whenever all its connections are limited, and that
 * dial tries every address the peer announced, one at a time, so a LAN
 * address that drops packets would hold the job until the dial times out.
 */
export async function dialJobStream(
  libp2p: Libp2p,
  peerId: PeerId,
  options: JobDialOptions,
): Promise<Stream> {
  // connected through a relay only (the warm-up dial found no direct way): no second search for one
  const relayed = relayedOnly(libp2p, peerId)
  if (relayed !== undefined)
    return relayed.newStream(JOB_PROTOCOL, { ...options, runOnLimitedConnection: true })
  try {
    return await libp2p.dialProtocol(peerId, JOB_PROTOCOL, options)
  } catch (error) {
    const limited = error instanceof LimitedConnectionError ? relayedOnly(libp2p, peerId) : undefined
    if (limited === undefined) throw error
    return limited.newStream(JOB_PROTOCOL, { ...options, runOnLimitedConnection: true })
  }
}

/** The relayed connection to `peerId` when every open connection to it is relayed (limited). */
function relayedOnly(libp2p: Libp2p, peerId: PeerId): Connection | undefined {
  const open = libp2p.getConnections(peerId).filter((connection) => connection.status === 'open')
  return open.every((connection) => connection.limits !== undefined) ? open[0] : undefined
}

/** The remote address of the connection `stream` runs on (`/p2p-circuit` in it: through a relay). */
export function streamVia(libp2p: Libp2p, providerId: string, stream: Stream): string | undefined {
  return libp2p
    .getConnections(peerIdFromString(providerId))
    .find((connection) => connection.streams.includes(stream))
    ?.remoteAddr.toString()
}
