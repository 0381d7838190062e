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
  type Transaction,
} from '@ton/core'
import { ChainError, ChainTimeoutError, ChainTransactionFailedError } from '../errors.js'
import type { NodeWallet } from '../wallet/wallet.js'

export type AccountStatus = 'active' | 'uninit' | 'frozen'

/**
 * Everything settlement needs from a TON chain. Implemented by
 * {@link TonChainClient} (toncenter HTTP v2 via @ton/ton's TonClient: testnet,
 * mainnet and `cocoon devnet`) and `SandboxChainClient` (an in-process
 * @ton/sandbox Blockchain, for the simulator and tests; in
 * `@cocoon-mesh/settlement/devnet`).
 */
export interface ChainClient {
  /** A ContractProvider for `address` (with `init` to deploy on first message). */
  provider(address: Address, init?: StateInit | null): ContractProvider
  getBalance(address: Address): Promise<bigint>
  getStatus(address: Address): Promise<AccountStatus>
  /** The chain's current unix time (seconds), as the contracts see it. */
  chainTime(): Promise<number>
  /**
   * Waits (polling, bounded) until `check` holds: messages land in later blocks.
   * Rejects with `ChainTimeoutError` when it never does.
   */
  waitFor(check: () => Promise<boolean>, what: string): Promise<void>
  /** The account's newest transactions (older than `before` when given), newest first, at most `limit`. */
  transactions(address: Address, limit: number, before?: Transaction): Promise<Transaction[]>
  /**
   * The transaction that the message `source` sent to `destination` at
   * `createdLt` caused; undefined while it has not run yet.
   */
  locateResult(source: Address, destination: Address, createdLt: bigint): Promise<Transaction | undefined>
  /**
   * The fees (nanoTON: import, storage, gas, forwarding) the chain would
   * charge `address` for an external with `body` (and `init` for an
   * undeployed account), its signature not checked.
   */
  estimateExternalFee(address: Address, body: Cell, init?: StateInit): Promise<bigint>
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
 * the chain refused the external, it or its messages did not land in time,
 * a message's destination failed it (`ChainTransactionFailedError`, with the
 * exit code), or a foreign error of the endpoint's get-methods.
 */
export type SendFromWalletErrorType = ChainError | ChainTimeoutError | ChainTransactionFailedError | Error

/** The wallet's transaction and the transactions its messages caused, down the chain (wallet → channel → payout). */
export interface WalletSendResult {
  walletTx: Transaction
  results: Transaction[]
}

/**
 * Sends internal messages from the node's wallet (deploying it on first use),
 * waits until the wallet's seqno moves (its transaction ran), then until each
 * message's destination ran it and the messages that caused, down the chain
 * (located with `locateResult`), as the real chain runs them in later
 * blocks: when it returns, a claim's payout is in the wallet. Every wait is
 * bounded by the chain's timeout; a refused message throws with its exit code.
 * @throws {SendFromWalletErrorType}
 */
export async function sendFromWallet(
  chain: ChainClient,
  wallet: NodeWallet,
  messages: WalletMessage[],
): Promise<WalletSendResult> {
  const opened = openOn(chain, wallet.contract)
  const deployed = (await chain.getStatus(wallet.address)) === 'active'
  const seqno = deployed ? await opened.getSeqno() : 0
  const body = wallet.contract.createTransfer({
    seqno,
    secretKey: wallet.keyPair.secretKey,
    sendMode: SendMode.PAY_GAS_SEPARATELY | SendMode.IGNORE_ERRORS,
    messages: messages.map(toInternal),
  })
  try {
    await chain.provider(wallet.address, deployed ? null : wallet.contract.init).external(body)
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
  const walletTx = await walletTransaction(chain, wallet.address, body)
  const sent = [...walletTx.outMessages.values()].filter((m) => m.info.type === 'internal').length
  if (sent < messages.length)
    throw new ChainTransactionFailedError(
      transactionFailure(walletTx)?.exitCode ?? 0,
      `wallet ${wallet.address.toString()} sent ${sent} of its ${messages.length} messages`,
      { details: 'its balance did not cover their value and fees; fund the wallet (`cocoon wallet`)' },
    )
  return { walletTx, results: await awaitDescendants(chain, walletTx, wallet.address, MAX_HOPS) }
}

/** How many hops after the wallet's transaction a send follows (wallet → channel → payout is two). */
const MAX_HOPS = 4

/**
 * Waits for the transactions the internal messages of `tx` (on `account`)
 * cause, and theirs, `hops` deep, checking each succeeded; returns them in
 * the order they were found.
 * @throws {AwaitResultErrorType}
 */
async function awaitDescendants(
  chain: ChainClient,
  tx: Transaction,
  account: Address,
  hops: number,
): Promise<Transaction[]> {
  if (hops === 0) return []
  const found: Transaction[] = []
  for (const out of tx.outMessages.values()) {
    if (out.info.type !== 'internal') continue
    const result = await awaitResult(chain, account, out.info.dest, out.info.createdLt)
    found.push(result, ...(await awaitDescendants(chain, result, out.info.dest, hops - 1)))
  }
  return found
}

function toInternal(m: WalletMessage) {
  return internal({
    to: m.to,
    value: m.value,
    bounce: m.bounce ?? true,
    ...(m.body === undefined ? {} : { body: m.body }),
    ...(m.init === undefined ? {} : { init: m.init }),
  })
}

/** What {@link walletTransaction} throws. */
export type WalletTransactionErrorType = ChainTimeoutError

/**
 * The wallet's transaction that ran the external with `body`, from its
 * newest transactions (the seqno already moved, so it is there).
 * @throws {WalletTransactionErrorType} when the endpoint does not list it in time.
 */
async function walletTransaction(chain: ChainClient, address: Address, body: Cell): Promise<Transaction> {
  let found: Transaction | undefined
  await chain.waitFor(async () => {
    const recent = await chain.transactions(address, 16)
    found = recent.find((tx) => tx.inMessage?.info.type === 'external-in' && tx.inMessage.body.equals(body))
    return found !== undefined
  }, `the transaction of wallet ${address.toString()} in its history`)
  return found as Transaction
}

/** What {@link awaitResult} throws. */
export type AwaitResultErrorType = ChainTimeoutError | ChainTransactionFailedError

/**
 * Waits (bounded) for the transaction a message from `source` created at
 * `createdLt` caused on `destination`, and checks it succeeded.
 * @throws {AwaitResultErrorType}
 */
export async function awaitResult(
  chain: ChainClient,
  source: Address,
  destination: Address,
  createdLt: bigint,
): Promise<Transaction> {
  let result: Transaction | undefined
  await chain.waitFor(async () => {
    result = await chain.locateResult(source, destination, createdLt)
    return result !== undefined
  }, `the transaction of ${destination.toString()} for the message ${source.toString()} sent at lt ${createdLt}`)
  const tx = result as Transaction
  const failure = transactionFailure(tx)
  if (failure !== undefined)
    throw new ChainTransactionFailedError(failure.exitCode, `${destination.toString()} refused the message`, {
      details: `${failure.phase} phase exit code ${failure.exitCode} (transaction lt ${tx.lt}); the message value bounced back to ${source.toString()}`,
    })
  return tx
}

/** Why a transaction failed (compute or action phase and its code), or undefined when it succeeded or ran no code. */
export function transactionFailure(
  tx: Transaction,
): { phase: 'compute' | 'action'; exitCode: number } | undefined {
  const d = tx.description
  if (d.type !== 'generic') return undefined
  if (d.computePhase.type === 'vm' && !d.computePhase.success)
    return { phase: 'compute', exitCode: d.computePhase.exitCode }
  if (d.actionPhase !== undefined && d.actionPhase !== null && !d.actionPhase.success)
    return { phase: 'action', exitCode: d.actionPhase.resultCode }
  return undefined
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
      // the Sender interface returns nothing: the caller reads the effect from the contract
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
