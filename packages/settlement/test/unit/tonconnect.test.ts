import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { Address, beginCell, Cell, contractAddress, external, loadStateInit, storeMessage } from '@ton/core'
import { mnemonicNew, mnemonicToPrivateKey } from '@ton/crypto'
import { WalletContractV4 } from '@ton/ton'
import {
  type IStorage,
  type SendTransactionRequest,
  type SendTransactionResponse,
  TonConnect,
  UserRejectsError,
  WalletNotConnectedError,
} from '@tonconnect/sdk'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { channelDeploy } from '../../src/channel/channel-deploy.js'
import {
  CHANNEL_MIN_DEPOSIT,
  CHANNEL_MIN_TOPUP_FEE,
  CHANNEL_NOTICE_VALUE,
  ChannelOp,
  paymentChannelCode,
} from '../../src/contract/payment-channel.js'
import {
  DepositTooLowError,
  InvalidChannelKeyError,
  InvalidSettlementInputError,
  TransactionExpiredError,
  WalletDeclinedError,
  WalletTransactionError,
  WrongNetworkAddressError,
} from '../../src/errors.js'
import {
  type ChannelOpenTransactionParameters,
  channelOpenTransaction,
  DEFAULT_TRANSACTION_VALIDITY,
} from '../../src/tonconnect/channel-open-transaction.js'
import { sendTonConnectTransaction, tonConnectError } from '../../src/tonconnect/sdk.js'
import type {
  TonConnectTransactionRequest,
  TonConnectTransactionResponse,
} from '../../src/tonconnect/transaction-request.js'
import { parseWalletAnswer } from '../../src/tonconnect/wallet-transaction.js'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'

const NOW_MS = 1_800_000_000_123
const voucherKey = signingKeyFromSeed(randomBytes(32))
const providerKey = signingKeyFromSeed(randomBytes(32))
const wallet = WalletContractV4.create({
  workchain: 0,
  publicKey: (await mnemonicToPrivateKey(await mnemonicNew(24))).publicKey,
}).address
const provider = WalletContractV4.create({
  workchain: 0,
  publicKey: Buffer.from(providerKey.publicKey),
}).address

function parameters(
  overrides: Partial<ChannelOpenTransactionParameters> = {},
): ChannelOpenTransactionParameters {
  return {
    clientKey: voucherKey.publicKey,
    providerKey: providerKey.publicKey,
    provider: provider.toString({ bounceable: false, testOnly: true }),
    deposit: 2_000_000_000n,
    wallet: wallet.toRawString(),
    network: '-3',
    now: () => NOW_MS,
    ...overrides,
  }
}

/** Bytes that decode to no ed25519 point: found by trying y coordinates, as no fixed constant is trusted here. */
function notACurvePoint(): Uint8Array {
  for (let y = 2; ; y++) {
    const bytes = new Uint8Array(32)
    bytes[0] = y
    try {
      ed25519.Point.fromBytes(bytes)
    } catch {
      return bytes
    }
  }
}

describe('channelOpenTransaction', () => {
  it('encodes the deploy and the notice as a TON Connect wallet sends them', () => {
    const { request, channel, total } = channelOpenTransaction(parameters({ channelId: 42n, exitDelay: 90 }))
    expect(request.validUntil).toBe(Math.floor(NOW_MS / 1000) + DEFAULT_TRANSACTION_VALIDITY)
    expect(request.network).toBe('-3')
    expect(request.from).toBe(wallet.toRawString())
    expect(request.messages).toHaveLength(2)
    const [deploy, notice] = request.messages
    if (deploy === undefined || notice === undefined) throw new Error('two messages expected')

    // the deploy: bounceable, test-only, to the address its own state init hashes to
    const to = Address.parseFriendly(deploy.address)
    expect(to).toMatchObject({ isBounceable: true, isTestOnly: true })
    expect(to.address.toRawString()).toBe(channel.address)
    expect(channel.friendlyAddress).toBe(deploy.address)
    const init = loadStateInit(Cell.fromBase64(deploy.stateInit ?? '').beginParse())
    expect(contractAddress(0, { code: init.code ?? null, data: init.data ?? null }).toRawString()).toBe(
      channel.address,
    )
    expect(init.code?.hash().equals(paymentChannelCode().hash())).toBe(true)
    expect(BigInt(deploy.amount)).toBe(2_000_000_000n + CHANNEL_MIN_TOPUP_FEE)
    const topUp = Cell.fromBase64(deploy.payload ?? '').beginParse()
    expect(topUp.loadUint(32)).toBe(ChannelOp.topUp)
    topUp.loadUintBig(64)
    expect(topUp.loadCoins()).toBe(2_000_000_000n)

    // the notice: non-bounceable to the provider's wallet, naming the channel
    const noticeTo = Address.parseFriendly(notice.address)
    expect(noticeTo).toMatchObject({ isBounceable: false, isTestOnly: true })
    expect(noticeTo.address.equals(provider)).toBe(true)
    expect(BigInt(notice.amount)).toBe(CHANNEL_NOTICE_VALUE)
    const body = Cell.fromBase64(notice.payload ?? '').beginParse()
    expect(body.loadUint(32)).toBe(ChannelOp.notice)
    body.loadUintBig(64)
    expect(body.loadAddress().toRawString()).toBe(channel.address)
    expect(total).toBe(BigInt(deploy.amount) + BigInt(notice.amount))
  })

  it('builds the channel openChannel builds from the same inputs', () => {
    const { channel } = channelOpenTransaction(parameters({ channelId: 7n, exitDelay: 60 }))
    const same = channelDeploy({
      clientKey: voucherKey.publicKey,
      providerKey: providerKey.publicKey,
      client: wallet,
      provider,
      deposit: 2_000_000_000n,
      channelId: 7n,
      exitDelay: 60,
    })
    expect(same.contract.address.toRawString()).toBe(channel.address)
    expect(channel.meta).toMatchObject({
      address: channel.address,
      role: 'client',
      channelId: 7n,
      exitDelay: 60,
    })
    // a fresh id, hence a fresh channel, each time one is not given
    expect(channelOpenTransaction(parameters()).channel.address).not.toBe(
      channelOpenTransaction(parameters()).channel.address,
    )
  })

  it('uses mainnet addresses on mainnet, and a given validUntil', () => {
    const { request } = channelOpenTransaction(
      parameters({ network: '-239', provider: provider.toString(), validUntil: 1_800_000_100 }),
    )
    expect(request.network).toBe('-239')
    expect(request.validUntil).toBe(1_800_000_100)
    for (const m of request.messages) expect(Address.parseFriendly(m.address).isTestOnly).toBe(false)
  })

  it('refuses a voucher key that is no full-order ed25519 key, saying whose it is', () => {
    for (const clientKey of [new Uint8Array(31), notACurvePoint(), new Uint8Array(32)]) {
      const build = () => channelOpenTransaction(parameters({ clientKey }))
      expect(build).toThrow(InvalidChannelKeyError)
      expect(build).toThrow(/voucher key/)
    }
    try {
      channelOpenTransaction(parameters({ providerKey: new Uint8Array(33) }))
      expect.unreachable('a 33-byte provider key was taken')
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidChannelKeyError)
      expect(error).toMatchObject({ role: 'provider', code: 'ERR_INVALID_CHANNEL_KEY' })
    }
  })

  it('refuses a deposit below what the contract credits', () => {
    try {
      channelOpenTransaction(parameters({ deposit: CHANNEL_MIN_DEPOSIT - 1n }))
      expect.unreachable('a deposit under the minimum was taken')
    } catch (error) {
      expect(error).toBeInstanceOf(DepositTooLowError)
      expect(error).toMatchObject({ deposit: CHANNEL_MIN_DEPOSIT - 1n, minimum: CHANNEL_MIN_DEPOSIT })
    }
    expect(channelOpenTransaction(parameters({ deposit: CHANNEL_MIN_DEPOSIT })).channel.deposit).toBe(
      CHANNEL_MIN_DEPOSIT,
    )
  })

  it('refuses a test-only address on mainnet; testnet takes both forms, raw addresses go anywhere', () => {
    try {
      channelOpenTransaction(parameters({ network: '-239' }))
      expect.unreachable('a test-only provider address was taken for mainnet')
    } catch (error) {
      expect(error).toBeInstanceOf(WrongNetworkAddressError)
      expect(error).toMatchObject({ shortMessage: 'provider payout address is a testnet address' })
    }
    expect(() =>
      channelOpenTransaction(
        parameters({
          network: '-239',
          provider: provider.toString(),
          wallet: wallet.toString({ testOnly: true }),
        }),
      ),
    ).toThrow(/wallet address is a testnet address/)
    // a node publishes its payout address without the flag, on testnet too
    expect(channelOpenTransaction(parameters({ provider: provider.toString() })).request.network).toBe('-3')
    const raw = parameters({ provider: provider.toRawString() })
    expect(channelOpenTransaction({ ...raw, network: '-239' }).request.network).toBe('-239')
    expect(channelOpenTransaction({ ...raw, network: '-3' }).request.network).toBe('-3')
    expect(() => channelOpenTransaction(parameters({ wallet: 'not an address' }))).toThrow(
      InvalidSettlementInputError,
    )
  })

  it('refuses an exit delay or a channel id the contract cannot hold', () => {
    for (const exitDelay of [-1, 1.5, 2 ** 32])
      expect(() => channelOpenTransaction(parameters({ exitDelay }))).toThrow(/invalid exit delay/)
    for (const channelId of [-1n, 1n << 64n])
      expect(() => channelOpenTransaction(parameters({ channelId }))).toThrow(/invalid channel id/)
    expect(
      channelOpenTransaction(parameters({ channelId: (1n << 64n) - 1n, exitDelay: 0 })).channel.config,
    ).toMatchObject({
      channelId: (1n << 64n) - 1n,
      exitDelay: 0,
    })
  })

  it('refuses a validUntil that is not in the future of the given clock', () => {
    const now = Math.floor(NOW_MS / 1000)
    for (const validUntil of [now, now - 60, Number.NaN]) {
      expect(() => channelOpenTransaction(parameters({ validUntil }))).toThrow(TransactionExpiredError)
    }
    expect(channelOpenTransaction(parameters({ validUntil: now + 1 })).request.validUntil).toBe(now + 1)
  })
})

describe('the request and the answer are the sdk types', () => {
  it('matches @tonconnect/sdk field for field', () => {
    expectTypeOf<TonConnectTransactionRequest>().toEqualTypeOf<SendTransactionRequest>()
    expectTypeOf<TonConnectTransactionResponse>().toEqualTypeOf<SendTransactionResponse>()
    const { request } = channelOpenTransaction(parameters())
    expectTypeOf(request).toExtend<SendTransactionRequest>()
  })
})

/** The sdk's storage interface, in memory: a TonConnect needs one outside a browser. */
function memoryStorage(): IStorage {
  const items = new Map<string, string>()
  return {
    setItem: async (key, value) => {
      items.set(key, value)
    },
    getItem: async (key) => items.get(key) ?? null,
    removeItem: async (key) => {
      items.delete(key)
    },
  }
}

describe('wallet errors', () => {
  it('a wallet that declines becomes WalletDeclinedError: nothing was sent', async () => {
    const declined = sendTonConnectTransaction(
      { sendTransaction: () => Promise.reject(new UserRejectsError('user declined')) },
      channelOpenTransaction(parameters()).request,
    )
    await expect(declined).rejects.toBeInstanceOf(WalletDeclinedError)
    await expect(declined).rejects.toMatchObject({ shortMessage: 'the wallet declined; nothing was sent' })
    await expect(declined).rejects.toSatisfy(
      (error: WalletDeclinedError) => error.walk((e) => e instanceof UserRejectsError) !== null,
    )
  })

  it('the sdk validates the request, and its own failure (no wallet connected) becomes WalletTransactionError', async () => {
    const connector = new TonConnect({
      manifestUrl: 'http://127.0.0.1/manifest.json',
      storage: memoryStorage(),
    })
    const { request } = channelOpenTransaction(parameters({ now: Date.now }))
    // the sdk checks the request's shape before the connection: reaching "not connected" means it passed
    const sent = sendTonConnectTransaction(connector, request)
    await expect(sent).rejects.toBeInstanceOf(WalletTransactionError)
    await expect(sent).rejects.toSatisfy(
      (error: WalletTransactionError) => error.walk((e) => e instanceof WalletNotConnectedError) !== null,
    )
    await expect(sent).rejects.toThrow(/no wallet is connected/)
    // a raw destination is not what the sdk takes: the same path then fails validation
    const deploy = request.messages[0]
    if (deploy === undefined) throw new Error('no deploy message')
    const raw = {
      ...request,
      messages: [{ ...deploy, address: Address.parse(deploy.address).toRawString() }],
    }
    await expect(sendTonConnectTransaction(connector, raw)).rejects.toThrow(/validation failed/)
  })

  it('an error that is not the sdk passes through unchanged', () => {
    const foreign = new Error('something else')
    expect(tonConnectError(foreign)).toBe(foreign)
  })
})

describe('the wallet answer', () => {
  it('is the external message to the wallet, or a typed error saying what it is not', () => {
    const body = beginCell().storeUint(1, 32).endCell()
    const boc = (to: Address) =>
      beginCell()
        .store(storeMessage(external({ to, body })))
        .endCell()
        .toBoc()
        .toString('base64')
    expect(parseWalletAnswer(boc(wallet), wallet).body.equals(body)).toBe(true)
    expect(() => parseWalletAnswer(boc(provider), wallet)).toThrow(/not an external message to the wallet/)
    expect(() => parseWalletAnswer('bm90IGEgYm9j', wallet)).toThrow(InvalidSettlementInputError)
  })
})
