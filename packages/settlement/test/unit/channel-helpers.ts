import { randomBytes } from 'node:crypto'
import type { Timers } from '@cocoon-mesh/protocol'
import { type Address, type Transaction, toNano } from '@ton/core'
import { Blockchain, type SandboxContract, type SendMessageResult, type TreasuryContract } from '@ton/sandbox'
import { PaymentChannel } from '../../src/contract/payment-channel.js'
import { type SigningKey, signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher } from '../../src/voucher/voucher.js'

export const NOW = 1_800_000_000

export interface ChannelFixture {
  blockchain: Blockchain
  client: SandboxContract<TreasuryContract>
  provider: SandboxContract<TreasuryContract>
  clientKey: SigningKey
  providerKey: SigningKey
  channel: SandboxContract<PaymentChannel>
  voucher: (amount: bigint, key?: SigningKey, channel?: Address) => { amount: bigint; signature: Uint8Array }
  balance: (address: Address) => Promise<bigint>
}

export async function channelFixture(exitDelay = 3600, channelId = 1n): Promise<ChannelFixture> {
  const blockchain = await Blockchain.create()
  blockchain.now = NOW
  const client = await blockchain.treasury('client')
  const provider = await blockchain.treasury('provider')
  const clientKey = signingKeyFromSeed(randomBytes(32))
  const providerKey = signingKeyFromSeed(randomBytes(32))
  const channel = blockchain.openContract(
    PaymentChannel.createFromConfig({
      channelId,
      clientKey: clientKey.publicKey,
      providerKey: providerKey.publicKey,
      client: client.address,
      provider: provider.address,
      exitDelay,
    }),
  )
  return {
    blockchain,
    client,
    provider,
    clientKey,
    providerKey,
    channel,
    voucher: (amount, key = clientKey, address = channel.address) => {
      const v = signVoucher({ key, channel: address.toRawString(), amount, jobId: 'job' })
      return { amount: v.amount, signature: v.signature }
    },
    balance: async (address) => (await blockchain.getContract(address)).balance,
  }
}

/** The transaction the channel ran for this send. */
export function channelTx(result: SendMessageResult, channel: Address): Transaction {
  const tx = result.transactions.find((t) => {
    const dest = t.inMessage?.info.dest
    return dest !== undefined && dest !== null && 'equals' in dest && (dest as Address).equals(channel)
  })
  if (tx === undefined) throw new Error('no transaction on the channel')
  return tx
}

export function exitCode(tx: Transaction): number {
  if (tx.description.type !== 'generic') throw new Error('not a generic transaction')
  const compute = tx.description.computePhase
  return compute.type === 'vm' ? compute.exitCode : -1
}

export function succeeded(tx: Transaction): boolean {
  return tx.description.type === 'generic' && !tx.description.aborted && exitCode(tx) === 0
}

/** Internal messages the transaction sent: destination and value. */
export function payouts(tx: Transaction): { dest: Address; value: bigint }[] {
  const out: { dest: Address; value: bigint }[] = []
  for (const msg of tx.outMessages.values()) {
    if (msg.info.type === 'internal') out.push({ dest: msg.info.dest, value: msg.info.value.coins })
  }
  return out
}

/** Gas fees (compute + action) the transaction paid. */
export function totalFees(tx: Transaction): bigint {
  return tx.totalFees.coins
}

export const DEPOSIT = toNano('10')

/** Virtual timers for the payment policy: nothing fires until `fireAll`, which runs every pending call in scheduling order. */
export function virtualTimers(): { timers: Timers; fireAll: () => void } {
  const pending = new Set<() => void>()
  return {
    timers: {
      schedule: (fn) => {
        pending.add(fn)
        return () => {
          pending.delete(fn)
        }
      },
    },
    fireAll: () => {
      for (const fn of [...pending]) fn()
    },
  }
}
