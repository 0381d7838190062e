import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { reportBench } from '@cocoon-mesh/protocol'
import { Address } from '@ton/core'
import { keyPairFromSeed, sign as naclSign, signVerify as naclVerify } from '@ton/crypto'
import { openVoucherStore } from '../store/level-store.js'
import {
  type Ed25519Backend,
  type Ed25519BackendName,
  ed25519Backend,
  sodiumEd25519,
} from '../voucher/ed25519.js'
import { loadSodiumNative, nodeCryptoEd25519 } from '../voucher/ed25519-node.js'
import { type SigningKey, signingKeyFromSeed } from '../voucher/keys.js'
import { signVoucher, verifyVoucher } from '../voucher/voucher.js'
import { voucherCell } from '../voucher/voucher-hash.js'
import { runVoucherRole } from './voucher-roles.js'

/** One timed run of the persisted path. */
export interface PersistedRun {
  vouchers: number
  wallSeconds: number
  /** user + system CPU of the whole process (every thread, LevelDB's included). */
  cpuSeconds: number
  /** user + system CPU of the main (JavaScript) thread alone. */
  mainThreadCpuSeconds: number
}

/**
 * The persisted path once: across `channels` channels in flight, a client
 * signs each voucher (persisting its high-water mark first, fsync), the
 * provider verifies it and persists it (fsync) before it counts. Two
 * LevelDB stores in fresh folders, group commit.
 *
 * `ahead` is how many vouchers per channel the client may have signed that
 * the provider has not persisted yet: 1 (default) signs the next one only
 * after the provider persisted the previous one; 2 lets the client sign
 * while the provider persists, as in a real job (the protocol has no
 * per-voucher ack: the credit window bounds how far ahead a client pays).
 */
export async function runPersistedVouchers(
  ed25519: Ed25519Backend,
  count = 10_000,
  channels = 64,
  key: SigningKey = signingKeyFromSeed(randomBytes(32)),
  ahead = 1,
): Promise<PersistedRun> {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-bench-'))
  const clientStore = await openVoucherStore(join(dir, 'c'))
  const providerStore = await openVoucherStore(join(dir, 'p'))
  try {
    const addresses = Array.from({ length: channels }, () => new Address(0, randomBytes(32)).toRawString())
    const perChannel = Math.ceil(count / channels)
    const cpu0 = process.cpuUsage()
    const main0 = process.threadCpuUsage()
    const start = performance.now()
    await Promise.all(
      addresses.map(async (channel, c) => {
        const jobId = `bench-job-${c}` // one job per channel, as in a real session
        const unacked: Promise<unknown>[] = []
        for (let i = 0; i < perChannel; i++) {
          const v = await clientStore.signNext(channel, jobId, 1000n, (amount) =>
            signVoucher({ key, channel, amount, jobId, ed25519 }),
          )
          unacked.push(
            providerStore.acceptVoucher(
              verifyVoucher({ voucher: v, clientKey: key.publicKey, channel, ed25519 }),
            ),
          )
          if (unacked.length >= ahead) await unacked.shift()
        }
        await Promise.all(unacked)
      }),
    )
    const wallSeconds = (performance.now() - start) / 1000
    const cpu = process.cpuUsage(cpu0)
    const main = process.threadCpuUsage(main0)
    return {
      vouchers: perChannel * channels,
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      mainThreadCpuSeconds: (main.user + main.system) / 1e6,
    }
  } finally {
    await clientStore.close()
    await providerStore.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Runs `fn` `n` times; operations per CPU-second of this thread. On a shared
 * box CPU time is steadier than wall time (being descheduled does not count),
 * and for single-threaded work it is the per-core rate.
 */
function perCpuSecond(n: number, fn: (i: number) => void): number {
  const start = process.threadCpuUsage()
  for (let i = 0; i < n; i++) fn(i)
  const used = process.threadCpuUsage(start)
  return n / ((used.user + used.system) / 1e6)
}

/** Sign + verify of vouchers (hash included) in memory, vouchers per CPU-second. */
function inMemoryRate(ed25519: Ed25519Backend, key: SigningKey, channel: string, n: number): number {
  return perCpuSecond(n, (i) => {
    const v = signVoucher({ key, channel, amount: BigInt(i + 1), jobId: 'b', ed25519 })
    verifyVoucher({ voucher: v, clientKey: key.publicKey, ed25519 })
  })
}

/** Raw ed25519 over a 32-byte message: [signs, verifies] per CPU-second. */
function primitiveRates(ed25519: Ed25519Backend, key: SigningKey, n: number): [number, number] {
  const message = randomBytes(32)
  const signature = ed25519.sign(message, key)
  const signs = perCpuSecond(n, () => ed25519.sign(message, key))
  const verifies = perCpuSecond(n, () => {
    if (!ed25519.verify(message, signature, key.publicKey)) throw new Error('verify')
  })
  return [signs, verifies]
}

/**
 * Signs nothing and accepts every signature: runs the persisted path with
 * the store and the voucher hashing only, to show what persistence costs.
 */
const noCrypto: Ed25519Backend = {
  name: 'node:crypto',
  sign: () => new Uint8Array(64),
  verify: () => true,
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

/**
 * Vouchers signed + verified + persisted: per second of wall time and per
 * CPU-second of the whole process ("per core": LevelDB's threads count), for
 * each ed25519 backend side by side in the same run (rounds alternate
 * backends; the median is reported). The unsuffixed bench is the backend
 * the process selected. Baseline: @ton/crypto (tweetnacl) sign + verify of a
 * @ton/core voucher cell hash, without any persistence, per CPU-second.
 */
export async function benchVouchers(count = 10_000, channels = 64, rounds = 3): Promise<void> {
  const seed = randomBytes(32)
  const sodium = loadSodiumNative()
  const backends = [...(sodium === undefined ? [] : [sodiumEd25519(sodium)]), nodeCryptoEd25519]
  const selected = ed25519Backend().name
  const address = new Address(0, randomBytes(32))
  const bench: VoucherBench = {
    key: signingKeyFromSeed(seed),
    backends,
    selected,
    chosen: backends.find((b) => b.name === selected) ?? nodeCryptoEd25519,
    count,
    channels,
    rounds,
    baseline: tweetnaclRate(seed, address),
  }
  await benchPersisted(bench)
  await benchRoles(bench)
  benchInMemory(bench, address.toRawString())
}

/** What every part of {@link benchVouchers} measures with. */
interface VoucherBench {
  key: SigningKey
  backends: Ed25519Backend[]
  /** The backend this process selected: its benches have no suffix. */
  selected: Ed25519BackendName
  chosen: Ed25519Backend
  count: number
  channels: number
  rounds: number
  /** tweetnacl sign + verify per CPU-second, the baseline of every voucher bench. */
  baseline: number
}

/** The baseline: @ton/crypto (tweetnacl) sign + verify of a @ton/core voucher cell hash, no persistence. */
function tweetnaclRate(seed: Buffer, address: Address): number {
  const pair = keyPairFromSeed(seed)
  return perCpuSecond(300, (i) => {
    const hash = voucherCell(address, BigInt(i + 1)).hash()
    const sig = naclSign(hash, pair.secretKey)
    if (!naclVerify(hash, sig, pair.publicKey)) throw new Error('baseline verify failed')
  })
}

function suffixOf(b: Ed25519Backend, selected: Ed25519BackendName): string {
  return b.name === selected ? '' : `.${b.name.replace(':', '-')}`
}

/** Per-voucher microseconds of one measure, median over runs. */
function microsPerVoucher(rs: PersistedRun[], f: (r: PersistedRun) => number): string {
  return median(rs.map((r) => (f(r) * 1e6) / r.vouchers)).toFixed(1)
}

/** Both sides on one core, each backend, pipelined, and persistence alone. */
async function benchPersisted(bench: VoucherBench): Promise<void> {
  const { key, backends, selected, chosen, count, channels, rounds, baseline } = bench
  const runs = new Map<string, PersistedRun[]>(backends.map((b) => [b.name, []]))
  const storeOnly: PersistedRun[] = []
  const pipelined: PersistedRun[] = []
  for (const b of backends) await runPersistedVouchers(b, 1000, channels, key) // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const b of backends) runs.get(b.name)?.push(await runPersistedVouchers(b, count, channels, key))
    storeOnly.push(await runPersistedVouchers(noCrypto, count, channels, key))
    pipelined.push(await runPersistedVouchers(chosen, count, channels, key, 2))
  }

  const us = microsPerVoucher
  for (const b of backends) {
    const rs = runs.get(b.name) ?? []
    const suffix = suffixOf(b, selected)
    reportBench({
      bench: `settlement.vouchers-signed-verified-persisted${suffix}`,
      value: median(rs.map((r) => r.vouchers / r.wallSeconds)),
      unit: `vouchers/s wall (ed25519 ${b.name}, ${channels} channels, fsync group commit)`,
      baseline,
    })
    reportBench({
      bench: `settlement.vouchers-signed-verified-persisted-per-cpu-second${suffix}`,
      value: median(rs.map((r) => r.vouchers / r.cpuSeconds)),
      unit: `vouchers per CPU-second, all threads (ed25519 ${b.name})`,
      baseline,
    })
    console.error(
      `[vouchers] ${b.name}: CPU per voucher ${us(rs, (r) => r.cpuSeconds)} us ` +
        `(main thread ${us(rs, (r) => r.mainThreadCpuSeconds)} us, LevelDB/libuv/GC threads ` +
        `${us(rs, (r) => r.cpuSeconds - r.mainThreadCpuSeconds)} us), wall ${us(rs, (r) => r.wallSeconds)} us`,
    )
  }
  reportBench({
    bench: 'settlement.vouchers-signed-verified-persisted-pipelined',
    value: median(pipelined.map((r) => r.vouchers / r.wallSeconds)),
    unit: `vouchers/s wall (ed25519 ${chosen.name}, client signs while the provider persists, <= 2 ahead)`,
    baseline,
  })
  reportBench({
    bench: 'settlement.vouchers-signed-verified-persisted-pipelined-per-cpu-second',
    value: median(pipelined.map((r) => r.vouchers / r.cpuSeconds)),
    unit: `vouchers per CPU-second, all threads (ed25519 ${chosen.name}, pipelined)`,
    baseline,
  })
  reportBench({
    bench: 'settlement.voucher-persistence-cpu-per-voucher',
    value: median(storeOnly.map((r) => (r.cpuSeconds * 1e6) / r.vouchers)),
    unit: 'us CPU per voucher, both stores + voucher hashing, no ed25519',
    better: 'lower',
  })
  console.error(
    `[vouchers] persistence only: main thread ${us(storeOnly, (r) => r.mainThreadCpuSeconds)} us, ` +
      `other threads ${us(storeOnly, (r) => r.cpuSeconds - r.mainThreadCpuSeconds)} us per voucher`,
  )
}

/** Each side alone, as it runs on its own machine (the persisted figures are both on one core). */
async function benchRoles(bench: VoucherBench): Promise<void> {
  const { key, chosen, count, channels, rounds, baseline } = bench
  const clientRole: number[] = []
  const providerRole: number[] = []
  for (let r = 0; r < rounds; r++) {
    clientRole.push(await runVoucherRole('client', chosen, key, count, channels))
    providerRole.push(await runVoucherRole('provider', chosen, key, count, channels))
  }
  reportBench({
    bench: 'settlement.vouchers-client-side-signed-persisted-per-cpu-second',
    value: median(clientRole),
    unit: `vouchers per CPU-second, all threads (client side only: sign + fsynced high-water mark, ed25519 ${chosen.name})`,
    baseline,
  })
  reportBench({
    bench: 'settlement.vouchers-provider-side-verified-persisted-per-cpu-second',
    value: median(providerRole),
    unit: `vouchers per CPU-second, all threads (provider side only: verify + fsynced store, ed25519 ${chosen.name})`,
    baseline,
  })
}

/** Sign + verify in memory, and the raw ed25519 primitives, per backend. */
function benchInMemory(bench: VoucherBench, channel: string): void {
  const { key, backends, selected, baseline } = bench
  for (const b of backends) {
    inMemoryRate(b, key, channel, 2000) // warm-up
    reportBench({
      bench: `settlement.vouchers-signed-verified-in-memory${suffixOf(b, selected)}`,
      value: inMemoryRate(b, key, channel, 20_000),
      unit: `vouchers per CPU-second (ed25519 ${b.name})`,
      baseline,
    })
    const [signs, verifies] = primitiveRates(b, key, 10_000)
    reportBench({
      bench: `settlement.ed25519-sign.${b.name.replace(':', '-')}`,
      value: signs,
      unit: 'signs per CPU-second',
    })
    reportBench({
      bench: `settlement.ed25519-verify.${b.name.replace(':', '-')}`,
      value: verifies,
      unit: 'verifies per CPU-second',
    })
  }
}
