import {
  type Address,
  beginCell,
  Cell,
  type Contract,
  type ContractProvider,
  contractAddress,
  type Sender,
  SendMode,
  toNano,
} from '@ton/core'
import { PAYMENT_CHANNEL_CODE_BOC64 } from './payment-channel-code.js'

/** Opcodes of the channel's inbound messages (see the TL-B in the README). */
export const ChannelOp = {
  topUp: 0x70c1a001,
  claim: 0x70c1a002,
  startExit: 0x70c1a003,
  withdraw: 0x70c1a004,
  close: 0x70c1a005,
  payout: 0x70c1a0ff,
  /**
   * Not a channel op: the notice a client's wallet sends the provider's
   * payout address with the deploy, naming the channel, so the provider
   * finds it in its wallet's history (`discoverProviderChannels`).
   */
  notice: 0x70c1a0a0,
} as const

/** Exit codes the contract throws. */
export const ChannelExitCode = {
  notClient: 101,
  notProvider: 102,
  badSignature: 103,
  staleVoucher: 104,
  closed: 105,
  exitStarted: 106,
  exitNotStarted: 107,
  exitNotElapsed: 108,
  lowValue: 109,
  nothingToClaim: 110,
  lowDeposit: 111,
  unknownOp: 0xffff,
} as const

/** Contract constants mirrored from payment_channel.tolk. */
export const CHANNEL_MIN_TOPUP_FEE = toNano('0.02')
export const CHANNEL_MIN_DEPOSIT = toNano('0.01')
export const CHANNEL_MIN_OP_VALUE = toNano('0.01')
export const CHANNEL_STORAGE_RESERVE = toNano('0.005')
/** Value of the channel notice to the provider's payout address (covers its wallet's gas). */
export const CHANNEL_NOTICE_VALUE = toNano('0.005')
/** Message value the wrappers attach to claim/close/exit/withdraw by default. */
export const CHANNEL_OP_VALUE = toNano('0.05')

let cachedCode: Cell | undefined
/** The committed compiled code of the channel contract. */
export function paymentChannelCode(): Cell {
  cachedCode ??= Cell.fromBase64(PAYMENT_CHANNEL_CODE_BOC64)
  return cachedCode
}

export interface PaymentChannelConfig {
  /** Unique per (client, provider) channel; a new id gives a new address. */
  channelId: bigint
  clientKey: Uint8Array
  providerKey: Uint8Array
  client: Address
  provider: Address
  /** Seconds between StartExit and Withdraw. */
  exitDelay: number
}

/** Initial data cell: the Storage struct with deposit 0 and no exit. */
export function paymentChannelConfigToCell(config: PaymentChannelConfig): Cell {
  const parties = beginCell().storeAddress(config.client).storeAddress(config.provider).endCell()
  return beginCell()
    .storeUint(config.channelId, 64)
    .storeBuffer(Buffer.from(config.clientKey), 32)
    .storeBuffer(Buffer.from(config.providerKey), 32)
    .storeUint(config.exitDelay, 32)
    .storeCoins(0n)
    .storeCoins(0n)
    .storeUint(0n, 64)
    .storeBit(false)
    .storeRef(parties)
    .endCell()
}

export interface ChannelState {
  channelId: bigint
  deposit: bigint
  claimed: bigint
  /** Unix seconds of StartExit, 0 when none. */
  exitRequestedAt: number
  exitDelay: number
  closed: boolean
}

export interface ChannelBalances {
  deposit: bigint
  claimed: bigint
  /** deposit - claimed: what the provider can still be paid. */
  remaining: bigint
  /** The contract's TON balance (deposit - claimed + fee buffer). */
  balance: bigint
}

export interface ChannelParties {
  clientKey: Uint8Array
  providerKey: Uint8Array
  client: Address
  provider: Address
}

export interface VoucherArgs {
  amount: bigint
  signature: Uint8Array
  queryId?: bigint
  value?: bigint
}

/** @ton/core wrapper of the Cocoon Mesh payment channel. */
export class PaymentChannel implements Contract {
  constructor(
    readonly address: Address,
    readonly init?: { code: Cell; data: Cell },
  ) {}

  static createFromAddress(address: Address): PaymentChannel {
    return new PaymentChannel(address)
  }

  static createFromConfig(
    config: PaymentChannelConfig,
    code = paymentChannelCode(),
    workchain = 0,
  ): PaymentChannel {
    const data = paymentChannelConfigToCell(config)
    const init = { code, data }
    return new PaymentChannel(contractAddress(workchain, init), init)
  }

  /** Deploys and credits `deposit` (sends deposit + fee). */
  async sendDeploy(provider: ContractProvider, via: Sender, deposit: bigint, fee = CHANNEL_MIN_TOPUP_FEE) {
    await this.sendTopUp(provider, via, deposit, fee)
  }

  async sendTopUp(
    provider: ContractProvider,
    via: Sender,
    amount: bigint,
    fee = CHANNEL_MIN_TOPUP_FEE,
    queryId = 0n,
  ) {
    await provider.internal(via, {
      value: amount + fee,
      sendMode: SendMode.PAY_GAS_SEPARATELY,
      body: topUpBody(amount, queryId),
    })
  }

  async sendClaim(provider: ContractProvider, via: Sender, args: VoucherArgs) {
    await provider.internal(via, {
      value: args.value ?? CHANNEL_OP_VALUE,
      sendMode: SendMode.PAY_GAS_SEPARATELY,
      body: voucherBody(ChannelOp.claim, args),
    })
  }

  async sendClose(provider: ContractProvider, via: Sender, args: VoucherArgs) {
    await provider.internal(via, {
      value: args.value ?? CHANNEL_OP_VALUE,
      sendMode: SendMode.PAY_GAS_SEPARATELY,
      body: voucherBody(ChannelOp.close, args),
    })
  }

  async sendStartExit(provider: ContractProvider, via: Sender, value = CHANNEL_OP_VALUE, queryId = 0n) {
    await provider.internal(via, {
      value,
      sendMode: SendMode.PAY_GAS_SEPARATELY,
      body: beginCell().storeUint(ChannelOp.startExit, 32).storeUint(queryId, 64).endCell(),
    })
  }

  async sendWithdraw(provider: ContractProvider, via: Sender, value = CHANNEL_OP_VALUE, queryId = 0n) {
    await provider.internal(via, {
      value,
      sendMode: SendMode.PAY_GAS_SEPARATELY,
      body: beginCell().storeUint(ChannelOp.withdraw, 32).storeUint(queryId, 64).endCell(),
    })
  }

  async getState(provider: ContractProvider): Promise<ChannelState> {
    const { stack } = await provider.get('get_channel_state', [])
    return {
      channelId: stack.readBigNumber(),
      deposit: stack.readBigNumber(),
      claimed: stack.readBigNumber(),
      exitRequestedAt: stack.readNumber(),
      exitDelay: stack.readNumber(),
      closed: stack.readBoolean(),
    }
  }

  async getBalances(provider: ContractProvider): Promise<ChannelBalances> {
    const { stack } = await provider.get('get_channel_balances', [])
    return {
      deposit: stack.readBigNumber(),
      claimed: stack.readBigNumber(),
      remaining: stack.readBigNumber(),
      balance: stack.readBigNumber(),
    }
  }

  async getParties(provider: ContractProvider): Promise<ChannelParties> {
    const { stack } = await provider.get('get_channel_parties', [])
    return {
      clientKey: bigintTo32(stack.readBigNumber()),
      providerKey: bigintTo32(stack.readBigNumber()),
      client: stack.readAddress(),
      provider: stack.readAddress(),
    }
  }
}

/** Body of a TopUp (and the deploy) crediting `amount`. */
export function topUpBody(amount: bigint, queryId = 0n): Cell {
  return beginCell().storeUint(ChannelOp.topUp, 32).storeUint(queryId, 64).storeCoins(amount).endCell()
}

/** Body of the notice to the provider: `notice#70c1a0a0 query_id:uint64 channel:MsgAddressInt`. */
export function channelNoticeBody(channel: Address, queryId = 0n): Cell {
  return beginCell().storeUint(ChannelOp.notice, 32).storeUint(queryId, 64).storeAddress(channel).endCell()
}

/** Body of a Claim or Close message carrying a voucher. */
export function voucherBody(op: number, args: VoucherArgs): Cell {
  return beginCell()
    .storeUint(op, 32)
    .storeUint(args.queryId ?? 0n, 64)
    .storeCoins(args.amount)
    .storeBuffer(Buffer.from(args.signature), 64)
    .endCell()
}

function bigintTo32(n: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'))
}
