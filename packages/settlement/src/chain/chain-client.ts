import { errorMessage } from '@cocoon-mesh/protocol'
import {
  type Address,
  type Cell,
  type Contract,
  type ContractProvider,
  internal,
  type OpenedContract,
  openContract,
  type Sender,
  type SenderArguments,
  SendMode,
  type StateInit,
} from '@ton/core'
import { ChainError, ChainTimeoutError } from '../errors.js'
import type { NodeWallet } from '../wallet/wallet.js'

export type AccountStatus = 'active' | 'uninit' | 'frozen'

/**
 * Everything settlement needs from a TON chain. Implemented by
 * {@link TonChainClient} (toncenter HTTP v2 via @ton/ton's TonClient: testnet,
 * mainnet and `cocoon devnet`) and {@link SandboxChainClient} (an in-process
 * @ton/sandbox Blockchain, for the simulator and tests).
 */
export interface ChainClient {
  /** A ContractProvider for `address` (with `init` to deploy on first message). */
  provider(address: Address, init?: StateInit | null): ContractProvider
  getBalance(address: Address): Promise<bigint>
  getStatus(address: Address): Promise<AccountStatus>
  /** The chain's current unix time (seconds), as the contracts see it. */
  chainTime(): Promise<number>
  /**
   * Waits (polling) until `check` holds; devnet/sandbox apply messages synchronously.
   * Rejects with `ChainTimeoutError` when it never does.
   */
  waitFor(check: () => Promise<boolean>, what: string): Promise<void>
}

/** Binds a @ton/core Contract wrapper to a chain. */
export function openOn<T extends Contract>(chain: ChainClient, contract: T): OpenedContract<T> {
  return openContract(contract, (args) => chain.provider(args.address, args.init ?? null))
}

export interface WalletMessage {
  to: Address
  value: bigint
  body?: Cell
  init?: StateInit
  bounce?: boolean
}

/**
 * What {@link sendFromWallet} (and a {@link walletSender}'s `send`) throws:
 * the chain refused the external, it did not apply in time, or a foreign
 * error of the endpoint's get-methods.
 */
export type SendFromWalletErrorType = ChainError | ChainTimeoutError | Error

/**
 * Sends internal messages from the node's wallet (deploying it on first use)
 * and waits until the wallet's seqno moves, i.e. the external was applied.
 * @throws {SendFromWalletErrorType}
 */
export async function sendFromWallet(
  chain: ChainClient,
  wallet: NodeWallet,
  messages: WalletMessage[],
): Promise<void> {
  const opened = openOn(chain, wallet.contract)
  const deployed = (await chain.getStatus(wallet.address)) === 'active'
  const seqno = deployed ? await opened.getSeqno() : 0
  try {
    await opened.sendTransfer({
      seqno,
      secretKey: wallet.keyPair.secretKey,
      sendMode: SendMode.PAY_GAS_SEPARATELY | SendMode.IGNORE_ERRORS,
      messages: messages.map((m) =>
        internal({
          to: m.to,
          value: m.value,
          bounce: m.bounce ?? true,
          ...(m.body === undefined ? {} : { body: m.body }),
          ...(m.init === undefined ? {} : { init: m.init }),
        }),
      ),
    })
  } catch (cause) {
    throw new ChainError('the chain refused the wallet message', {
      details: `wallet ${wallet.address.toString()} (seqno ${seqno}): is it funded? ${errorMessage(cause) ?? ''}`,
      cause,
    })
  }
  await chain.waitFor(
    async () => (await chain.getStatus(wallet.address)) === 'active' && (await opened.getSeqno()) > seqno,
    `wallet ${wallet.address.toString()} seqno > ${seqno}`,
  )
}

/** What {@link pollUntil} throws. */
export type PollUntilErrorType = ChainTimeoutError

/**
 * Polls `check` every `interval` ms up to `timeout` ms (used by the HTTP
 * client). The timeout is wall-clock time: it bounds how long we wait on a
 * remote endpoint, not chain time. A failing check counts as "not yet"; the
 * last failure is the timeout error's cause.
 * @throws {PollUntilErrorType} when `check` never held in time.
 */
export async function pollUntil(
  check: () => Promise<boolean>,
  what: string,
  timeout: number,
  interval: number,
) {
  const deadline = Date.now() + timeout
  let lastError: unknown
  for (;;) {
    try {
      if (await check()) return
    } catch (error) {
      // endpoint hiccup: keep polling until the deadline
      lastError = error
    }
    if (Date.now() > deadline)
      throw new ChainTimeoutError('timed out waiting for the chain', {
        details: `${what} did not happen within ${timeout} ms`,
        ...(lastError === undefined ? {} : { cause: lastError }),
      })
    await new Promise((r) => setTimeout(r, interval))
  }
}

/**
 * A @ton/core Sender that sends through the node's wallet and waits until it was applied.
 * Its `send` throws {@link SendFromWalletErrorType}.
 */
export function walletSender(chain: ChainClient, wallet: NodeWallet): Sender {
  return {
    address: wallet.address,
    async send(args: SenderArguments) {
      await sendFromWallet(chain, wallet, [
        {
          to: args.to,
          value: args.value,
          bounce: args.bounce ?? true,
          ...(args.body === undefined || args.body === null ? {} : { body: args.body }),
          ...(args.init === undefined || args.init === null ? {} : { init: args.init }),
        },
      ])
    },
  }
}
