/** What the page pays from: a TON Connect wallet, or a devnet wallet of its own. */
import type { TonConnectTransactionRequest, TonConnectTransactionResponse } from '@cocoon-mesh/settlement'

export interface WalletAdapter {
  /** The wallet's address, raw `0:<hex>`: the channel's client party, refunds go there. */
  readonly address: string
  /** Sends the request as TON Connect's `sendTransaction` does; resolves with the signed external message. */
  sendTransaction(request: TonConnectTransactionRequest): Promise<TonConnectTransactionResponse>
}
