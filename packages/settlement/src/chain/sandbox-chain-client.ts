import {
  type Address,
  type Cell,
  type Contract,
  type ContractProvider,
  comment,
  external,
  type Message,
  type StateInit,
  type Transaction,
  toNano,
} from '@ton/core'
import type { Blockchain, SendMessageResult } from '@ton/sandbox'
import { ChainTimeoutError } from '../errors.js'
import { type AccountStatus, type ChainClient, openOn } from './chain-client.js'

/** How many of its newest transactions a SandboxChainClient keeps. */
const RECENT_TRANSACTIONS = 1024

/**
 * ChainClient over an in-process @ton/sandbox Blockchain: every send is
 * emulated to completion before it resolves. `onSend` sees each result
 * (the benchmarks count channel messages and gas with it).
 */
export class SandboxChainClient implements ChainClient {
  /** The newest transactions of every send, newest last, for `transactions` and `locateResult`. */
  private readonly recent: Transaction[] = []

  constructor(
    readonly blockchain: Blockchain,
    private readonly onSend?: (result: SendMessageResult) => void,
  ) {}

  async send(message: Message): Promise<SendMessageResult> {
    const result = await this.blockchain.sendMessage(message)
    this.recent.push(...result.transactions)
    if (this.recent.length > RECENT_TRANSACTIONS)
      this.recent.splice(0, this.recent.length - RECENT_TRANSACTIONS)
    this.onSend?.(result)
    return result
  }

  provider(address: Address, init?: StateInit | null): ContractProvider {
    const base = this.blockchain.provider(address, init ?? null)
    const needsInit = async (): Promise<StateInit | undefined> => {
      if (init === undefined || init === null) return undefined
      return (await this.getStatus(address)) === 'active' ? undefined : init
    }
    return {
      getState: () => base.getState(),
      get: (name, args) => base.get(name, args),
      getTransactions: (addr, lt, hash, limit) => base.getTransactions(addr, lt, hash, limit),
      open: <T extends Contract>(contract: T) => openOn(this, contract),
      external: async (body: Cell) => {
        const stateInit = await needsInit()
        await this.send(
          external({ to: address, body, ...(stateInit === undefined ? {} : { init: stateInit }) }),
        )
      },
      internal: async (via, args) => {
        const stateInit = await needsInit()
        await via.send({
          to: address,
          value: typeof args.value === 'string' ? toNano(args.value) : args.value,
          bounce: args.bounce ?? true,
          ...(args.sendMode === undefined ? {} : { sendMode: args.sendMode }),
          ...(stateInit === undefined ? {} : { init: stateInit }),
          ...(args.body === undefined || args.body === null
            ? {}
            : { body: typeof args.body === 'string' ? comment(args.body) : args.body }),
        })
      },
    }
  }

  async getBalance(address: Address): Promise<bigint> {
    return (await this.blockchain.getContract(address)).balance
  }

  async getStatus(address: Address): Promise<AccountStatus> {
    const state = (await this.blockchain.getContract(address)).accountState
    return state === undefined ? 'uninit' : state.type
  }

  async chainTime(): Promise<number> {
    return this.blockchain.now ?? Math.floor(Date.now() / 1000)
  }

  async transactions(address: Address, limit: number, before?: Transaction): Promise<Transaction[]> {
    const account = address.hash.toString('hex')
    return this.recent
      .filter(
        (tx) =>
          tx.address.toString(16).padStart(64, '0') === account &&
          (before === undefined || tx.lt < before.lt),
      )
      .reverse()
      .slice(0, limit)
  }

  async locateResult(
    source: Address,
    destination: Address,
    createdLt: bigint,
  ): Promise<Transaction | undefined> {
    return this.recent.find((tx) => {
      const info = tx.inMessage?.info
      return (
        info?.type === 'internal' &&
        info.createdLt === createdLt &&
        info.src.equals(source) &&
        info.dest.equals(destination)
      )
    })
  }

  async estimateExternalFee(address: Address, body: Cell, init?: StateInit): Promise<bigint> {
    const snapshot = this.blockchain.snapshot()
    try {
      const steps = await this.blockchain.sendMessageIter(
        external({ to: address, body, ...(init === undefined ? {} : { init }) }),
        { allowParallel: true, ignoreChksig: true },
      )
      const first = await steps.next()
      return first.done === true ? 0n : first.value.totalFees.coins + forwardFees(first.value)
    } finally {
      await this.blockchain.loadFrom(snapshot)
    }
  }

  async waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
    if (!(await check())) throw new ChainTimeoutError('sandbox message did not apply', { details: what })
  }
}

/** What a transaction's outbound messages carry on as forwarding fees (the sender paid them too). */
function forwardFees(tx: Transaction): bigint {
  let sum = 0n
  for (const m of tx.outMessages.values()) if (m.info.type === 'internal') sum += m.info.forwardFee
  return sum
}
