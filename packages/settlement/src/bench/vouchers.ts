import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { reportBench } from '@cocoon-mesh/protocol'
import { Address } from '@ton/core'
import { keyPairFromSeed, sign as naclSign, signVerify as naclVerify } from '@ton/crypto'
import { VoucherStore } from '../store/voucher-store.js'
import { signingKeyFromSeed } from '../voucher/keys.js'
import { signVoucher, verifyVoucher } from '../voucher/voucher.js'
import { voucherCell } from '../voucher/voucher-hash.js'

/**
 * Vouchers signed + verified + persisted per second on one core: a client
 * signs (persisting its high-water mark first), the provider verifies and
 * persists, across `channels` channels in flight (group commit with fsync).
 * Baseline: @ton/crypto (tweetnacl) sign + verify of a @ton/core voucher cell
 * hash, without any persistence.
 */
export async function benchVouchers(count = 20_000, channels = 64): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-bench-'))
  const clientStore = await VoucherStore.open(join(dir, 'c'))
  const providerStore = await VoucherStore.open(join(dir, 'p'))
  try {
    const seed = randomBytes(32)
    const key = signingKeyFromSeed(seed)
    const addresses = Array.from({ length: channels }, () => new Address(0, randomBytes(32)).toRawString())
    const perChannel = Math.ceil(count / channels)
    const start = performance.now()
    await Promise.all(
      addresses.map(async (channel) => {
        for (let i = 0; i < perChannel; i++) {
          const v = await clientStore.signNext(channel, 'bench', 1000n, (amount) =>
            signVoucher({ key, channel, amount, jobId: 'bench' }),
          )
          await providerStore.acceptVoucher(verifyVoucher({ voucher: v, clientKey: key.publicKey, channel }))
        }
      }),
    )
    const seconds = (performance.now() - start) / 1000
    const rate = (perChannel * channels) / seconds

    // baseline: tweetnacl sign + verify (no persistence), same run
    const pair = keyPairFromSeed(seed)
    const address = Address.parse(addresses[0] ?? '')
    const baseCount = 300
    const t0 = performance.now()
    for (let i = 0; i < baseCount; i++) {
      const hash = voucherCell(address, BigInt(i + 1)).hash()
      const sig = naclSign(hash, pair.secretKey)
      if (!naclVerify(hash, sig, pair.publicKey)) throw new Error('baseline verify failed')
    }
    const baseline = baseCount / ((performance.now() - t0) / 1000)
    reportBench({
      bench: 'settlement.vouchers-signed-verified-persisted',
      value: rate,
      unit: 'vouchers/s',
      baseline,
    })

    // the crypto part alone, node:crypto vs tweetnacl
    const n = 20_000
    const t1 = performance.now()
    for (let i = 0; i < n; i++) {
      const v = signVoucher({ key, channel: addresses[0] ?? '', amount: BigInt(i + 1), jobId: 'b' })
      verifyVoucher({ voucher: v, clientKey: key.publicKey })
    }
    reportBench({
      bench: 'settlement.vouchers-signed-verified-in-memory',
      value: n / ((performance.now() - t1) / 1000),
      unit: 'vouchers/s',
      baseline,
    })
  } finally {
    await clientStore.close()
    await providerStore.close()
    await rm(dir, { recursive: true, force: true })
  }
}
