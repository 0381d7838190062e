// The toncenter HTTP API v2 JSON shapes the devnet answers with (as @ton/ton's HttpApi parses them)
import type { Message, Transaction } from '@ton/core'
import type { DevnetTransaction } from './devnet-chain.js'

/** The basechain's single shard on the devnet. */
export const DEVNET_SHARD = '-9223372036854775808'

/** A `ton.blockIdExt` of the masterchain (-1) or the basechain (0) at `seqno`. */
export function blockId(workchain: -1 | 0, seqno: number) {
  return {
    '@type': 'ton.blockIdExt',
    workchain,
    shard: DEVNET_SHARD,
    seqno,
    root_hash: Buffer.alloc(32, seqno % 256).toString('base64'),
    file_hash: Buffer.alloc(32, seqno % 256).toString('base64'),
  }
}

/** A `raw.transaction`, with its BOC in `data` and its messages decoded. */
export function toncenterTransaction(entry: DevnetTransaction) {
  const { tx } = entry
  const description = tx.description
  const storageFee =
    description.type === 'generic' ? (description.storagePhase?.storageFeesCollected ?? 0n) : 0n
  return {
    '@type': 'raw.transaction',
    address: { '@type': 'accountAddress', account_address: entry.account.toString() },
    utime: tx.now,
    data: tx.raw.toBoc().toString('base64'),
    transaction_id: {
      '@type': 'internal.transactionId',
      lt: tx.lt.toString(),
      hash: tx.hash().toString('base64'),
    },
    fee: tx.totalFees.coins.toString(),
    storage_fee: storageFee.toString(),
    other_fee: (tx.totalFees.coins - storageFee).toString(),
    ...(tx.inMessage === undefined || tx.inMessage === null
      ? {}
      : { in_msg: toncenterMessage(tx.inMessage) }),
    out_msgs: [...tx.outMessages.values()].map(toncenterMessage),
  }
}

/** A `raw.message`: empty strings where a field does not apply, as toncenter sends. */
function toncenterMessage(message: Message) {
  const info = message.info
  const body = message.body
  return {
    '@type': 'raw.message',
    source: info.type === 'external-in' ? '' : info.src.toString(),
    destination: info.type === 'external-out' ? (info.dest?.toString() ?? '') : info.dest.toString(),
    value: info.type === 'internal' ? info.value.coins.toString() : '0',
    fwd_fee: info.type === 'internal' ? info.forwardFee.toString() : '0',
    ihr_fee: info.type === 'internal' ? info.ihrFee.toString() : '0',
    created_lt: info.type === 'external-in' ? '0' : info.createdLt.toString(),
    body_hash: body.hash().toString('base64'),
    msg_data: {
      '@type': 'msg.dataRaw',
      body: body.toBoc().toString('base64'),
      init_state: '',
    },
  }
}

/** The `fees` of one account's part of a transaction, split as toncenter's `estimateFee` splits them. */
export function toncenterFees(tx: Transaction) {
  const d = tx.description
  if (d.type !== 'generic') return { '@type': 'fees', in_fwd_fee: 0, storage_fee: 0, gas_fee: 0, fwd_fee: 0 }
  const storage = d.storagePhase?.storageFeesCollected ?? 0n
  const gas = d.computePhase.type === 'vm' ? d.computePhase.gasFees : 0n
  const fwd = d.actionPhase?.totalFwdFees ?? 0n
  const actionFees = d.actionPhase?.totalActionFees ?? 0n
  // what is left of the total is the import fee of the inbound external
  const inFwd = tx.totalFees.coins - storage - gas - actionFees
  return {
    '@type': 'fees',
    in_fwd_fee: Number(inFwd),
    storage_fee: Number(storage),
    gas_fee: Number(gas),
    fwd_fee: Number(fwd),
  }
}
