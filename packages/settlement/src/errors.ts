import { CocoonError, type CocoonErrorOptions } from '@cocoon-mesh/protocol'

/** The voucher's signature does not verify against the channel's client key. */
export class VoucherSignatureError extends CocoonError {
  readonly code = 'ERR_VOUCHER_SIGNATURE' as const
  override name = 'VoucherSignatureError'
}

/** A voucher for an amount already covered (equal to the newest) was sent again. */
export class VoucherReplayedError extends CocoonError {
  readonly code = 'ERR_VOUCHER_REPLAYED' as const
  override name = 'VoucherReplayedError'
}

/** A voucher lower than the newest one already accepted or signed. */
export class VoucherOutOfOrderError extends CocoonError {
  readonly code = 'ERR_VOUCHER_OUT_OF_ORDER' as const
  override name = 'VoucherOutOfOrderError'
}

/** A voucher above what the channel's deposit or the client's budget allows. */
export class VoucherOverBudgetError extends CocoonError {
  readonly code = 'ERR_VOUCHER_OVER_BUDGET' as const
  override name = 'VoucherOverBudgetError'
}

/** A voucher names a channel other than the session's. */
export class VoucherWrongChannelError extends CocoonError {
  readonly code = 'ERR_VOUCHER_WRONG_CHANNEL' as const
  override name = 'VoucherWrongChannelError'
}

/** A voucher or channel field is malformed (bad address, negative amount, bad signature length). */
export class InvalidVoucherError extends CocoonError {
  readonly code = 'ERR_INVALID_VOUCHER' as const
  override name = 'InvalidVoucherError'
}

/** The provider's credit window is used up and no covering voucher arrived in time. */
export class CreditWindowExhaustedError extends CocoonError {
  readonly code = 'ERR_CREDIT_WINDOW_EXHAUSTED' as const
  override name = 'CreditWindowExhaustedError'
}

/** The client refuses to sign more than delivered work plus the credit window. */
export class PaymentAbortedError extends CocoonError {
  readonly code = 'ERR_PAYMENT_ABORTED' as const
  override name = 'PaymentAbortedError'
}

/** The channel is unknown, closed, exiting, or not bound to this provider. */
export class ChannelUnusableError extends CocoonError {
  readonly code = 'ERR_CHANNEL_UNUSABLE' as const
  override name = 'ChannelUnusableError'
}

/** The chain endpoint failed or answered something unexpected. */
export class ChainError extends CocoonError {
  readonly code = 'ERR_CHAIN' as const
  override name = 'ChainError'
}

/** A transaction did not appear on chain within the wait limit. */
export class ChainTimeoutError extends CocoonError {
  readonly code = 'ERR_CHAIN_TIMEOUT' as const
  override name = 'ChainTimeoutError'
}

/** The wallet mnemonic in the home folder is missing or invalid. */
export class WalletError extends CocoonError {
  readonly code = 'ERR_WALLET' as const
  override name = 'WalletError'
}

/** Bad user input to a settlement function (amount, address, option). */
export class InvalidSettlementInputError extends CocoonError {
  readonly code = 'ERR_INVALID_SETTLEMENT_INPUT' as const
  override name = 'InvalidSettlementInputError'
}

export type { CocoonErrorOptions }
