import { type Address, beginCell, external, internal, storeMessage, toNano } from '@ton/core'
import { mnemonicNew } from '@ton/crypto'
import { SendMode } from '@ton/ton'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendFromWallet } from '../../src/chain/chain-client.js'
import { type Devnet, startDevnet } from '../../src/chain/devnet.js'
import { TonChainClient } from '../../src/chain/ton-chain-client.js'
import { type NodeWallet, walletFromMnemonic } from '../../src/wallet/wallet.js'

let devnet: Devnet
let chain: TonChainClient
let alice: NodeWallet
let bob: NodeWallet

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockInterval: 200 })
  chain = new TonChainClient({ endpoint: devnet.endpoint, pollInterval: 20, timeout: 20_000 })
  alice = await walletFromMnemonic(await mnemonicNew(24))
  bob = await walletFromMnemonic(await mnemonicNew(24))
  await devnet.faucet(alice.address, toNano('10'))
})

afterAll(async () => {
  await devnet?.stop()
})

/** A raw jsonRPC call: the HTTP status and the body. */
async function rpc(
  method: string,
  params: Record<string, unknown>,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(devnet.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: '1', jsonrpc: '2.0', method, params }),
  })
  return { status: res.status, body: await res.json() }
}

/** A signed transfer external of `wallet` at `seqno`. */
function transfer(wallet: NodeWallet, seqno: number, to: Address, value: bigint) {
  const body = wallet.contract.createTransfer({
    seqno,
    secretKey: wallet.keyPair.secretKey,
    sendMode: SendMode.PAY_GAS_SEPARATELY,
    messages: [internal({ to, value, bounce: false })],
  })
  return {
    body,
    boc: (init: boolean) =>
      external({ to: wallet.address, body, ...(init ? { init: wallet.contract.init } : {}) }),
  }
}

describe('the devnet answers like toncenter', () => {
  it('sendBoc accepts now and runs the message in a later block; seqno and history move with blocks', async () => {
    const before = await chain.client.getMasterchainInfo()
    const t = transfer(alice, 0, bob.address, toNano('1'))
    await chain.client.sendMessage(t.boc(true))
    // accepted, not yet run: the wallet is still undeployed and bob has nothing
    expect(await chain.getStatus(alice.address)).toBe('uninit')
    expect(await chain.getBalance(bob.address)).toBe(0n)
    await chain.waitFor(async () => (await chain.getBalance(bob.address)) === toNano('1'), 'bob paid')
    const after = await chain.client.getMasterchainInfo()
    // one block for alice's transaction, one for bob's
    expect(after.latestSeqno).toBeGreaterThanOrEqual(before.latestSeqno + 2)

    const [aliceTx] = await chain.client.getTransactions(alice.address, { limit: 1 })
    expect(aliceTx?.inMessage?.info.type).toBe('external-in')
    const out = [...(aliceTx?.outMessages.values() ?? [])][0]
    if (out?.info.type !== 'internal' || aliceTx === undefined)
      throw new Error('alice sent no internal message')
    const result = await chain.client.tryLocateResultTx(
      alice.address,
      bob.address,
      out.info.createdLt.toString(),
    )
    const source = await chain.client.tryLocateSourceTx(
      alice.address,
      bob.address,
      out.info.createdLt.toString(),
    )
    expect(source.hash().equals(aliceTx.hash())).toBe(true)
    expect(result.totalFees.coins).toBeGreaterThanOrEqual(0n)
    expect(
      (await chain.client.getTransaction(bob.address, result.lt.toString(), result.hash().toString('base64')))
        ?.lt,
    ).toBe(result.lt)

    // the block that holds bob's transaction lists it
    const shards = await chain.client.getWorkchainShards(after.latestSeqno)
    expect(shards).toEqual([{ workchain: 0, shard: '-9223372036854775808', seqno: after.latestSeqno }])
    let listed = false
    for (let seqno = before.latestSeqno + 1; seqno <= after.latestSeqno; seqno++)
      for (const tx of await chain.client.getShardTransactions(0, seqno, '-9223372036854775808'))
        if (tx.account.equals(bob.address) && tx.lt === result.lt.toString()) listed = true
    expect(listed).toBe(true)
  })

  it('getTransactions pages with lt/hash and stops at to_lt', async () => {
    await sendFromWallet(chain, alice, [{ to: bob.address, value: toNano('0.1'), bounce: false }])
    await sendFromWallet(chain, alice, [{ to: bob.address, value: toNano('0.1'), bounce: false }])
    const all = await chain.client.getTransactions(alice.address, { limit: 10 })
    expect(all.length).toBeGreaterThanOrEqual(4)
    expect(all.map((t) => t.lt)).toEqual([...all.map((t) => t.lt)].sort((a, b) => (a > b ? -1 : 1)))
    const second = all[1]
    if (second === undefined) throw new Error('no second transaction')
    const page = await chain.client.getTransactions(alice.address, {
      limit: 2,
      lt: second.lt.toString(),
      hash: second.hash().toString('base64'),
      inclusive: true,
    })
    expect(page.map((t) => t.lt)).toEqual(all.slice(1, 3).map((t) => t.lt))
    const newer = await chain.client.getTransactions(alice.address, {
      limit: 10,
      to_lt: second.lt.toString(),
    })
    expect(newer.map((t) => t.lt)).toEqual([all[0]?.lt])
  })

  it('estimates the fees of an external from the emulator config', async () => {
    const seqno = Number((await chain.client.runMethod(alice.address, 'seqno')).stack.readNumber())
    const t = transfer(alice, seqno, bob.address, toNano('0.1'))
    const fees = await chain.client.estimateExternalMessageFee(alice.address, {
      body: t.body,
      initCode: null,
      initData: null,
      ignoreSignature: false,
    })
    expect(fees.source_fees.gas_fee).toBeGreaterThan(0)
    expect(fees.source_fees.in_fwd_fee).toBeGreaterThan(0)
    expect(fees.source_fees.fwd_fee).toBeGreaterThan(0)
    // estimating changed nothing
    expect(Number((await chain.client.runMethod(alice.address, 'seqno')).stack.readNumber())).toBe(seqno)
  })

  it('errors carry toncenter HTTP statuses, so a client sees them as failures', async () => {
    expect(await rpc('noSuchMethod', {})).toMatchObject({ status: 404, body: { ok: false, code: 404 } })
    expect(await rpc('getTransactions', { address: 'nope' })).toMatchObject({
      status: 422,
      body: { ok: false },
    })
    expect(await rpc('sendBoc', { boc: '' })).toMatchObject({ status: 422, body: { error: 'empty boc' } })
    expect(await rpc('shards', { seqno: 10_000_000 })).toMatchObject({ status: 404 })
    // a transfer with a stale seqno is not accepted by the wallet: 500 at once, nothing queued
    const stale = transfer(alice, 0, bob.address, toNano('1')).boc(false)
    const boc = beginCell().store(storeMessage(stale)).endCell().toBoc().toString('base64')
    expect(await rpc('sendBoc', { boc })).toMatchObject({ status: 500, body: { ok: false, code: 500 } })
    await expect(chain.client.sendMessage(stale)).rejects.toThrow(/500/)
    expect(
      await rpc('tryLocateResultTx', {
        source: alice.address.toString(),
        destination: bob.address.toString(),
        created_lt: '1',
      }),
    ).toMatchObject({ status: 404 })
  })

  it('instant mode runs the whole chain before sendBoc answers', async () => {
    const instant = await startDevnet({ port: 0, instant: true })
    try {
      const fast = new TonChainClient({ endpoint: instant.endpoint, pollInterval: 20, timeout: 5_000 })
      await instant.faucet(alice.address, toNano('2'))
      await fast.client.sendMessage(transfer(alice, 0, bob.address, toNano('1')).boc(true))
      expect(await fast.getBalance(bob.address)).toBe(toNano('1'))
    } finally {
      await instant.stop()
    }
  })
})

describe('the devnet serves web pages (CORS)', () => {
  it('answers a preflight and marks its answers readable by any origin', async () => {
    const preflight = await fetch(devnet.endpoint, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:8000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-ton-client-version',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-ton-client-version')
    const res = await fetch(devnet.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:8000' },
      body: JSON.stringify({ id: '1', jsonrpc: '2.0', method: 'getMasterchainInfo', params: {} }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })
})
