/**
 * Typed errors of settlement: vouchers, channels, the chain, the wallet and
 * the store. Match them by class (`err instanceof VoucherReplayedError`).
 */
import { CocoonError, type CocoonErrorOptions } from '@cocoon-mesh/protocol'

/** The voucher's signature does not verify against the channel's client key. */
export class VoucherSignatureError extends CocoonError<'ERR_VOUCHER_SIGNATURE'> {
  readonly code = 'ERR_VOUCHER_SIGNATURE' as const
  override readonly name = 'VoucherSignatureError'
}

/** A voucher for an amount already covered (equal to the newest) was sent again. */
export class VoucherReplayedError extends CocoonError<'ERR_VOUCHER_REPLAYED'> {
  readonly code = 'ERR_VOUCHER_REPLAYED' as const
  override readonly name = 'VoucherReplayedError'
}

/** A voucher lower than the newest one already accepted or signed. */
export class VoucherOutOfOrderError extends CocoonError<'ERR_VOUCHER_OUT_OF_ORDER'> {
  readonly code = 'ERR_VOUCHER_OUT_OF_ORDER' as const
  override readonly name = 'VoucherOutOfOrderError'
}

/** A voucher above what the channel's deposit or the client's budget allows. */
export class VoucherOverBudgetError extends CocoonError<'ERR_VOUCHER_OVER_BUDGET'> {
  readonly code = 'ERR_VOUCHER_OVER_BUDGET' as const
  override readonly name = 'VoucherOverBudgetError'
}

/** A voucher names a channel other than the session's. */
export class VoucherWrongChannelError extends CocoonError<'ERR_VOUCHER_WRONG_CHANNEL'> {
  readonly code = 'ERR_VOUCHER_WRONG_CHANNEL' as const
  override readonly name = 'VoucherWrongChannelError'
}

/** A voucher or channel field is malformed (bad address, negative amount, bad signature length). */
export class InvalidVoucherError extends CocoonError<'ERR_INVALID_VOUCHER'> {
  readonly code = 'ERR_INVALID_VOUCHER' as const
  override readonly name = 'InvalidVoucherError'
}

/** The provider's credit window is used up and no covering voucher arrived in time. */
export class CreditWindowExhaustedError extends CocoonError<'ERR_CREDIT_WINDOW_EXHAUSTED'> {
  readonly code = 'ERR_CREDIT_WINDOW_EXHAUSTED' as const
  override readonly name = 'CreditWindowExhaustedError'
}

/** The client refuses to sign more than delivered work plus the credit window. */
export class PaymentAbortedError extends CocoonError<'ERR_PAYMENT_ABORTED'> {
  readonly code = 'ERR_PAYMENT_ABORTED' as const
  override readonly name = 'PaymentAbortedError'
}

/** The channel is unknown, closed, exiting, or not bound to this provider. */
export class ChannelUnusableError extends CocoonError<'ERR_CHANNEL_UNUSABLE'> {
  readonly code = 'ERR_CHANNEL_UNUSABLE' as const
  override readonly name = 'ChannelUnusableError'
}

/** The chain endpoint failed or answered something unexpected. */
export class ChainError extends CocoonError<'ERR_CHAIN'> {
  readonly code = 'ERR_CHAIN' as const
  override readonly name = 'ChainError'
}

/** A transaction did not appear on chain within the wait limit. */
export class ChainTimeoutError extends CocoonError<'ERR_CHAIN_TIMEOUT'> {
  readonly code = 'ERR_CHAIN_TIMEOUT' as const
  override readonly name = 'ChainTimeoutError'
}

/**
 * A transaction of ours ran on chain but failed: its compute phase exited
 * with a non-zero code or its action phase did not succeed (the message
 * value bounced back). `exitCode` is the contract's code (see ChannelExitCode).
 */
export class ChainTransactionFailedError extends CocoonError<'ERR_CHAIN_TX_FAILED'> {
  readonly code = 'ERR_CHAIN_TX_FAILED' as const
  override readonly name = 'ChainTransactionFailedError'
  readonly exitCode: number

  constructor(exitCode: number, shortMessage: string, options: CocoonErrorOptions = {}) {
    super(shortMessage, options)
    this.exitCode = exitCode
  }
}

/** The wallet holds too little TON to pay the fees of an on-chain action (a claim, a close). */
export class InsufficientFeeBalanceError extends CocoonError<'ERR_INSUFFICIENT_FEE_BALANCE'> {
  readonly code = 'ERR_INSUFFICIENT_FEE_BALANCE' as const
  override readonly name = 'InsufficientFeeBalanceError'
  /** nanoTON the wallet holds. */
  readonly balance: bigint
  /** nanoTON the action needs. */
  readonly needed: bigint

  constructor(balance: bigint, needed: bigint, shortMessage: string, options: CocoonErrorOptions = {}) {
    super(shortMessage, options)
    this.balance = balance
    this.needed = needed
  }
}

/**
 * A devnet request failed; `status` is the HTTP status toncenter answers for
 * the same failure (404 unknown method or missing data, 422 bad parameters,
 * 500 a message the account does not accept).
 */
export class DevnetRequestError extends CocoonError<'ERR_DEVNET_REQUEST'> {
  readonly code = 'ERR_DEVNET_REQUEST' as const
  override readonly name = 'DevnetRequestError'
  readonly status: 404 | 405 | 413 | 422 | 500

  constructor(status: 404 | 405 | 413 | 422 | 500, shortMessage: string, cause?: unknown) {
    super(shortMessage, cause === undefined ? {} : { cause })
    this.status = status
  }
}

/** The wallet mnemonic in the home folder is missing or invalid. */
export class WalletError extends CocoonError<'ERR_WALLET'> {
  readonly code = 'ERR_WALLET' as const
  override readonly name = 'WalletError'
}

/** Bad user input to a settlement function (amount, address, option). */
export class InvalidSettlementInputError extends CocoonError<'ERR_INVALID_SETTLEMENT_INPUT'> {
  readonly code = 'ERR_INVALID_SETTLEMENT_INPUT' as const
  override readonly name = 'InvalidSettlementInputError'
}

/** The provider serves only paid jobs and the request names no payment channel. */
export class PaymentRequiredError extends CocoonError<'ERR_PAYMENT_REQUIRED'> {
  readonly code = 'ERR_PAYMENT_REQUIRED' as const
  override readonly name = 'PaymentRequiredError'
}

/** Which part of a JobRequest's channel proof is missing or wrong (see `verifyChannelProof`). */
export type ChannelProofReason =
  /** The request names a channel but carries no client key or no signature. */
  | 'unsigned'
  /** `provider` is not this provider's peer id: the request was made for another provider. */
  | 'wrong-provider'
  /** `issuedAt` is outside the allowed clock drift of the provider's clock. */
  | 'stale'
  /** `clientKey` is not the key the channel contract holds. */
  | 'wrong-client-key'
  /** `clientSignature` does not verify against the channel's client key. */
  | 'bad-signature'
  /** The (channel, job id) pair was already served within the freshness window. */
  | 'replayed'

/**
 * A JobRequest that names a channel does not prove the requester holds the
 * channel's client key; `reason` says which proof failed, `details` how to fix it.
 */
export class ChannelProofError extends CocoonError<'ERR_CHANNEL_PROOF'> {
  readonly code = 'ERR_CHANNEL_PROOF' as const
  override readonly name = 'ChannelProofError'
  readonly reason: ChannelProofReason

  constructor(reason: ChannelProofReason, shortMessage: string, options: CocoonErrorOptions = {}) {
    super(shortMessage, options)
    this.reason = reason
  }
}

/** Which side's key a channel would hold: the client's voucher key or the provider's settlement key. */
export type ChannelKeyRole = 'client' | 'provider'

/**
 * A channel key is not a usable ed25519 public key (wrong length, not a
 * curve point, or a small-order point anyone can forge signatures for).
 * `role` says whose key it is.
 */
export class InvalidChannelKeyError extends CocoonError<'ERR_INVALID_CHANNEL_KEY'> {
  readonly code = 'ERR_INVALID_CHANNEL_KEY' as const
  override readonly name = 'InvalidChannelKeyError'
  readonly role: ChannelKeyRole

  constructor(role: ChannelKeyRole, shortMessage: string, options: CocoonErrorOptions = {}) {
    super(shortMessage, options)
    this.role = role
  }
}

/** A channel deposit below the least the contract credits (`CHANNEL_MIN_DEPOSIT`). */
export class DepositTooLowError extends CocoonError<'ERR_DEPOSIT_TOO_LOW'> {
  readonly code = 'ERR_DEPOSIT_TOO_LOW' as const
  override readonly name = 'DepositTooLowError'
  /** nanoTON asked for. */
  readonly deposit: bigint
  /** nanoTON the contract needs at least. */
  readonly minimum: bigint

  constructor(deposit: bigint, minimum: bigint, shortMessage: string, options: CocoonErrorOptions = {}) {
    super(shortMessage, options)
    this.deposit = deposit
    this.minimum = minimum
  }
}

/** A user-friendly address carrying the test-only flag in a mainnet transaction. */
export class WrongNetworkAddressError extends CocoonError<'ERR_WRONG_NETWORK_ADDRESS'> {
  readonly code = 'ERR_WRONG_NETWORK_ADDRESS' as const
  override readonly name = 'WrongNetworkAddressError'
}

/** A wallet transaction whose `validUntil` is not in the future: every wallet would refuse it. */
export class TransactionExpiredError extends CocoonError<'ERR_TRANSACTION_EXPIRED'> {
  readonly code = 'ERR_TRANSACTION_EXPIRED' as const
  override readonly name = 'TransactionExpiredError'
}

/**
 * The contract at a channel's address is not the channel that was asked for
 * (other parties, keys, id or exit delay), or it is closed or exiting.
 */
export class ChannelStateMismatchError extends CocoonError<'ERR_CHANNEL_STATE_MISMATCH'> {
  readonly code = 'ERR_CHANNEL_STATE_MISMATCH' as const
  override readonly name = 'ChannelStateMismatchError'
}

/** The user declined the transaction in their wallet: nothing was sent. */
export class WalletDeclinedError extends CocoonError<'ERR_WALLET_DECLINED'> {
  readonly code = 'ERR_WALLET_DECLINED' as const
  override readonly name = 'WalletDeclinedError'
}

/**
 * The connected wallet did not send the transaction for another reason
 * (not connected, another network, a request it does not support, its own failure).
 */
export class WalletTransactionError extends CocoonError<'ERR_WALLET_TRANSACTION'> {
  readonly code = 'ERR_WALLET_TRANSACTION' as const
  override readonly name = 'WalletTransactionError'
}

/** Every error settlement throws. */
export type SettlementError =
  | VoucherSignatureError
  | VoucherReplayedError
  | VoucherOutOfOrderError
  | VoucherOverBudgetError
  | VoucherWrongChannelError
  | InvalidVoucherError
  | CreditWindowExhaustedError
  | PaymentAbortedError
  | ChannelUnusableError
  | ChannelProofError
  | PaymentRequiredError
  | ChainError
  | ChainTimeoutError
  | ChainTransactionFailedError
  | InsufficientFeeBalanceError
  | DevnetRequestError
  | WalletError
  | InvalidSettlementInputError
  | InvalidChannelKeyError
  | DepositTooLowError
  | WrongNetworkAddressError
  | TransactionExpiredError
  | ChannelStateMismatchError
  | WalletDeclinedError
  | WalletTransactionError

/** The codes of {@link SettlementError}. */
export type SettlementErrorCode = SettlementError['code']

export type { CocoonErrorOptions }
