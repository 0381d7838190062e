import { Address, beginCell, storeStateInit } from '@ton/core'
import type { WalletMessage } from '../chain/chain-client.js'
import { type ChannelDeployErrorType, channelDeploy, clientChannelMeta } from '../channel/channel-deploy.js'
import type { PaymentChannelConfig } from '../contract/payment-channel.js'
import { InvalidSettlementInputError, TransactionExpiredError, WrongNetworkAddressError } from '../errors.js'
import type { ChannelMetaRecord } from '../store/records.js'
import type {
  TonConnectMessage,
  TonConnectNetwork,
  TonConnectTransactionRequest,
} from './transaction-request.js'

/** Seconds a request stays valid by default: the sdk warns about a `validUntil` more than five minutes ahead. */
export const DEFAULT_TRANSACTION_VALIDITY = 300

export interface ChannelOpenTransactionParameters {
  /** The client's ed25519 voucher public key (the page's own key, not the wallet's). */
  clientKey: Uint8Array
  /** The provider's settlement key, from its offer. */
  providerKey: Uint8Array
  /** The provider's payout address, from its offer. */
  provider: Address | string
  /** nanoTON credited to the channel; the wallet sends this plus the top-up fee and the notice. */
  deposit: bigint
  /**
   * The connected wallet (`tonConnectUI.account.address`): it signs, and the
   * channel takes top-ups, exits and refunds from it only.
   */
  wallet: Address | string
  /** `-239` mainnet, `-3` testnet; the devnet is `-3` (see `TON_CONNECT_NETWORKS`). */
  network: TonConnectNetwork
  /** Seconds between StartExit and Withdraw (default one day). */
  exitDelay?: number
  /** Random 64-bit when unset: a fresh channel address each time. */
  channelId?: bigint
  /** Unix seconds the wallet may send until; default now + {@link DEFAULT_TRANSACTION_VALIDITY}. */
  validUntil?: number
  /** The clock, ms since the epoch (default `Date.now`). */
  now?: () => number
}

/** The channel a request deploys: what the client waits for and then pays through. */
export interface ChannelOpenTarget {
  /** Raw `0:<hex>`: the form vouchers and the voucher store name a channel by. */
  address: string
  /** User-friendly bounceable form on the request's network, for display. */
  friendlyAddress: string
  deposit: bigint
  config: PaymentChannelConfig
  /** The voucher store's record of it, to keep once it is live (`store.putChannelMeta`). */
  meta: Omit<ChannelMetaRecord, 'createdAt' | 'peerId'>
}

export interface ChannelOpenTransactionReturnType {
  /** Pass to `tonConnectUI.sendTransaction(request)` as it is. */
  request: TonConnectTransactionRequest
  channel: ChannelOpenTarget
  /**
   * nanoTON the wallet sends in all (deposit, top-up fee, notice), before its
   * own fees: check the wallet holds more before asking it, since a wallet
   * skips a message it cannot pay and sends the rest.
   */
  total: bigint
}

/**
 * What {@link channelOpenTransaction} throws: a bad voucher or provider key,
 * a deposit below the contract's minimum, an unparsable address, an address
 * of the other network, or a `validUntil` not in the future.
 */
export type ChannelOpenTransactionErrorType =
  | ChannelDeployErrorType
  | InvalidSettlementInputError
  | WrongNetworkAddressError
  | TransactionExpiredError

/**
 * Builds the TON Connect request that deploys and funds a payment channel
 * from the user's wallet, with the notice that lets the provider find it:
 * the messages `openChannel` sends from a node's wallet, encoded for
 * `sendTransaction`. Returns the exact channel the request creates.
 * @throws {ChannelOpenTransactionErrorType}
 */
export function channelOpenTransaction(
  parameters: ChannelOpenTransactionParameters,
): ChannelOpenTransactionReturnType {
  const { network } = parameters
  const nowSeconds = Math.floor((parameters.now ?? Date.now)() / 1000)
  const validUntil = parameters.validUntil ?? nowSeconds + DEFAULT_TRANSACTION_VALIDITY
  if (!Number.isSafeInteger(validUntil) || validUntil <= nowSeconds)
    throw new TransactionExpiredError('validUntil is not in the future', {
      details: `validUntil ${validUntil} is not after now (${nowSeconds}, unix seconds); leave it unset for ${DEFAULT_TRANSACTION_VALIDITY} s from now, or pass a later time`,
    })
  const wallet = addressOn(parameters.wallet, network, 'wallet')
  const provider = addressOn(parameters.provider, network, 'provider payout')
  const deploy = channelDeploy({
    clientKey: parameters.clientKey,
    providerKey: parameters.providerKey,
    client: wallet,
    provider,
    deposit: parameters.deposit,
    ...(parameters.exitDelay === undefined ? {} : { exitDelay: parameters.exitDelay }),
    ...(parameters.channelId === undefined ? {} : { channelId: parameters.channelId }),
  })
  const testOnly = network === '-3'
  const address = deploy.contract.address
  return {
    request: {
      validUntil,
      network,
      from: wallet.toRawString(),
      messages: deploy.messages.map((m) => tonConnectMessage(m, testOnly)),
    },
    channel: {
      address: address.toRawString(),
      friendlyAddress: address.toString({ bounceable: true, testOnly }),
      deposit: parameters.deposit,
      config: deploy.config,
      meta: clientChannelMeta(address, deploy.config),
    },
    total: deploy.total,
  }
}

/** A wallet message as TON Connect carries it: user-friendly address with its bounce flag, base64 BoCs. */
function tonConnectMessage(message: WalletMessage, testOnly: boolean): TonConnectMessage {
  return {
    address: message.to.toString({ bounceable: message.bounce ?? true, testOnly }),
    amount: message.value.toString(),
    ...(message.init === undefined
      ? {}
      : { stateInit: beginCell().store(storeStateInit(message.init)).endCell().toBoc().toString('base64') }),
    ...(message.body === undefined ? {} : { payload: message.body.toBoc().toString('base64') }),
  }
}

/**
 * Parses an address and refuses a test-only one on mainnet: the flag is what
 * keeps real TON off addresses meant for a test network. Testnet takes both
 * forms, since addresses there are often written without the flag (a node
 * publishes its payout address so). A raw address (TON Connect's
 * `account.address`) names no network.
 * @throws {InvalidSettlementInputError | WrongNetworkAddressError}
 */
function addressOn(value: Address | string, network: TonConnectNetwork, what: string): Address {
  if (typeof value !== 'string') return value
  let address: Address
  try {
    address = Address.parse(value)
  } catch (cause) {
    throw new InvalidSettlementInputError(`invalid ${what} address`, {
      details: `"${value}" is not a TON address (raw 0:<hex> or user-friendly)`,
      cause,
    })
  }
  if (network === '-3' || !Address.isFriendly(value) || !Address.parseFriendly(value).isTestOnly)
    return address
  throw new WrongNetworkAddressError(`${what} address is a testnet address`, {
    details: `${value} carries the test-only flag but the transaction is for mainnet (-239); use the mainnet address, or build the request for testnet (-3)`,
  })
}
