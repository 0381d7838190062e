import { Address } from '@ton/core'
import { WalletContractV4 } from '@ton/ton'
import { type ChainClient, openOn, sendFromWallet, walletSender } from '../chain/chain-client.js'
import { CHANNEL_OP_VALUE, PaymentChannel } from '../contract/payment-channel.js'
import {
  type ChainError,
  type ChainTimeoutError,
  type ChainTransactionFailedError,
  ChannelUnusableError,
  type InsufficientFeeBalanceError,
} from '../errors.js'
import type { ChannelTerms } from '../policy/provider-payments.js'
import type { ChannelMetaRecord, VoucherStore } from '../store/voucher-store.js'
import type { NodeWallet } from '../wallet/wallet.js'
import { type ChannelDeployErrorType, channelDeploy, clientChannelMeta } from './channel-deploy.js'
import { readChannel } from './channel-view.js'
import { estimateClaimFee, requireFeeBalance } from './claim-fees.js'

/** The v4r2 wallet address (workchain 0) of an ed25519 public key. */
export function walletAddressForKey(publicKey: Uint8Array): Address {
  return WalletContractV4.create({ workchain: 0, publicKey: Buffer.from(publicKey) }).address
}

export interface OpenChannelParameters {
  chain: ChainClient
  wallet: NodeWallet
  store: VoucherStore
  providerAddress: Address
  providerKey: Uint8Array
  deposit: bigint
  exitDelay?: number
  /** Random 64-bit when unset: a fresh channel address each time. */
  channelId?: bigint
  peerId?: string
}

/**
 * What {@link openChannel} throws: a deposit below the contract's minimum, a
 * provider key that is no ed25519 key, an exit delay or channel id out of
 * range, the chain refusing or not applying the deploy, and foreign errors
 * of the chain endpoint's get-methods and of the store's LevelDB write.
 */
export type OpenChannelErrorType = ChannelDeployErrorType | ChainError | ChainTimeoutError | Error

/**
 * Deploys a channel from the client's wallet with `deposit`, sends the
 * provider's payout address a notice naming it (CHANNEL_NOTICE_VALUE), records
 * it (stamped by the store's clock), and returns its address.
 * @throws {OpenChannelErrorType}
 */
export async function openChannel(
  p: OpenChannelParameters,
): Promise<{ address: Address; meta: ChannelMetaRecord }> {
  const { contract, config, messages } = channelDeploy({
    clientKey: p.wallet.signingKey.publicKey,
    providerKey: p.providerKey,
    client: p.wallet.address,
    provider: p.providerAddress,
    deposit: p.deposit,
    ...(p.exitDelay === undefined ? {} : { exitDelay: p.exitDelay }),
    ...(p.channelId === undefined ? {} : { channelId: p.channelId }),
  })
  const channel = openOn(p.chain, contract)
  // one wallet transaction: the deploy with the deposit, and the notice that lets the provider find it
  await sendFromWallet(p.chain, p.wallet, messages)
  await p.chain.waitFor(
    async () => (await channel.getState()).deposit >= p.deposit,
    `channel ${contract.address} funded`,
  )
  const meta: ChannelMetaRecord = {
    ...clientChannelMeta(contract.address, config),
    createdAt: p.store.now(),
    ...(p.peerId === undefined ? {} : { peerId: p.peerId }),
  }
  await p.store.putChannelMeta(meta)
  return { address: contract.address, meta }
}

export { type ChannelView, type ReadChannelErrorType, readChannel } from './channel-view.js'

export interface ProviderChannelAction {
  chain: ChainClient
  wallet: NodeWallet
  store: VoucherStore
  channel: string
  /** The estimated fee of the claim (default: `estimateClaimFee` now). */
  claimFee?: bigint
  /** The wallet balance the claim must leave room for, at least (settlement.minFeeBalance). */
  minFeeBalance?: bigint
}

/**
 * What {@link claimChannel} and {@link closeChannel} throw: the channel is not
 * on chain, the wallet cannot pay the fees, the chain refused, failed or did
 * not apply the message, or a foreign error of the endpoint or the store.
 */
export type ProviderChannelActionErrorType =
  | ChannelUnusableError
  | InsufficientFeeBalanceError
  | ChainError
  | ChainTimeoutError
  | ChainTransactionFailedError
  | Error

/** What {@link claimChannel} throws. */
export type ClaimChannelErrorType = ProviderChannelActionErrorType

/**
 * Provider: claims the newest stored voucher of a channel on chain and records the result.
 * @throws {ClaimChannelErrorType}
 */
export async function claimChannel(p: ProviderChannelAction): Promise<{ claimed: bigint; paid: bigint }> {
  return providerAction(p, 'claim')
}

/** What {@link closeChannel} throws. */
export type CloseChannelErrorType = ProviderChannelActionErrorType

/**
 * Provider: closes a channel, paying itself the newest voucher and refunding the client.
 * @throws {CloseChannelErrorType}
 */
export async function closeChannel(p: ProviderChannelAction): Promise<{ claimed: bigint; paid: bigint }> {
  return providerAction(p, 'close')
}

async function providerAction(p: ProviderChannelAction, action: 'claim' | 'close') {
  const record = await p.store.providerChannel(p.channel)
  const view = await readChannel(p.chain, p.channel)
  if (view === undefined) throw new ChannelUnusableError('channel not found on chain', { details: p.channel })
  const before = view.state.claimed
  const channel = openOn(p.chain, PaymentChannel.createFromAddress(Address.parse(p.channel)))
  const via = walletSender(p.chain, p.wallet)
  const voucher =
    record !== undefined && record.newest > before
      ? { amount: record.newest, signature: record.signature, value: CHANNEL_OP_VALUE }
      : { amount: 0n, signature: new Uint8Array(64), value: CHANNEL_OP_VALUE }
  if (action === 'claim' && (voucher.amount === 0n || before >= view.state.deposit))
    return { claimed: before, paid: 0n }
  const fee = p.claimFee ?? (await estimateClaimFee(p.chain, p.wallet))
  await requireFeeBalance(p.chain, p.wallet, fee, p.minFeeBalance)
  if (action === 'claim') {
    await channel.sendClaim(via, voucher)
  } else {
    await channel.sendClose(via, voucher)
  }
  let after = before
  await p.chain.waitFor(async () => {
    const state = await channel.getState()
    after = state.claimed
    return action === 'close' ? state.closed : after > before
  }, `${action} on ${p.channel}`)
  await p.store.recordClaimed(p.channel, after)
  return { claimed: after, paid: after - before }
}

/** What {@link startChannelExit} throws: the chain refused or did not apply the message, or a foreign endpoint error. */
export type StartChannelExitErrorType = ChainError | ChainTimeoutError | Error

/**
 * Client: starts the timed exit of its channel.
 * @throws {StartChannelExitErrorType}
 */
export async function startChannelExit(
  chain: ChainClient,
  wallet: NodeWallet,
  channel: string,
): Promise<void> {
  const opened = openOn(chain, PaymentChannel.createFromAddress(Address.parse(channel)))
  await opened.sendStartExit(walletSender(chain, wallet))
  await chain.waitFor(async () => (await opened.getState()).exitRequestedAt > 0, `exit of ${channel}`)
}

/** What {@link withdrawChannel} throws: the channel is closed or its exit delay not over, or the chain failed. */
export type WithdrawChannelErrorType = ChannelUnusableError | ChainError | ChainTimeoutError | Error

/**
 * Client: withdraws the rest after the exit delay.
 * @throws {WithdrawChannelErrorType}
 */
export async function withdrawChannel(
  chain: ChainClient,
  wallet: NodeWallet,
  channel: string,
): Promise<void> {
  const opened = openOn(chain, PaymentChannel.createFromAddress(Address.parse(channel)))
  const state = await opened.getState()
  if (state.closed) throw new ChannelUnusableError('channel already closed', { details: channel })
  if (state.exitRequestedAt === 0)
    throw new ChannelUnusableError('exit not started', {
      details: 'start the exit first (`cocoon channel close`)',
    })
  const now = await chain.chainTime()
  const at = state.exitRequestedAt + state.exitDelay
  if (now < at)
    throw new ChannelUnusableError('exit delay not elapsed', {
      details: `the provider can claim for ${at - now} more seconds; withdraw after that`,
    })
  await opened.sendWithdraw(walletSender(chain, wallet))
  await chain.waitFor(async () => (await opened.getState()).closed, `withdrawal from ${channel}`)
}

/**
 * The `channelTerms` lookup for `providerPayments()`: reads the channel's
 * state and parties from the chain and checks it pays `provider`. The
 * lookup rejects with {@link ReadChannelErrorType}.
 */
export function chainChannelTerms(
  chain: ChainClient,
  provider: Address,
): (channel: string) => Promise<ChannelTerms | undefined> {
  return async (channel) => {
    const view = await readChannel(chain, channel)
    if (view === undefined) return undefined
    const parties = await openOn(chain, PaymentChannel.createFromAddress(Address.parse(channel))).getParties()
    return {
      clientKey: parties.clientKey,
      deposit: view.state.deposit,
      payableToUs: parties.provider.equals(provider),
      closed: view.state.closed,
      exitStarted: view.state.exitRequestedAt > 0,
    }
  }
}
