// `@cocoon-mesh/settlement/tonconnect`: everything to open a channel from a TON Connect
// wallet, with the sdk's errors mapped to settlement's. Imports @tonconnect/sdk (an
// optional peer dependency: the page's own copy, so `instanceof` sees its classes).
import {
  BadRequestError,
  type SendTransactionRequest,
  type SendTransactionResponse,
  TonConnectError,
  UserRejectsError,
  WalletMissingRequiredFeaturesError,
  WalletNotConnectedError,
  WalletNotSupportFeatureError,
  WalletWrongNetworkError,
} from '@tonconnect/sdk'
import { WalletDeclinedError, WalletTransactionError } from '../errors.js'
import type { TonConnectTransactionRequest, TonConnectTransactionResponse } from './transaction-request.js'

export * from '../channel/channel-deploy.js'
export {
  ChainTimeoutError,
  ChannelStateMismatchError,
  DepositTooLowError,
  InvalidChannelKeyError,
  InvalidSettlementInputError,
  TransactionExpiredError,
  WalletDeclinedError,
  WalletTransactionError,
  WrongNetworkAddressError,
} from '../errors.js'
export * from './index.js'

/** What sends a request: `TonConnect` of @tonconnect/sdk or `TonConnectUI` of @tonconnect/ui. */
export interface TonConnectSender {
  sendTransaction(request: SendTransactionRequest): Promise<SendTransactionResponse>
}

/** What {@link sendTonConnectTransaction} throws: the user declined, the wallet failed otherwise, or a foreign error unchanged. */
export type SendTonConnectTransactionErrorType = WalletDeclinedError | WalletTransactionError | Error

/**
 * Asks the connected wallet to send `request` (from `channelOpenTransaction`)
 * and returns its answer, the signed external message; the sdk's errors
 * become {@link WalletDeclinedError} and {@link WalletTransactionError}.
 * @throws {SendTonConnectTransactionErrorType}
 */
export async function sendTonConnectTransaction(
  sender: TonConnectSender,
  request: TonConnectTransactionRequest,
): Promise<TonConnectTransactionResponse> {
  try {
    const { boc } = await sender.sendTransaction(request)
    return { boc }
  } catch (error) {
    throw tonConnectError(error)
  }
}

/**
 * The settlement error for an error of @tonconnect/sdk or @tonconnect/ui's
 * `sendTransaction`; any other value is returned unchanged.
 */
export function tonConnectError(error: unknown): unknown {
  if (!(error instanceof TonConnectError)) return error
  if (error instanceof UserRejectsError)
    return new WalletDeclinedError('the wallet declined; nothing was sent', {
      details:
        'the transaction was rejected in the wallet and no TON left it; send it again to open the channel',
      cause: error,
    })
  return new WalletTransactionError(walletFailure(error), {
    details: `${error.message}; nothing was sent`,
    cause: error,
  })
}

/** What a user can do about a wallet failure other than a decline. */
function walletFailure(error: TonConnectError): string {
  if (error instanceof WalletNotConnectedError) return 'no wallet is connected: connect one first'
  if (error instanceof WalletWrongNetworkError)
    return "the wallet is on another network: switch its network or build the request for the wallet's"
  if (error instanceof WalletNotSupportFeatureError || error instanceof WalletMissingRequiredFeaturesError)
    return 'the wallet cannot send this transaction: use a wallet that supports sendTransaction with 2 messages'
  if (error instanceof BadRequestError) return 'the wallet refused the request as malformed'
  return 'the wallet did not send the transaction'
}
