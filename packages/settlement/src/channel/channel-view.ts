// Reading a channel's state, apart from channels.ts so that a web page can read one
// without the node's wallet and store modules.
import { Address } from '@ton/core'
import { type ChainClient, openOn } from '../chain/chain-client.js'
import { type ChannelBalances, type ChannelState, PaymentChannel } from '../contract/payment-channel.js'
import type { ChainError } from '../errors.js'

export interface ChannelView {
  address: string
  state: ChannelState
  balances: ChannelBalances
}

/** What {@link readChannel} throws: the endpoint failing, or a foreign error of its get-methods or of `Address.parse`. */
export type ReadChannelErrorType = ChainError | Error

/**
 * Reads a channel's on-chain state; undefined when not deployed.
 * @throws {ReadChannelErrorType}
 */
export async function readChannel(chain: ChainClient, address: string): Promise<ChannelView | undefined> {
  const addr = Address.parse(address)
  if ((await chain.getStatus(addr)) !== 'active') return undefined
  const channel = openOn(chain, PaymentChannel.createFromAddress(addr))
  return {
    address: addr.toRawString(),
    state: await channel.getState(),
    balances: await channel.getBalances(),
  }
}
