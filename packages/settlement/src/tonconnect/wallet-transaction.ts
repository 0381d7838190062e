import { type Address, Cell, loadMessage, type Message } from '@ton/core'
import { type ChainClient, transactionFailure } from '../chain/chain-client.js'
import { ChainTransactionFailedError, InvalidSettlementInputError } from '../errors.js'

/** How many of the wallet's newest transactions are searched for the one the answer names. */
const WALLET_HISTORY = 16

/** What {@link parseWalletAnswer} throws. */
export type ParseWalletAnswerErrorType = InvalidSettlementInputError

/**
 * The external message of a wallet's `sendTransaction` answer (`{ boc }`),
 * checked to be addressed to `wallet`.
 * @throws {ParseWalletAnswerErrorType} when it is no BoC of an external message to the wallet.
 */
export function parseWalletAnswer(boc: string, wallet: Address): Message {
  let message: Message
  try {
    message = loadMessage(Cell.fromBase64(boc).beginParse())
  } catch (cause) {
    throw new InvalidSettlementInputError('the wallet answer is not a message BoC', {
      details: "pass the `boc` of the wallet's sendTransaction answer as it came, base64",
      cause,
    })
  }
  if (message.info.type !== 'external-in' || !message.info.dest.equals(wallet))
    throw new InvalidSettlementInputError('the wallet answer is not an external message to the wallet', {
      details: `expected the signed external message to ${wallet.toRawString()}; was the request sent from another account?`,
    })
  return message
}

/** What {@link checkWalletSent} throws. */
export type CheckWalletSentErrorType = ChainTransactionFailedError | Error

/**
 * Once the wallet's transaction for `sent` ran: throws when it sent no
 * message to `channel` (it could not pay it: wallets skip such a message and
 * send the rest) or when the channel refused it (its exit code). Returns
 * quietly while that transaction, or the channel's, has not run.
 * @throws {CheckWalletSentErrorType}
 */
export async function checkWalletSent(
  chain: ChainClient,
  wallet: Address,
  sent: Message,
  channel: Address,
): Promise<void> {
  const txs = await chain.transactions(wallet, WALLET_HISTORY)
  const tx = txs.find((t) => t.inMessage?.info.type === 'external-in' && t.inMessage.body.equals(sent.body))
  if (tx === undefined) return
  const deploy = [...tx.outMessages.values()].find(
    (m) => m.info.type === 'internal' && m.info.dest.equals(channel),
  )
  if (deploy === undefined || deploy.info.type !== 'internal')
    throw new ChainTransactionFailedError(
      transactionFailure(tx)?.exitCode ?? 0,
      'the wallet sent the transaction without the channel deploy',
      {
        details: `wallet ${wallet.toRawString()} (transaction lt ${tx.lt}) did not send the deploy to ${channel.toRawString()}: its balance did not cover the deposit and fees; fund the wallet and open a new channel`,
      },
    )
  const result = await chain.locateResult(wallet, channel, deploy.info.createdLt)
  const failure = result === undefined ? undefined : transactionFailure(result)
  if (failure !== undefined)
    throw new ChainTransactionFailedError(failure.exitCode, 'the channel refused the deploy', {
      details: `${failure.phase} phase exit code ${failure.exitCode} on ${channel.toRawString()} (see ChannelExitCode); the value bounced back to the wallet`,
    })
}
