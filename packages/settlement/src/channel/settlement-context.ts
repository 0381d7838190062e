import { join } from 'node:path'
import { errorMessage } from '@cocoon-mesh/protocol'
import {
  chainApiKeyFromEnv,
  chainEndpointFromEnv,
  DEFAULT_TON_ENDPOINT,
  pollIntervalFor,
} from '../chain/networks.js'
import { TonChainClient } from '../chain/ton-chain-client.js'
import { type InvalidSettlementInputError, WalletError } from '../errors.js'
import { openVoucherStore } from '../store/level-store.js'
import type { VoucherStore } from '../store/voucher-store.js'
import type { NodeWallet } from '../wallet/wallet.js'
import { loadWallet, resolveHome } from '../wallet/wallet-files.js'

export interface SettlementOptions {
  home?: string
  /** toncenter v2 jsonRPC endpoint; default `$COCOON_TON_ENDPOINT`, the `$COCOON_TON_NETWORK`'s, or the local devnet. */
  endpoint?: string
  /** default `$COCOON_TON_API_KEY`, else `$TONCENTER_API_KEY`. */
  apiKey?: string
}

/** What a settlement CLI command works with: wallet, chain and the voucher store in the home folder. */
export interface SettlementContext {
  home: string
  endpoint: string
  wallet: NodeWallet
  chain: TonChainClient
  store: VoucherStore
  close(): Promise<void>
}

/** What {@link openSettlementContext} throws: no or a bad wallet, the store cannot be opened, or an unknown `COCOON_TON_NETWORK`. */
export type OpenSettlementContextErrorType = WalletError | InvalidSettlementInputError

/**
 * Loads the wallet of the home folder and opens its voucher store, for one CLI command.
 * @throws {OpenSettlementContextErrorType}
 */
export async function openSettlementContext(options: SettlementOptions = {}): Promise<SettlementContext> {
  const home = resolveHome(options.home)
  const endpoint = options.endpoint ?? chainEndpointFromEnv() ?? DEFAULT_TON_ENDPOINT
  const apiKey = options.apiKey ?? chainApiKeyFromEnv()
  const wallet = await loadWallet(home)
  const chain = new TonChainClient({
    endpoint,
    ...(apiKey === undefined ? {} : { apiKey }),
    pollInterval: pollIntervalFor(endpoint),
  })
  let store: VoucherStore
  try {
    store = await openVoucherStore(join(home, 'settlement'))
  } catch (cause) {
    throw new WalletError('cannot open the settlement store', {
      details: `${join(home, 'settlement')} is locked or unreadable; is a cocoon node running with this home? (${errorMessage(cause)})`,
      cause,
    })
  }
  return { home, endpoint, wallet, chain, store, close: () => store.close() }
}
