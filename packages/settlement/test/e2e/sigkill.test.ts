import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Address } from '@ton/core'
import { afterEach, describe, expect, it } from 'vitest'
import { openVoucherStore } from '../../src/store/level-store.js'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher, verifyVoucher } from '../../src/voucher/voucher.js'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
let child: ChildProcess | undefined
let dir: string | undefined

afterEach(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

describe('crash safety', () => {
  it('a node killed with SIGKILL mid-stream loses no acknowledged voucher and never re-signs an amount', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cocoon-kill-'))
    const seed = randomBytes(32)
    const channel = new Address(0, randomBytes(32)).toRawString()
    child = spawn(
      process.execPath,
      [
        '--experimental-transform-types',
        '--no-warnings',
        '--conditions=cocoon-source',
        '--import',
        join(fixtures, 'ts-resolve.mjs'),
        join(fixtures, 'voucher-writer.ts'),
        dir,
        seed.toString('hex'),
        channel,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    // wait for 200 acknowledged vouchers, then kill without warning
    let lastAcked = 0n
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the writer acknowledged ${lastAcked} of 200 vouchers within 30 s`)),
        30_000,
      )
      let buffer = ''
      child?.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString()
        const lines = buffer.split('\n')
        buffer = lines.pop() ?? ''
        for (const line of lines) if (line !== '') lastAcked = BigInt(line)
        if (lastAcked >= 200n) {
          clearTimeout(timer)
          resolve()
        }
      })
      child?.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`writer exited early with ${code}`))
      })
    })
    child.kill('SIGKILL')
    await new Promise((resolve) => child?.once('exit', resolve))

    const client = await openVoucherStore(join(dir, 'client'))
    const provider = await openVoucherStore(join(dir, 'provider'))
    try {
      const newest = (await provider.providerChannel(channel))?.newest ?? 0n
      const signed = (await client.clientChannel(channel))?.signed ?? 0n
      expect(newest).toBeGreaterThanOrEqual(lastAcked) // nothing acknowledged is lost
      expect(signed).toBeGreaterThanOrEqual(newest) // the client persisted before signing
      const key = signingKeyFromSeed(seed)
      const record = await provider.providerChannel(channel)
      expect(record).toBeDefined()
      if (record !== undefined) {
        const stored = {
          channel,
          amount: record.newest,
          jobId: 'job',
          signature: Uint8Array.from(record.signature),
        }
        expect(verifyVoucher({ voucher: stored, clientKey: key.publicKey }).amount).toBe(newest)
      }
      const next = await client.signNext(channel, 'job', 1n, (amount) =>
        signVoucher({ key, channel, amount, jobId: 'job' }),
      )
      expect(next.amount).toBe(signed + 1n) // strictly above anything ever signed
      await provider.acceptVoucher(next)
      await expect(
        provider.acceptVoucher(signVoucher({ key, channel, amount: newest, jobId: 'job' })),
      ).rejects.toMatchObject({ code: expect.stringMatching(/ERR_VOUCHER_(REPLAYED|OUT_OF_ORDER)/) })
    } finally {
      await client.close()
      await provider.close()
    }
  })
})
