import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Voucher } from '@cocoon-mesh/protocol'
import { Address } from '@ton/core'
import { openVoucherStore } from '../store/level-store.js'
import type { Ed25519Backend } from '../voucher/ed25519.js'
import type { SigningKey } from '../voucher/keys.js'
import { signVoucher, verifyVoucher } from '../voucher/voucher.js'

/**
 * One side of the voucher path alone, as each runs on its own machine: the
 * client signing and persisting its high-water mark (fsync), or the provider
 * verifying and persisting what it received (fsync; the vouchers are signed
 * beforehand, untimed). Vouchers per CPU-second of the whole process.
 */
export async function runVoucherRole(
  role: 'client' | 'provider',
  ed25519: Ed25519Backend,
  key: SigningKey,
  count = 10_000,
  channels = 64,
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-bench-role-'))
  const store = await openVoucherStore(dir)
  try {
    const addresses = Array.from({ length: channels }, () => new Address(0, randomBytes(32)).toRawString())
    const perChannel = Math.ceil(count / channels)
    const signed: Voucher[][] =
      role === 'provider'
        ? addresses.map((channel, c) =>
            Array.from({ length: perChannel }, (_, i) =>
              signVoucher({ key, channel, amount: BigInt((i + 1) * 1000), jobId: `job-${c}`, ed25519 }),
            ),
          )
        : []
    const cpu0 = process.cpuUsage()
    await Promise.all(
      addresses.map(async (channel, c) => {
        const jobId = `job-${c}`
        for (let i = 0; i < perChannel; i++) {
          if (role === 'client') {
            await store.signNext(channel, jobId, 1000n, (amount) =>
              signVoucher({ key, channel, amount, jobId, ed25519 }),
            )
          } else {
            const voucher = signed[c]?.[i] as Voucher
            await store.acceptVoucher(verifyVoucher({ voucher, clientKey: key.publicKey, channel, ed25519 }))
          }
        }
      }),
    )
    const cpu = process.cpuUsage(cpu0)
    return (perChannel * channels) / ((cpu.user + cpu.system) / 1e6)
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}
