/** How a light peer opens a job stream to a provider, and names the connection it runs on. */
import { JOB_PROTOCOL } from '@cocoon-mesh/protocol'
import { type Libp2p, LimitedConnectionError, type PeerId, type Stream } from '@libp2p/interface'
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
 */
export async function dialJobStream(
  libp2p: Libp2p,
  peerId: PeerId,
  options: JobDialOptions,
): Promise<Stream> {
  const open = libp2p.getConnections(peerId)
  // connected through a relay only (the warm-up dial found no direct way): no second search for one
  if (open.length > 0 && open.every((connection) => connection.limits !== undefined))
    return libp2p.dialProtocol(peerId, JOB_PROTOCOL, { ...options, runOnLimitedConnection: true })
  try {
    return await libp2p.dialProtocol(peerId, JOB_PROTOCOL, options)
  } catch (error) {
    if (!(error instanceof LimitedConnectionError)) throw error
    return libp2p.dialProtocol(peerId, JOB_PROTOCOL, { ...options, runOnLimitedConnection: true })
  }
}

/** The remote address of the connection `stream` runs on (`/p2p-circuit` in it: through a relay). */
export function streamVia(libp2p: Libp2p, providerId: string, stream: Stream): string | undefined {
  return libp2p
    .getConnections(peerIdFromString(providerId))
    .find((connection) => connection.streams.includes(stream))
    ?.remoteAddr.toString()
}
