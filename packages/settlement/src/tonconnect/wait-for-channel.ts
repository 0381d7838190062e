import { errorMessage } from '@cocoon-mesh/protocol'
import { Address, Cell } from '@ton/core'
import { type ChainClient, openOn } from '../chain/chain-client.js'
import { type ChannelView, readChannel } from '../channel/channel-view.js'
import { type ChannelParties, PaymentChannel, paymentChannelCode } from '../contract/payment-channel.js'
import {
  ChainTimeoutError,
  ChainTransactionFailedError,
  ChannelStateMismatchError,
  type InvalidSettlementInputError,
} from '../errors.js'
import type { ClientChannel } from '../policy/client-payments.js'
import type { ChannelOpenTarget } from './channel-open-transaction.js'
import type { TonConnectTransactionResponse } from './transaction-request.js'
import { checkWalletSent, parseWalletAnswer } from './wallet-transaction.js'

/** ms {@link waitForChannelOpen} waits by default: a wallet's confirmation and a few blocks. */
export const DEFAULT_CHANNEL_OPEN_TIMEOUT = 120_000

export interface WaitForChannelOpenParameters {
  chain: ChainClient
  /** `channel` of `channelOpenTransaction`'s answer. */
  channel: ChannelOpenTarget
  /** Stops the wait; the call rejects with the signal's reason. */
  signal?: AbortSignal
  /** ms (default {@link DEFAULT_CHANNEL_OPEN_TIMEOUT}). */
  timeout?: number
  /** ms between reads of the chain (default 1 000: toncenter's pace without a key). */
  pollInterval?: number
  /**
   * The wallet's `sendTransaction` answer. With it the wait also reads the
   * wallet's transaction and fails at once when it ran without deploying the
   * channel, instead of at the timeout.
   */
  answer?: TonConnectTransactionResponse
}

export interface WaitForChannelOpenReturnType {
  /** What `clientPayments({ channelFor })` answers for the provider. */
  channel: ClientChannel
  view: ChannelView
}

/**
 * What {@link waitForChannelOpen} throws: the contract at the address is
 * another channel or no longer usable, the wallet's transaction ran without
 * deploying it (with `answer`), an `answer` that is not the wallet's
 * message, the wait ran out (the last chain error is its cause), or the
 * signal's reason when aborted.
 */
export type WaitForChannelOpenErrorType =
  | ChannelStateMismatchError
  | ChainTransactionFailedError
  | InvalidSettlementInputError
  | ChainTimeoutError
  | Error

/**
 * Waits, bounded, until the channel a TON Connect request deploys is live on
 * chain with the state asked for: our channel code, the same keys, parties,
 * id and exit delay, at least the deposit, neither closed nor exiting.
 * Returns the handle client payments take.
 * @throws {WaitForChannelOpenErrorType}
 */
export async function waitForChannelOpen(
  parameters: WaitForChannelOpenParameters,
): Promise<WaitForChannelOpenReturnType> {
  const timeout = parameters.timeout ?? DEFAULT_CHANNEL_OPEN_TIMEOUT
  const interval = parameters.pollInterval ?? 1_000
  const expired = AbortSignal.timeout(timeout)
  const signal = parameters.signal === undefined ? expired : AbortSignal.any([parameters.signal, expired])
  const target = parameters.channel
  const channelAddress = Address.parse(target.address)
  const sent =
    parameters.answer === undefined
      ? undefined
      : parseWalletAnswer(parameters.answer.boc, target.config.client)
  let seen = 'not deployed'
  let lastError: unknown
  for (;;) {
    if (signal.aborted) {
      if (parameters.signal?.aborted === true) throw parameters.signal.reason
      throw new ChainTimeoutError('timed out waiting for the channel', {
        details: `channel ${target.friendlyAddress} was ${seen} after ${timeout} ms${lastError === undefined ? '' : ` (last chain error: ${errorMessage(lastError)})`}; did the wallet send the transaction?`,
        ...(lastError === undefined ? {} : { cause: lastError }),
      })
    }
    try {
      const view = await liveChannel(parameters.chain, target)
      if (view !== undefined && view.state.deposit >= target.deposit)
        return { channel: { address: target.address, deposit: view.state.deposit }, view }
      if (view !== undefined) seen = `funded with ${view.state.deposit} of ${target.deposit} nanoTON`
      // not funded yet: did the wallet's transaction run without funding it?
      if (sent !== undefined)
        await checkWalletSent(parameters.chain, target.config.client, sent, channelAddress)
    } catch (error) {
      if (error instanceof ChannelStateMismatchError || error instanceof ChainTransactionFailedError)
        throw error
      // an endpoint hiccup: read again until the deadline
      lastError = error
    }
    await sleep(interval, signal)
  }
}

/**
 * The channel's view when it is deployed and is the channel asked for;
 * undefined while not deployed.
 * @throws {ChannelStateMismatchError} when the contract there is another one or unusable.
 */
async function liveChannel(chain: ChainClient, target: ChannelOpenTarget): Promise<ChannelView | undefined> {
  const address = Address.parse(target.address)
  const { state } = await chain.provider(address).getState()
  if (state.type !== 'active') return undefined
  if (
    state.code === null ||
    state.code === undefined ||
    !Cell.fromBoc(state.code)[0]?.hash().equals(paymentChannelCode().hash())
  )
    throw mismatch(target, 'the contract there does not run the payment-channel code')
  const parties = await openOn(chain, PaymentChannel.createFromAddress(address)).getParties()
  const differs = partiesDiffer(parties, target)
  if (differs !== undefined) throw mismatch(target, differs)
  const view = await readChannel(chain, target.address)
  if (view === undefined) return undefined
  const { config } = target
  if (view.state.channelId !== config.channelId)
    throw mismatch(target, `channel id ${view.state.channelId}, expected ${config.channelId}`)
  if (view.state.exitDelay !== config.exitDelay)
    throw mismatch(target, `exit delay ${view.state.exitDelay} s, expected ${config.exitDelay} s`)
  if (view.state.closed) throw mismatch(target, 'the channel is already closed')
  if (view.state.exitRequestedAt > 0) throw mismatch(target, 'the channel is already exiting')
  return view
}

/** Which party the contract names differently from the request, or undefined when all match. */
function partiesDiffer(parties: ChannelParties, target: ChannelOpenTarget): string | undefined {
  const { config } = target
  if (!bytesEqual(parties.clientKey, config.clientKey)) return 'another voucher key'
  if (!bytesEqual(parties.providerKey, config.providerKey)) return 'another provider settlement key'
  if (!parties.client.equals(config.client)) return `client wallet ${parties.client.toRawString()}`
  if (!parties.provider.equals(config.provider)) return `provider ${parties.provider.toRawString()}`
  return undefined
}

function mismatch(target: ChannelOpenTarget, what: string): ChannelStateMismatchError {
  return new ChannelStateMismatchError('the contract at the channel address is not the channel asked for', {
    details: `${target.friendlyAddress}: ${what}; do not pay through it, build a new request (a fresh channel id)`,
  })
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

/** Resolves after `ms`, or as soon as `signal` aborts (the loop then reads the signal). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
