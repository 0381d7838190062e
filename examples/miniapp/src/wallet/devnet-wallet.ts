/**
 * A devnet wallet kept by the page: an Ed25519 seed in IndexedDB, a v4 wallet
 * contract funded by the devnet's faucet, sending a TON Connect request as
 * the wallet's own transfer through the devnet's `sendBoc`. For local meshes
 * only: the key never leaves the page, and devnet coins are worth nothing.
 */
import { ChainError, type TonConnectMessage, WalletTransactionError } from '@cocoon-mesh/settlement'
import {
  Address,
  beginCell,
  Cell,
  external,
  internal,
  loadStateInit,
  SendMode,
  storeMessage,
  toNano,
} from '@ton/core'
import { keyPairFromSeed } from '@ton/crypto'
import { TonClient, WalletContractV4 } from '@ton/ton'
import { type Datastore, Key } from 'interface-datastore'
import { storageError } from '../storage.js'
import type { WalletAdapter } from './wallet.js'

const SEED = new Key('/cocoon/devnet-wallet-seed')
/** What the faucet tops the wallet up to when it holds less than {@link LOW}. */
const FUNDING = toNano('20')
const LOW = toNano('5')

/** What {@link devnetWallet} throws: storage errors, or the devnet not answering its faucet. */
export type DevnetWalletErrorType = ChainError | Error

/**
 * The page's devnet wallet on `endpoint`, funded by the faucet when low.
 * @throws {DevnetWalletErrorType}
 */
export async function devnetWallet(store: Datastore, endpoint: string): Promise<WalletAdapter> {
  const keys = keyPairFromSeed(Buffer.from(await loadOrCreateSeed(store)))
  const contract = WalletContractV4.create({ workchain: 0, publicKey: keys.publicKey })
  const client = new TonClient({ endpoint })
  const wallet = client.open(contract)
  if ((await client.getBalance(contract.address)) < LOW)
    await devnetRpc(endpoint, 'cocoonFaucet', {
      address: contract.address.toString(),
      amount: FUNDING.toString(),
    })
  return {
    address: contract.address.toRawString(),
    async sendTransaction(request) {
      if (request.validUntil * 1000 < Date.now())
        throw new WalletTransactionError('the request expired before the wallet sent it', {
          details: `validUntil ${request.validUntil} has passed; build the request again`,
        })
      const seqno = await wallet.getSeqno()
      const body = contract.createTransfer({
        seqno,
        secretKey: keys.secretKey,
        sendMode: SendMode.PAY_GAS_SEPARATELY,
        messages: request.messages.map(walletMessage),
      })
      const message = external({
        to: contract.address,
        body,
        ...(seqno === 0 ? { init: contract.init } : {}),
      })
      const boc = beginCell().store(storeMessage(message)).endCell().toBoc()
      await client.sendFile(boc)
      return { boc: boc.toString('base64') }
    },
  }
}

/** A TON Connect message as the wallet contract's internal message: bounce flag from the address form. */
function walletMessage(m: TonConnectMessage) {
  return internal({
    to: Address.parse(m.address),
    value: BigInt(m.amount),
    bounce: Address.isFriendly(m.address) ? Address.parseFriendly(m.address).isBounceable : true,
    ...(m.stateInit === undefined ? {} : { init: loadStateInit(Cell.fromBase64(m.stateInit).beginParse()) }),
    ...(m.payload === undefined ? {} : { body: Cell.fromBase64(m.payload) }),
  })
}

async function loadOrCreateSeed(store: Datastore): Promise<Uint8Array> {
  try {
    if (await store.has(SEED)) return await store.get(SEED)
    const seed = crypto.getRandomValues(new Uint8Array(32))
    await store.put(SEED, seed)
    return seed
  } catch (cause) {
    throw storageError('reading or storing the devnet wallet key failed', cause)
  }
}

/** One of the devnet's own jsonRPC methods (the faucet), over `fetch`. */
async function devnetRpc(endpoint: string, method: string, params: Record<string, string>): Promise<void> {
  let res: Response
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: '1', jsonrpc: '2.0', method, params }),
      signal: AbortSignal.timeout(30_000),
    })
  } catch (cause) {
    throw new ChainError(`the devnet at ${endpoint} did not answer`, {
      details: 'check the ?devnet= URL (`npm run demo -- --serve` prints it) and that the devnet runs',
      cause,
    })
  }
  // an answer that is not JSON is reported below with why it did not parse, like a refusal
  const body: unknown = await res.json().catch((error: unknown) => ({ notJson: String(error) }))
  if (!res.ok || typeof body !== 'object' || body === null || !('ok' in body) || body.ok !== true)
    throw new ChainError(`the devnet refused ${method}`, {
      details: `HTTP ${res.status} from ${endpoint}: ${JSON.stringify(body)}; is it a cocoon devnet?`,
    })
}
