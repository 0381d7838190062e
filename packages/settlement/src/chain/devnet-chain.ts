import { errorMessage } from '@cocoon-mesh/protocol'
import type { Logger } from '@libp2p/interface'
import { Address, type Cell, external, internal, type Message, type Transaction, toNano } from '@ton/core'
import { Blockchain, type SandboxContract, type TreasuryContract } from '@ton/sandbox'
import { DevnetRequestError } from '../errors.js'

/** One transaction the devnet applied, with the block that holds it. */
export interface DevnetTransaction {
  tx: Transaction
  /** The account it ran on. */
  account: Address
  /** Seqno of the block (masterchain and basechain seqnos move together on the devnet). */
  block: number
}

/** A block of the devnet: its seqno, unix time and transactions in lt order. */
export interface DevnetBlock {
  seqno: number
  utime: number
  transactions: DevnetTransaction[]
}

/** A message chain in flight: its emulator iterator and how many of its messages the next block runs. */
interface InFlight {
  steps: AsyncIterator<Transaction>
  pending: number
  /** Resolves once the chain has no message left (the faucet waits on it). */
  done: () => void
}

export interface DevnetChainOptions {
  /** ms between a message's acceptance and the block that runs it (and between blocks). */
  blockInterval: number
  /** Run each message's whole chain at once, in one block, before `sendBoc` returns. */
  instant: boolean
  log: Logger
}

/**
 * The emulated chain behind the devnet: @ton/sandbox's Blockchain, a clock
 * (wall-clock time plus the seconds it was advanced), the faucet treasury,
 * the queue that applies requests one at a time, and blocks. An accepted
 * external message waits for the next block; each block runs one hop of
 * every message chain in flight (the wallet's transaction, then in the next
 * block the transactions its messages cause, and so on), as shards do.
 */
export class DevnetChain {
  private offset = 0
  private queue: Promise<unknown> = Promise.resolve()
  private readonly inFlight: InFlight[] = []
  private readonly byAccount = new Map<string, DevnetTransaction[]>()
  private readonly blockList: DevnetBlock[] = []
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  private constructor(
    readonly blockchain: Blockchain,
    private readonly treasury: SandboxContract<TreasuryContract>,
    private readonly options: DevnetChainOptions,
  ) {
    this.blockList.push({ seqno: 1, utime: this.now(), transactions: [] })
  }

  static async create(options: DevnetChainOptions): Promise<DevnetChain> {
    const blockchain = await Blockchain.create()
    blockchain.now = devnetTime(0)
    const treasury = await blockchain.treasury('cocoon-devnet-faucet', { balance: toNano('1000000000') })
    return new DevnetChain(blockchain, treasury, options)
  }

  /** The chain's unix time, seconds. */
  now(): number {
    return devnetTime(this.offset)
  }

  advance(seconds: number): void {
    this.offset += seconds
  }

  /** The newest block. */
  get last(): DevnetBlock {
    return this.blockList[this.blockList.length - 1] as DevnetBlock
  }

  block(seqno: number): DevnetBlock | undefined {
    return this.blockList[seqno - 1]
  }

  /** An account's transactions, oldest first. */
  transactions(account: Address): readonly DevnetTransaction[] {
    return this.byAccount.get(account.toRawString()) ?? []
  }

  /** Runs `fn` after every earlier request, with the chain clock brought up to date. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      this.blockchain.now = this.now()
      return fn()
    })
    // The caller of this job gets its failure through `next`; the queue only waits for it to settle.
    this.queue = Promise.allSettled([next])
    return next
  }

  /**
   * Checks that the external message's first transaction is accepted against
   * the current state (as a liteserver does before it takes a message), then
   * queues it for the next block (instant: runs its whole chain now).
   * Call inside {@link serial}.
   * @throws {DevnetRequestError} 500 when the account does not accept it.
   */
  async accept(message: Message): Promise<void> {
    await this.dryRun(message, {})
    // the sender does not wait for the chain to run: it polls, as on the real chain
    await this.enqueue(message)
  }

  /**
   * Runs the first transaction of `message` on a copy of the state and
   * returns it; the state is restored afterwards. Call inside {@link serial}.
   * @throws {DevnetRequestError} 500 when the account does not accept it.
   */
  async dryRun(message: Message, params: { ignoreChksig?: boolean }): Promise<Transaction> {
    const snapshot = this.blockchain.snapshot()
    try {
      const steps = await this.blockchain.sendMessageIter(message, { allowParallel: true, ...params })
      const first = await steps.next()
      if (first.done === true) throw new DevnetRequestError(500, 'the message ran no transaction')
      return first.value
    } catch (cause) {
      if (cause instanceof DevnetRequestError) throw cause
      throw new DevnetRequestError(500, `external message was not accepted: ${errorText(cause)}`, cause)
    } finally {
      await this.blockchain.loadFrom(snapshot)
    }
  }

  /**
   * Sends `amount` nanoTON from the treasury (non-bounceable) and resolves
   * once the transfer landed (a block later, or at once when instant).
   * Call outside {@link serial}: it queues its own work.
   */
  async faucet(to: Address, amount: bigint): Promise<void> {
    const body: Cell = this.treasury.createTransfer({
      messages: [internal({ to, value: amount, bounce: false })],
    })
    const { landed } = await this.serial(() => this.enqueue(external({ to: this.treasury.address, body })))
    await landed
  }

  /** Stops producing blocks; waits for a block being produced. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.queue
  }

  /** Queues a message chain; `landed` resolves when the chain has run (wrapped, so `serial` does not wait for it). */
  private async enqueue(message: Message): Promise<{ landed: Promise<void> }> {
    const steps = await this.blockchain.sendMessageIter(message, { allowParallel: true })
    const { promise, resolve } = Promise.withResolvers<void>()
    this.inFlight.push({ steps, pending: 1, done: resolve })
    if (this.options.instant) {
      while (this.inFlight.length > 0) await this.produceBlock()
    } else this.schedule()
    return { landed: promise }
  }

  /** Arms the block timer when messages wait and none is armed. */
  private schedule(): void {
    if (this.stopped || this.timer !== undefined || this.inFlight.length === 0) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.serial(() => this.produceBlock()).then(
        () => this.schedule(),
        (error: unknown) => this.options.log.error('block production failed: %s', errorText(error)),
      )
    }, this.options.blockInterval)
  }

  /** Runs one hop of every chain in flight as the next block. */
  private async produceBlock(): Promise<void> {
    const block: DevnetBlock = { seqno: this.last.seqno + 1, utime: this.now(), transactions: [] }
    this.blockList.push(block)
    for (const flight of [...this.inFlight]) {
      const hops = flight.pending
      flight.pending = 0
      for (let i = 0; i < hops; i++) {
        const step = await this.step(flight)
        if (step === undefined) break
        this.record(step, block)
        for (const out of step.outMessages.values()) if (out.info.type === 'internal') flight.pending++
      }
      if (flight.pending === 0) {
        this.inFlight.splice(this.inFlight.indexOf(flight), 1)
        flight.done()
      }
    }
  }

  /** The chain's next transaction; an external that its account no longer accepts is dropped, as on chain. */
  private async step(flight: InFlight): Promise<Transaction | undefined> {
    try {
      const next = await flight.steps.next()
      return next.done === true ? undefined : next.value
    } catch (error) {
      this.options.log('dropped a message the account did not accept: %s', errorText(error))
      flight.pending = 0
      return undefined
    }
  }

  private record(tx: Transaction, block: DevnetBlock): void {
    const dest = tx.inMessage?.info.dest
    const account = Address.isAddress(dest) ? dest : new Address(0, bigintTo32(tx.address))
    const entry: DevnetTransaction = { tx, account, block: block.seqno }
    block.transactions.push(entry)
    const key = account.toRawString()
    const list = this.byAccount.get(key) ?? []
    list.push(entry)
    this.byAccount.set(key, list)
  }
}

/** Wall-clock unix seconds plus `offset`: the devnet's chain time. */
function devnetTime(offset: number): number {
  return Math.floor(Date.now() / 1000) + offset
}

function bigintTo32(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(64, '0'), 'hex')
}

function errorText(error: unknown): string {
  return errorMessage(error) ?? String(error)
}
