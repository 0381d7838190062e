// The toncenter v2 jsonRPC methods the devnet serves, and its devnet-only faucet and clock
import { Address, Cell, external, loadMessage, type Message } from '@ton/core'
import { DevnetRequestError } from '../errors.js'
import type { DevnetChain, DevnetTransaction } from './devnet-chain.js'
import { fromToncenterStack, toToncenterStackItem } from './devnet-stack.js'
import { blockId, toncenterFees, toncenterTransaction } from './devnet-toncenter.js'

export type DevnetParams = Record<string, unknown>
export type DevnetMethod = (params: DevnetParams) => Promise<unknown>

/** Most transactions one `getTransactions` call returns (toncenter's limit). */
const MAX_TRANSACTIONS = 100

/** The method table: every method is run inside the chain's serial queue, except the faucet. */
export function devnetMethods(chain: DevnetChain): Record<string, DevnetMethod> {
  return {
    ...accountMethods(chain),
    ...transactionMethods(chain),
    ...blockMethods(chain),
    sendBoc: async (params) => {
      await chain.accept(externalIn(params.boc))
      return { '@type': 'ok' }
    },
    sendBocReturnHash: async (params) => {
      const message = externalIn(params.boc)
      await chain.accept(message)
      return { '@type': 'raw.extMessageInfo', hash: message.body.hash().toString('base64') }
    },
    estimateFee: async (params) => {
      const tx = await chain.dryRun(estimateMessage(params), { ignoreChksig: params.ignore_chksig !== false })
      return { '@type': 'query.fees', source_fees: toncenterFees(tx), destination_fees: [] }
    },
    cocoonAdvanceTime: async (params) => {
      const seconds = Number(params.seconds)
      if (!Number.isFinite(seconds) || seconds < 0) throw new DevnetRequestError(422, 'seconds must be >= 0')
      chain.advance(seconds)
      return { '@type': 'ok', now: chain.now() }
    },
  }
}

/** The devnet-only faucet: it queues its own transfer and answers once it landed. */
export function faucetMethod(chain: DevnetChain): DevnetMethod {
  return async (params) => {
    const amount = bigintParam(params, 'amount')
    if (amount <= 0n) throw new DevnetRequestError(422, 'amount must be positive nanoTON')
    await chain.faucet(addressParam(params, 'address'), amount)
    return { '@type': 'ok' }
  }
}

function accountMethods(chain: DevnetChain): Record<string, DevnetMethod> {
  const { blockchain } = chain
  return {
    getAddressInformation: async (params) => {
      const contract = await blockchain.getContract(addressParam(params, 'address'))
      const state = contract.accountState
      const init = state?.type === 'active' ? state.state : undefined
      return {
        '@type': 'raw.fullAccountState',
        balance: contract.balance.toString(),
        state: state === undefined || state.type === 'uninit' ? 'uninitialized' : state.type,
        code: init?.code?.toBoc().toString('base64') ?? '',
        data: init?.data?.toBoc().toString('base64') ?? '',
        last_transaction_id: {
          '@type': 'internal.transactionId',
          lt: contract.lastTransactionLt.toString(),
          hash: Buffer.from(contract.lastTransactionHash.toString(16).padStart(64, '0'), 'hex').toString(
            'base64',
          ),
        },
        block_id: blockId(0, chain.last.seqno),
        sync_utime: chain.now(),
      }
    },
    runGetMethod: async (params) => {
      const res = await blockchain.runGetMethod(
        addressParam(params, 'address'),
        String(params.method),
        fromToncenterStack(params.stack),
      )
      return {
        gas_used: Number(res.gasUsed),
        exit_code: res.exitCode,
        stack: res.stack.map(toToncenterStackItem),
      }
    },
  }
}

function transactionMethods(chain: DevnetChain): Record<string, DevnetMethod> {
  return {
    getTransactions: async (params) => {
      const limit = params.limit === undefined ? 10 : Number(params.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRANSACTIONS)
        throw new DevnetRequestError(422, `limit must be an integer in 1..${MAX_TRANSACTIONS}`)
      const list = chain.transactions(addressParam(params, 'address'))
      let end = list.length
      if (params.lt !== undefined && params.lt !== null && String(params.lt) !== '0') {
        const lt = BigInt(String(params.lt))
        end = list.findIndex((t) => t.tx.lt === lt) + 1
        if (end === 0) throw new DevnetRequestError(404, `no transaction with lt ${lt} on this account`)
        const hash = params.hash === undefined ? undefined : hashParam(params.hash)
        if (hash !== undefined && !list[end - 1]?.tx.hash().equals(hash))
          throw new DevnetRequestError(404, `transaction ${lt} has another hash`)
      }
      const toLt = params.to_lt === undefined ? 0n : BigInt(String(params.to_lt))
      const out: unknown[] = []
      for (let i = end - 1; i >= 0 && out.length < limit; i--) {
        const entry = list[i] as DevnetTransaction
        if (entry.tx.lt <= toLt) break
        out.push(toncenterTransaction(entry))
      }
      return out
    },
    tryLocateResultTx: async (params) => {
      const source = addressParam(params, 'source')
      const createdLt = BigInt(String(params.created_lt))
      const found = chain.transactions(addressParam(params, 'destination')).find((t) => {
        const info = t.tx.inMessage?.info
        return info?.type === 'internal' && info.createdLt === createdLt && info.src.equals(source)
      })
      if (found === undefined) throw new DevnetRequestError(404, 'transaction not found')
      return toncenterTransaction(found)
    },
    tryLocateSourceTx: async (params) => {
      const destination = addressParam(params, 'destination')
      const createdLt = BigInt(String(params.created_lt))
      const found = chain
        .transactions(addressParam(params, 'source'))
        .find((t) =>
          [...t.tx.outMessages.values()].some(
            (m) =>
              m.info.type === 'internal' && m.info.createdLt === createdLt && m.info.dest.equals(destination),
          ),
        )
      if (found === undefined) throw new DevnetRequestError(404, 'transaction not found')
      return toncenterTransaction(found)
    },
  }
}

function blockMethods(chain: DevnetChain): Record<string, DevnetMethod> {
  return {
    getMasterchainInfo: async () => ({
      '@type': 'blocks.masterchainInfo',
      state_root_hash: Buffer.alloc(32).toString('base64'),
      last: blockId(-1, chain.last.seqno),
      init: blockId(-1, 1),
    }),
    shards: async (params) => {
      const seqno = seqnoParam(chain, params.seqno)
      return { '@type': 'blocks.shards', shards: [blockId(0, seqno)] }
    },
    getBlockTransactions: async (params) => {
      const workchain = Number(params.workchain)
      if (workchain !== 0 && workchain !== -1) throw new DevnetRequestError(422, 'workchain must be 0 or -1')
      const seqno = seqnoParam(chain, params.seqno)
      const txs = workchain === -1 ? [] : (chain.block(seqno)?.transactions ?? [])
      return {
        '@type': 'blocks.transactions',
        id: blockId(workchain, seqno),
        req_count: txs.length,
        incomplete: false,
        transactions: txs.map((t) => ({
          '@type': 'blocks.shortTxId',
          mode: 135,
          account: t.account.toRawString(),
          lt: t.tx.lt.toString(),
          hash: t.tx.hash().toString('base64'),
        })),
      }
    },
  }
}

/** The external-in message in a `boc` parameter. */
function externalIn(boc: unknown): Message {
  if (typeof boc !== 'string' || boc === '') throw new DevnetRequestError(422, 'empty boc')
  let message: Message
  try {
    message = loadMessage(Cell.fromBase64(boc).beginParse())
  } catch (cause) {
    throw new DevnetRequestError(422, 'boc is not a serialized message', cause)
  }
  if (message.info.type !== 'external-in')
    throw new DevnetRequestError(422, 'only external messages can be sent to the chain')
  return message
}

/** The external message `estimateFee` prices: body plus optional init code and data. */
function estimateMessage(params: DevnetParams): Message {
  const cell = (name: string): Cell | undefined => {
    const value = params[name]
    if (value === undefined || value === '' || value === null) return undefined
    try {
      return Cell.fromBase64(String(value))
    } catch (cause) {
      throw new DevnetRequestError(422, `${name} is not a base64 BOC`, cause)
    }
  }
  const body = cell('body') ?? Cell.EMPTY
  const code = cell('init_code')
  const data = cell('init_data')
  const init =
    code === undefined && data === undefined ? undefined : { code: code ?? null, data: data ?? null }
  return external({ to: addressParam(params, 'address'), body, ...(init === undefined ? {} : { init }) })
}

function addressParam(params: DevnetParams, name: string): Address {
  try {
    return Address.parse(String(params[name]))
  } catch (cause) {
    throw new DevnetRequestError(422, `${name} is not a TON address: ${String(params[name])}`, cause)
  }
}

function bigintParam(params: DevnetParams, name: string): bigint {
  try {
    return BigInt(String(params[name]))
  } catch (cause) {
    throw new DevnetRequestError(422, `${name} must be an integer`, cause)
  }
}

/** A block seqno that exists on the devnet. */
function seqnoParam(chain: DevnetChain, value: unknown): number {
  const seqno = Number(value)
  if (!Number.isInteger(seqno) || seqno < 1)
    throw new DevnetRequestError(422, 'seqno must be a positive integer')
  if (seqno > chain.last.seqno) throw new DevnetRequestError(404, `block ${seqno} is not produced yet`)
  return seqno
}

/** A transaction hash in hex (what TonClient sends) or base64. */
function hashParam(value: unknown): Buffer {
  const text = String(value)
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64')
}
