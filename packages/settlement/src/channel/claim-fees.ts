import { Address, internal, SendMode, toNano } from '@ton/core'
import { type ChainClient, openOn } from '../chain/chain-client.js'
import { CHANNEL_OP_VALUE, ChannelOp, voucherBody } from '../contract/payment-channel.js'
import { InsufficientFeeBalanceError } from '../errors.js'
import type { NodeWallet } from '../wallet/wallet.js'
import { formatTon } from './context.js'

/**
 * What a claim costs past the wallet's own transaction: the channel's gas,
 * forwarding the payout, and the wallet's receipt of it. Measured on the
 * emulator's (mainnet) config at about 0.0031 TON; this allows for more.
 */
export const CLAIM_CHAIN_FEE_ALLOWANCE = toNano('0.005')

/**
 * What one claim cost the provider on the emulator's (mainnet) config,
 * wallet, channel and payout together: for models of the chain (the
 * simulator) that cannot ask it. A node asks the chain: {@link estimateClaimFee}.
 */
export const TYPICAL_CLAIM_FEE = toNano('0.0055')

/** What {@link estimateClaimFee} throws: the endpoint failing (fee estimate, seqno, state). */
export type EstimateClaimFeeErrorType = Error

/**
 * The fee one claim (or close) costs the provider now: the chain's estimate
 * of the wallet's transaction carrying the claim (`estimateFee`) plus
 * {@link CLAIM_CHAIN_FEE_ALLOWANCE} for the channel's part.
 * @throws {EstimateClaimFeeErrorType}
 */
export async function estimateClaimFee(chain: ChainClient, wallet: NodeWallet): Promise<bigint> {
  const deployed = (await chain.getStatus(wallet.address)) === 'active'
  const seqno = deployed ? await openOn(chain, wallet.contract).getSeqno() : 0
  // the fee depends on the message's size, not on which channel it goes to
  const body = wallet.contract.createTransfer({
    seqno,
    secretKey: wallet.keyPair.secretKey,
    sendMode: SendMode.PAY_GAS_SEPARATELY | SendMode.IGNORE_ERRORS,
    messages: [
      internal({
        to: new Address(0, Buffer.alloc(32)),
        value: CHANNEL_OP_VALUE,
        body: voucherBody(ChannelOp.claim, { amount: toNano('1000'), signature: new Uint8Array(64) }),
      }),
    ],
  })
  const walletFee = await chain.estimateExternalFee(
    wallet.address,
    body,
    deployed ? undefined : wallet.contract.init,
  )
  return walletFee + CLAIM_CHAIN_FEE_ALLOWANCE
}

/** What {@link requireFeeBalance} throws. */
export type RequireFeeBalanceErrorType = InsufficientFeeBalanceError | Error

/**
 * Checks the wallet can pay a claim (or close): the message value it
 * attaches plus the fee, and at least `minFeeBalance`.
 * @throws {RequireFeeBalanceErrorType} `InsufficientFeeBalanceError` naming the balance and the need; or the endpoint's error.
 */
export async function requireFeeBalance(
  chain: ChainClient,
  wallet: NodeWallet,
  claimFee: bigint,
  minFeeBalance = 0n,
): Promise<void> {
  const need = CHANNEL_OP_VALUE + claimFee
  const needed = need > minFeeBalance ? need : minFeeBalance
  const balance = await chain.getBalance(wallet.address)
  if (balance < needed)
    throw new InsufficientFeeBalanceError(balance, needed, 'the wallet cannot pay the claim fees', {
      details: `wallet ${wallet.address.toString()} holds ${formatTon(balance)}, a claim needs ${formatTon(needed)} (message value ${formatTon(CHANNEL_OP_VALUE)} + fee ${formatTon(claimFee)}${minFeeBalance > need ? `, settlement.minFeeBalance ${formatTon(minFeeBalance)}` : ''}); send TON to it (\`cocoon wallet\` shows the address)`,
    })
}
