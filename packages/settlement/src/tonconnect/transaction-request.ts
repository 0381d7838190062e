// The TON Connect `sendTransaction` request, declared here rather than imported from
// @tonconnect/sdk so that settlement neither installs nor bundles the sdk: a page passes
// the object to `tonConnectUI.sendTransaction` as it is. A type test checks it against
// the sdk's `SendTransactionRequest` (test/unit/tonconnect-types.test.ts).
import type { TonNetwork } from '../chain/networks.js'

/** One internal message the wallet sends: the sdk's `SendTransactionRequest['messages'][number]`. */
export interface TonConnectMessage {
  /** Destination, user-friendly: its bounceable flag sets the message's bounce bit. */
  address: string
  /** nanoTON, decimal. */
  amount: string
  /** base64 BoC of the destination's StateInit: deploys it. */
  stateInit?: string
  /** base64 BoC of the message body. */
  payload?: string
  extraCurrency?: {
    [k: number]: string
  }
}

/** The sdk's `SendTransactionRequest`, field for field. */
export interface TonConnectTransactionRequest {
  /** Unix seconds after which the wallet refuses to send. */
  validUntil: number
  /** `-239` mainnet, `-3` testnet (the sdk's `CHAIN`). */
  network?: string
  /** The account that must sign, `<wc>:<hex>`. */
  from?: string
  /** One to four messages. */
  messages: TonConnectMessage[]
}

/** TON Connect network ids, as the sdk's `CHAIN` enum holds them. */
export type TonConnectNetwork = '-239' | '-3'

/**
 * The TON Connect network of each chain settlement knows. The devnet is
 * signed as testnet: its coins are worthless, its addresses take the
 * test-only flag, and a wallet set to mainnet refuses the request.
 */
export const TON_CONNECT_NETWORKS: Readonly<Record<TonNetwork, TonConnectNetwork>> = {
  mainnet: '-239',
  testnet: '-3',
  devnet: '-3',
}

/** The wallet's answer to `sendTransaction`: the sdk's `SendTransactionResponse`. */
export interface TonConnectTransactionResponse {
  /** base64 BoC of the signed external message the wallet sent. */
  boc: string
}
