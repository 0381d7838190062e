import type {
  ChainClient,
  TonConnectTransactionRequest,
  TonConnectTransactionResponse,
} from '@cocoon-mesh/settlement'
import {
  type Address,
  beginCell,
  Cell,
  external,
  internal,
  loadMessage,
  loadStateInit,
  openContract,
  storeMessage,
  Address as TonAddress,
  type Transaction,
} from '@ton/core'
import { type KeyPair, mnemonicNew, mnemonicToPrivateKey } from '@ton/crypto'
import { SendMode, WalletContractV5R1 } from '@ton/ton'

/**
 * The user's wallet as a TON Connect wallet app runs it: a W5 wallet contract
 * that signs a transfer of exactly the request's messages, decoded from the
 * request's base64 (address flags, amounts, state inits, payloads), valid
 * until the request's `validUntil`, sends the external message to the chain
 * and answers with its BoC, as `sendTransaction` does.
 */
export class TonConnectTestWallet {
  readonly contract: WalletContractV5R1

  private constructor(
    private readonly chain: ChainClient,
    private readonly keyPair: KeyPair,
  ) {
    this.contract = WalletContractV5R1.create({ workchain: 0, publicKey: keyPair.publicKey })
  }

  /** A wallet with a fresh key. */
  static async create(chain: ChainClient): Promise<TonConnectTestWallet> {
    return new TonConnectTestWallet(chain, await mnemonicToPrivateKey(await mnemonicNew(24)))
  }

  get address(): Address {
    return this.contract.address
  }

  async sendTransaction(request: TonConnectTransactionRequest): Promise<TonConnectTransactionResponse> {
    if (request.from !== undefined && !TonAddress.parse(request.from).equals(this.address))
      throw new Error(`the request is for ${request.from}, not this wallet`)
    const deployed = (await this.chain.getStatus(this.address)) === 'active'
    const opened = openContract(this.contract, (args) => this.chain.provider(args.address, args.init ?? null))
    const seqno = deployed ? await opened.getSeqno() : 0
    const body = this.contract.createTransfer({
      seqno,
      secretKey: this.keyPair.secretKey,
      sendMode: SendMode.PAY_GAS_SEPARATELY | SendMode.IGNORE_ERRORS,
      timeout: request.validUntil,
      messages: request.messages.map((m) => {
        const to = TonAddress.parseFriendly(m.address)
        return internal({
          to: to.address,
          bounce: to.isBounceable,
          value: BigInt(m.amount),
          ...(m.stateInit === undefined
            ? {}
            : { init: loadStateInit(Cell.fromBase64(m.stateInit).beginParse()) }),
          ...(m.payload === undefined ? {} : { body: Cell.fromBase64(m.payload) }),
        })
      }),
    })
    const init = deployed ? null : this.contract.init
    await this.chain.provider(this.address, init).external(body)
    const message = external({ to: this.address, body, ...(init === null ? {} : { init }) })
    return { boc: beginCell().store(storeMessage(message)).endCell().toBoc().toString('base64') }
  }

  /** The wallet's transaction that ran the external message of a `sendTransaction` answer, once it ran. */
  async transactionOf(boc: string): Promise<Transaction | undefined> {
    const sent = loadMessage(Cell.fromBase64(boc).beginParse())
    const txs = await this.chain.transactions(this.address, 16)
    return txs.find((tx) => tx.inMessage?.info.type === 'external-in' && tx.inMessage.body.equals(sent.body))
  }
}
