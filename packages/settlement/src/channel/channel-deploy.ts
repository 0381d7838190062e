// The one way a channel's deploy-and-fund message is built: `openChannel` (the node's own
// wallet) and `channelOpenTransaction` (a TON Connect wallet) both send these messages.
import { ed25519 } from '@noble/curves/ed25519.js'
import type { Address, StateInit } from '@ton/core'
import type { WalletMessage } from '../chain/chain-client.js'
import {
  CHANNEL_MIN_DEPOSIT,
  CHANNEL_MIN_TOPUP_FEE,
  CHANNEL_NOTICE_VALUE,
  channelNoticeBody,
  PaymentChannel,
  type PaymentChannelConfig,
  topUpBody,
} from '../contract/payment-channel.js'
import {
  type ChannelKeyRole,
  DepositTooLowError,
  InvalidChannelKeyError,
  InvalidSettlementInputError,
} from '../errors.js'
import type { ChannelMetaRecord } from '../store/records.js'

/** Default exit delay: one day, time enough for a provider to claim. */
export const DEFAULT_EXIT_DELAY = 86_400

export interface ChannelDeployParameters {
  /** The client's ed25519 voucher public key: the contract checks vouchers against it. */
  clientKey: Uint8Array
  /** The provider's settlement key (its offer's `settlementKey`). */
  providerKey: Uint8Array
  /** The wallet that sends the deploy: the only sender the channel takes top-ups, exits and refunds from. */
  client: Address
  /** The provider's payout address. */
  provider: Address
  /** nanoTON credited to the channel; at least {@link CHANNEL_MIN_DEPOSIT}. */
  deposit: bigint
  /** Seconds between StartExit and Withdraw (default {@link DEFAULT_EXIT_DELAY}). */
  exitDelay?: number
  /** Random 64-bit when unset: a fresh channel address each time. */
  channelId?: bigint
}

export interface ChannelDeployReturnType {
  /** The channel wrapper with its address and state init. */
  contract: PaymentChannel
  config: PaymentChannelConfig
  init: StateInit
  /**
   * The wallet's two messages, in order: the deploy carrying the deposit plus
   * the top-up fee, and the non-bounceable notice that lets the provider find
   * the channel in its wallet's history.
   */
  messages: [deploy: WalletMessage, notice: WalletMessage]
  /** nanoTON the wallet sends in all, before its own fees. */
  total: bigint
}

/**
 * What {@link channelDeploy} throws: a key that is no ed25519 public key, a
 * deposit the contract would refuse, or an exit delay or channel id that
 * does not fit the contract's fields.
 */
export type ChannelDeployErrorType = InvalidChannelKeyError | DepositTooLowError | InvalidSettlementInputError

/**
 * Builds a new channel (config, state init, address) and the wallet messages
 * that deploy and fund it, checking what the contract would otherwise refuse
 * or what would make the channel unusable.
 * @throws {ChannelDeployErrorType}
 */
export function channelDeploy(parameters: ChannelDeployParameters): ChannelDeployReturnType {
  assertChannelKey(parameters.clientKey, 'client')
  assertChannelKey(parameters.providerKey, 'provider')
  const { deposit } = parameters
  if (deposit < CHANNEL_MIN_DEPOSIT)
    throw new DepositTooLowError(deposit, CHANNEL_MIN_DEPOSIT, 'deposit below the channel minimum', {
      details: `${deposit} nanoTON asked for; the contract credits at least ${CHANNEL_MIN_DEPOSIT} nanoTON (0.01 TON), and the wallet sends ${CHANNEL_MIN_TOPUP_FEE} nanoTON more for gas and storage`,
    })
  const exitDelay = parameters.exitDelay ?? DEFAULT_EXIT_DELAY
  if (!Number.isInteger(exitDelay) || exitDelay < 0 || exitDelay > 0xffff_ffff)
    throw new InvalidSettlementInputError('invalid exit delay', {
      details: `got ${exitDelay}; the contract holds whole seconds, 0..4294967295 (default ${DEFAULT_EXIT_DELAY}, one day)`,
    })
  const channelId = parameters.channelId ?? randomChannelId()
  if (channelId < 0n || channelId >= 1n << 64n)
    throw new InvalidSettlementInputError('invalid channel id', {
      details: `got ${channelId}; a channel id is 64-bit unsigned (leave it unset for a random one)`,
    })
  const config: PaymentChannelConfig = {
    channelId,
    clientKey: parameters.clientKey,
    providerKey: parameters.providerKey,
    client: parameters.client,
    provider: parameters.provider,
    exitDelay,
  }
  const contract = PaymentChannel.createFromConfig(config)
  const init = contract.init as StateInit
  const deploy: WalletMessage = {
    to: contract.address,
    value: deposit + CHANNEL_MIN_TOPUP_FEE,
    body: topUpBody(deposit),
    init,
    bounce: true,
  }
  const notice: WalletMessage = {
    to: parameters.provider,
    value: CHANNEL_NOTICE_VALUE,
    body: channelNoticeBody(contract.address),
    bounce: false,
  }
  return { contract, config, init, messages: [deploy, notice], total: deploy.value + notice.value }
}

/** The client's record of a channel it deployed with `config` (the store stamps `createdAt`). */
export function clientChannelMeta(
  address: Address,
  config: PaymentChannelConfig,
): Omit<ChannelMetaRecord, 'createdAt' | 'peerId'> {
  return {
    address: address.toRawString(),
    role: 'client',
    channelId: config.channelId,
    client: config.client.toRawString(),
    provider: config.provider.toRawString(),
    clientKey: config.clientKey,
    providerKey: config.providerKey,
    exitDelay: config.exitDelay,
  }
}

/** What {@link assertChannelKey} throws. */
export type AssertChannelKeyErrorType = InvalidChannelKeyError

/**
 * Checks that `key` is a 32-byte ed25519 public key of full order: a key that
 * is no curve point makes every voucher fail on chain, and a small-order one
 * verifies signatures anyone can make.
 * @throws {AssertChannelKeyErrorType}
 */
export function assertChannelKey(key: Uint8Array, role: ChannelKeyRole): void {
  const what = role === 'client' ? 'voucher key' : 'provider settlement key'
  const fix =
    role === 'client'
      ? 'pass the 32-byte public key of the ed25519 key pair that signs the vouchers'
      : "pass the provider offer's 32-byte settlementKey"
  if (key.length !== 32)
    throw new InvalidChannelKeyError(role, `${what} must be 32 bytes`, {
      details: `got ${key.length} bytes; ${fix}`,
    })
  let smallOrder: boolean
  try {
    smallOrder = ed25519.Point.fromBytes(key).isSmallOrder()
  } catch (cause) {
    throw new InvalidChannelKeyError(role, `${what} is not an ed25519 public key`, {
      details: `${Buffer.from(key).toString('hex')} is no point of the curve; ${fix}`,
      cause,
    })
  }
  if (smallOrder)
    throw new InvalidChannelKeyError(role, `${what} is a small-order point`, {
      details: `signatures for ${Buffer.from(key).toString('hex')} can be forged by anyone; ${fix}`,
    })
}

/** A random 64-bit channel id from WebCrypto (in Node and in browsers alike). */
function randomChannelId(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return new DataView(bytes.buffer).getBigUint64(0)
}
