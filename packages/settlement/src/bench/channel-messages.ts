import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { reportBench } from '@cocoon-mesh/protocol'
import { type Address, type Transaction, toNano } from '@ton/core'
import { mnemonicNew } from '@ton/crypto'
import { Blockchain, type SendMessageResult } from '@ton/sandbox'
import { SandboxChainClient } from '../chain/sandbox-chain-client.js'
import { closeChannel, openChannel } from '../channel/channels.js'
import { runClaims } from '../channel/claim-runner.js'
import { ChannelOp } from '../contract/payment-channel.js'
import { openVoucherStore } from '../store/level-store.js'
import type { VoucherStore } from '../store/voucher-store.js'
import { signVoucher } from '../voucher/voucher.js'
import { type NodeWallet, walletFromMnemonic } from '../wallet/wallet.js'

/**
 * 100k micropayments through one channel in the emulator with the batched
 * claim policy (threshold 10 TON): counts the messages the channel contract
 * receives (deploy+deposit, each batch claim, close) and the gas of a claim
 * and a close. Baseline: one on-chain message per payment. The stores run
 * without fsync here (LevelDB still writes every voucher).
 */
export async function benchChannelMessages(payments = 100_000): Promise<void> {
  const blockchain = await Blockchain.create()
  const watcher = new ChannelTxWatcher()
  const chain = new SandboxChainClient(blockchain, (result) => watcher.onSend(result))
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-bench-ch-'))
  // persistence is measured by benchVouchers; here only the chain traffic counts
  const clientStore = await openVoucherStore(join(dir, 'c'), { durable: false })
  const providerStore = await openVoucherStore(join(dir, 'p'), { durable: false })
  try {
    const client = await walletFromMnemonic(await mnemonicNew(24))
    const provider = await walletFromMnemonic(await mnemonicNew(24))
    const treasury = await blockchain.treasury('bench')
    await treasury.send({ to: client.address, value: toNano('200'), bounce: false })
    await treasury.send({ to: provider.address, value: toNano('5'), bounce: false })

    const opened = await openChannel({
      chain,
      wallet: client,
      store: clientStore,
      providerAddress: provider.address,
      providerKey: provider.signingKey.publicKey,
      deposit: toNano('100'), // 100k × 0.001 = 100 TON
      channelId: randomBytes(8).readBigUInt64BE(),
    })
    // the deploy happened before we knew which address to watch: it is counted as one more message
    watcher.watch(opened.address)
    const channel = opened.address.toRawString()
    await payWithBatchedClaims({ chain, client, provider, clientStore, providerStore, channel, payments })
    await closeChannel({ chain, wallet: provider, store: providerStore, channel })
    reportChannelTraffic(watcher.txs, payments)
  } finally {
    await clientStore.close()
    await providerStore.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Collects the transactions whose inbound message goes to the watched channel. */
class ChannelTxWatcher {
  readonly txs: Transaction[] = []
  private channel: Address | undefined

  watch(channel: Address): void {
    this.channel = channel
  }

  onSend(result: SendMessageResult): void {
    for (const tx of result.transactions) {
      const dest = tx.inMessage?.info.dest
      if (this.channel !== undefined && dest !== undefined && dest !== null && 'equals' in dest) {
        if ((dest as Address).equals(this.channel)) this.txs.push(tx)
      }
    }
  }
}

interface PaymentRun {
  chain: SandboxChainClient
  client: NodeWallet
  provider: NodeWallet
  clientStore: VoucherStore
  providerStore: VoucherStore
  channel: string
  payments: number
}

/** `payments` vouchers of 0.001 TON, 10 virtual ms apart, with a claim pass every 1000. */
async function payWithBatchedClaims(run: PaymentRun): Promise<void> {
  const { chain, client, provider, clientStore, providerStore, channel } = run
  const price = toNano('0.001')
  const config = { threshold: toNano('10'), interval: 3_600_000, minClaim: toNano('0.05') }
  let now = 0
  for (let i = 0; i < run.payments; i++) {
    const v = await clientStore.signNext(channel, 'bench-job', price, (amount) =>
      signVoucher({ key: client.signingKey, channel, amount, jobId: 'bench-job' }),
    )
    await providerStore.acceptVoucher(v)
    now += 10 // 10 ms per payment, virtual
    if (i % 1000 === 999)
      await runClaims({ chain, wallet: provider, store: providerStore, config, now: () => now })
  }
}

/** Messages to the channel (the deploy plus every watched one), and claim and close gas and fees. */
function reportChannelTraffic(channelTxs: Transaction[], payments: number): void {
  const channelMessages = 1 + channelTxs.length
  const claims = channelTxs.filter((tx) => opOf(tx) === ChannelOp.claim)
  const closes = channelTxs.filter((tx) => opOf(tx) === ChannelOp.close)
  reportBench({
    bench: 'settlement.onchain-messages-per-channel-100k-payments',
    value: channelMessages,
    unit: `messages (${claims.length} batch claims)`,
    baseline: payments,
    better: 'lower',
  })
  const claimGas = claims.map(gasUsed)
  const closeGas = closes.map(gasUsed)
  reportBench({ bench: 'settlement.gas-per-claim', value: avg(claimGas), unit: 'gas', better: 'lower' })
  reportBench({ bench: 'settlement.gas-per-close', value: avg(closeGas), unit: 'gas', better: 'lower' })
  reportBench({
    bench: 'settlement.fee-per-claim',
    value: Number(avg(claims.map((t) => Number(t.totalFees.coins)))) / 1e9,
    unit: 'TON (channel side)',
    better: 'lower',
  })
}

function opOf(tx: Transaction): number | undefined {
  const body = tx.inMessage?.body.beginParse()
  if (body === undefined || body.remainingBits < 32) return undefined
  return body.loadUint(32)
}

function gasUsed(tx: Transaction): number {
  if (tx.description.type !== 'generic' || tx.description.computePhase.type !== 'vm') return 0
  return Number(tx.description.computePhase.gasUsed)
}

function avg(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length
}
