/**
 * Paying from the page: the voucher store on the page's IndexedDB, a voucher
 * key of the page's own (kept there too), and a channel to the provider
 * opened from a wallet with the request `channelOpenTransaction` builds.
 */
import { channelLookup, type RankedOffer } from '@cocoon-mesh/client'
import {
  type ClientPayments,
  channelOpenTransaction,
  clientPayments,
  type SigningKey,
  signingKeyFromSeed,
  TON_CONNECT_NETWORKS,
  TonChainClient,
  type TonNetwork,
  VoucherStore,
  waitForChannelOpen,
} from '@cocoon-mesh/settlement'
import { Address, toNano } from '@ton/core'
import { type Datastore, Key } from 'interface-datastore'
import { storageError } from './storage.js'
import type { WalletAdapter } from './wallet/wallet.js'

const VOUCHER_SEED = new Key('/cocoon/voucher-seed')
/** What a channel opened from the page holds: many summaries at the demo's prices. */
export const DEPOSIT = toNano('2')

export interface PagePayments {
  payments: ClientPayments
  /**
   * The open channel to the offer's provider: the stored one when it is live
   * on chain, else one the wallet deploys now (waited for, then stored).
   */
  channelTo(offer: RankedOffer, wallet: () => Promise<WalletAdapter>): Promise<string>
  /** nanoTON the page has signed through `channel` so far. */
  signed(channel: string): Promise<bigint>
  close(): Promise<void>
}

export interface PagePaymentsOptions {
  store: Datastore
  /** The toncenter v2 endpoint channels are read from (the devnet's for a local mesh). */
  endpoint: string
  network: TonNetwork
}

export async function pagePayments(options: PagePaymentsOptions): Promise<PagePayments> {
  const key = await loadOrCreateVoucherKey(options.store)
  const store = new VoucherStore(options.store)
  const chain = new TonChainClient({ endpoint: options.endpoint })
  const lookup = channelLookup({ store, chain })
  return {
    payments: clientPayments({ store, key, channelFor: lookup }),
    async channelTo(offer, wallet) {
      const existing = await lookup(offer.offer.settlementKey, offer.offer.payoutAddress)
      if (existing !== undefined) return existing.address
      const from = await wallet()
      const { request, channel } = channelOpenTransaction({
        clientKey: key.publicKey,
        providerKey: offer.offer.settlementKey,
        provider: payoutFor(offer.offer.payoutAddress, options.network),
        deposit: DEPOSIT,
        wallet: from.address,
        network: TON_CONNECT_NETWORKS[options.network],
      })
      await from.sendTransaction(request)
      await waitForChannelOpen({ chain, channel })
      await store.putChannelMeta({ ...channel.meta, peerId: offer.providerId, createdAt: Date.now() })
      return channel.address
    },
    async signed(channel) {
      return (await store.clientChannel(channel))?.signed ?? 0n
    },
    close: () => store.close(),
  }
}

/**
 * The payout address as the request names it. A devnet's providers announce
 * theirs without the test-only flag that TON Connect's testnet checks; there
 * the raw form, which names no network, is passed. On testnet and mainnet the
 * announced form is checked against the wallet's network as it is.
 */
function payoutFor(payout: string, network: TonNetwork): string {
  return network === 'devnet' ? Address.parse(payout).toRawString() : payout
}

async function loadOrCreateVoucherKey(store: Datastore): Promise<SigningKey> {
  try {
    if (await store.has(VOUCHER_SEED)) return signingKeyFromSeed(await store.get(VOUCHER_SEED))
    const seed = crypto.getRandomValues(new Uint8Array(32))
    await store.put(VOUCHER_SEED, seed)
    return signingKeyFromSeed(seed)
  } catch (cause) {
    throw storageError('reading or storing the voucher key failed', cause)
  }
}
