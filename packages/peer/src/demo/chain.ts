/**
 * The demo's chain side: a local TON devnet, provider wallets funded and
 * deployed before the providers start (so they can send claims), and the
 * client's wallet, voucher store and channels.
 */
import type { RankedOffer } from '@cocoon-mesh/client/internal'
import { openChannel, readChannel, sendFromWallet, walletFromMnemonic } from '@cocoon-mesh/settlement'
import { type Devnet, startDevnet } from '@cocoon-mesh/settlement/devnet'
import {
  loadOrCreateWalletMnemonic,
  openSettlementContext,
  type SettlementContext,
} from '@cocoon-mesh/settlement/node'
import { Address, toNano } from '@ton/core'

export interface DemoChain {
  devnet: Devnet
  client: SettlementContext
  stop(): Promise<void>
}

/** Starts the devnet, funds the client and funds and deploys each provider home's wallet. */
export async function startDemoChain(clientHome: string, providerHomes: string[]): Promise<DemoChain> {
  const devnet = await startDevnet({ port: 0 })
  try {
    await loadOrCreateWalletMnemonic(clientHome)
    const client = await openSettlementContext({ home: clientHome, endpoint: devnet.endpoint })
    await devnet.faucet(client.wallet.address, toNano('50'))
    for (const home of providerHomes) {
      const wallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(home)).mnemonic)
      await devnet.faucet(wallet.address, toNano('1'))
      // a first transfer deploys the wallet contract; claims are sent from it
      await sendFromWallet(client.chain, wallet, [
        { to: client.wallet.address, value: toNano('0.01'), bounce: false },
      ])
    }
    return {
      devnet,
      client,
      async stop() {
        await client.close()
        await devnet.stop()
      },
    }
  } catch (error) {
    await devnet.stop()
    throw error
  }
}

/** Opens a channel from the client to the provider of `offer`, to its payout address and settlement key. */
export async function openChannelTo(chain: DemoChain, offer: RankedOffer, deposit: bigint): Promise<string> {
  const { address } = await openChannel({
    chain: chain.client.chain,
    wallet: chain.client.wallet,
    store: chain.client.store,
    providerAddress: Address.parse(offer.offer.payoutAddress),
    providerKey: offer.offer.settlementKey,
    deposit,
    exitDelay: 3600,
    peerId: offer.providerId,
  })
  return address.toRawString()
}

/** What the client signed through a channel and what its provider claimed on chain. */
export async function channelTotals(
  chain: DemoChain,
  channel: string,
): Promise<{ signed: bigint; claimed: bigint; deposit: bigint }> {
  const view = await readChannel(chain.client.chain, channel)
  return {
    signed: (await chain.client.store.clientChannel(channel))?.signed ?? 0n,
    claimed: view?.balances.claimed ?? 0n,
    deposit: view?.state.deposit ?? 0n,
  }
}
