import { errorLine } from '@cocoon-mesh/protocol'
import { type ChainClient, type ChannelView, readChannel } from '@cocoon-mesh/settlement'

/** A channel's on-chain view, or why the chain could not be read. */
export type ChainRead =
  | { view: ChannelView | undefined; error?: undefined }
  | { view?: undefined; error: string }

/**
 * Reads a channel on chain for display: a chain error becomes `error` (shown
 * as {@link unknownOnChain}) instead of failing the whole listing.
 * `view` is undefined for a channel that is not deployed.
 */
export async function readChannelForDisplay(chain: ChainClient, address: string): Promise<ChainRead> {
  try {
    return { view: await readChannel(chain, address) }
  } catch (error) {
    return { error: errorLine(error) }
  }
}

/** How a value that could not be read from the chain is shown. */
export function unknownOnChain(error: string): string {
  return `unknown (chain error: ${error})`
}
