/**
 * `cocoon attest verify` on the real Intel TDX fixture (UpToDate inside its
 * collateral window, refused for its binding, its window and a flipped bit)
 * and on a test-CA quote bound to given keys, and `cocoon attest` on a node
 * without a TEE. Spawned built CLI, as a user runs it.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { collateralToJson } from '@cocoon-mesh/attestation'
import { createTestCa } from '@cocoon-mesh/attestation/testing'
import { attestationReportData } from '@cocoon-mesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI, cocoon } from '../../../../test-support/cli-processes.ts'

const FIXTURE = fileURLToPath(new URL('../../../attestation/test/fixtures/tdx/', import.meta.url))
const QUOTE = join(FIXTURE, 'tdx_quote')
const COLLATERAL = join(FIXTURE, 'tdx_quote_collateral.json')
/** Inside the fixture collateral's window (2025-06-19T10:32:27Z .. 2025-07-19T10:16:03Z). */
const INSIDE = '2025-07-01T00:00:00Z'
const PEER = '12D3KooWL6bSCrYFJDqretA3bZ28zKaPLHdQCDPcjc1yuyn4GtmV'
const SETTLEMENT = '11'.repeat(32)

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI to its end, whatever its exit code. */
function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

let dir: string | undefined

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cocoon-attest-'))
  buildPeerDist()
}, 180_000)

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

const verify = (...extra: string[]): Promise<Run> =>
  run(['attest', 'verify', '--quote', QUOTE, '--collateral', COLLATERAL, ...extra])

describe('cocoon attest verify (the real Intel TDX fixture)', () => {
  it('verifies it as UpToDate inside the window and exits non-zero naming not-bound for other keys', async () => {
    const r = await verify('--at', INSIDE, '--peer-key', PEER, '--settlement-key', SETTLEMENT)
    expect(r.code).not.toBe(0)
    expect(r.stdout).toMatch(/^tee {10}tdx$/m)
    expect(r.stdout).toMatch(/^tcb status {3}UpToDate$/m)
    expect(r.stdout).toMatch(/^report data {2}9a9d48e7f6799642/m)
    expect(r.stdout).toMatch(/^mrTd {9}[0-9a-f]{96}$/m)
    expect(r.stdout).toMatch(/passed {2}quote-signature/)
    expect(r.stdout).toMatch(/passed {2}tcb-status/)
    expect(r.stdout).toMatch(/FAILED {2}binding/)
    expect(r.stderr).toMatch(/^cocoon: attestation check failed: binding \(not-bound\)/)
    expect(r.stderr).not.toMatch(/\n {4}at /)
  })

  it('prints the same as JSON', async () => {
    const r = await verify('--at', INSIDE, '--peer-key', PEER, '--settlement-key', SETTLEMENT, '--json')
    expect(r.code).not.toBe(0)
    const report = JSON.parse(r.stdout) as {
      tier: string
      reason: string
      tee: string
      tcbStatus: string
      measurements: { mrTd: string }
      checks: Array<{ name: string; ok: boolean }>
    }
    expect(report).toMatchObject({ tier: 'open', reason: 'not-bound', tee: 'tdx', tcbStatus: 'UpToDate' })
    expect(report.checks.find((c) => c.name === 'binding')?.ok).toBe(false)
    expect(report.checks.filter((c) => c.ok).map((c) => c.name)).toContain('certificate-chain')
  })

  it('refuses it after the collateral window, naming collateral-expired', async () => {
    const r = await verify('--at', '2026-01-01T00:00:00Z', '--peer-key', PEER, '--settlement-key', SETTLEMENT)
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/attestation check failed: collateral-window \(collateral-expired\)/)
  })

  it('refuses one flipped bit of the quote body, naming the signature', async () => {
    const flipped = join(dir as string, 'flipped_quote')
    const bytes = new Uint8Array(await readFile(QUOTE))
    bytes[200] = (bytes[200] as number) ^ 1
    await writeFile(flipped, bytes)
    const r = await run(['attest', 'verify', '--quote', flipped, '--collateral', COLLATERAL, '--at', INSIDE])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/attestation check failed: \S+ \(bad-signature\)/)
  })

  it('says what is wrong with bad arguments, without a stack trace', async () => {
    const at = await verify('--at', 'yesterday')
    expect(at.code).not.toBe(0)
    expect(at.stderr).toContain('is not an ISO time')
    const missing = await run([
      'attest',
      'verify',
      '--quote',
      join(dir as string, 'nope'),
      '--collateral',
      COLLATERAL,
    ])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toMatch(/^cocoon: could not read quote file/)
    expect(missing.stderr).not.toMatch(/\n {4}at /)
  })
})

describe('cocoon attest verify (a test-CA quote bound to given keys)', () => {
  it('passes every check and exits 0 with the test root pinned by the home config', async () => {
    const home = join(dir as string, 'home-ca')
    await cocoon(['init', '--home', home])
    const ca = await createTestCa()
    await writeFile(join(home, 'test-root.der'), ca.rootCaDer)
    await writeFile(
      join(home, 'config.jsonc'),
      JSON.stringify({ attestation: { trustedRootCa: 'test-root.der', allowedMeasurements: 'any' } }),
    )
    const peerKey = Buffer.from('0801122011'.padEnd(72, '2'), 'hex')
    const settlementKey = Buffer.from(SETTLEMENT, 'hex')
    const quoteFile = join(dir as string, 'ca_quote')
    await writeFile(quoteFile, ca.quote({ reportData: attestationReportData(peerKey, settlementKey) }))
    const collateralFile = join(dir as string, 'ca_collateral.json')
    await writeFile(collateralFile, JSON.stringify(collateralToJson(ca.collateral())))
    const args = ['attest', 'verify', '--quote', quoteFile, '--collateral', collateralFile, '--home', home]
    const at = ['--at', new Date(ca.now).toISOString()]
    const keys = ['--peer-key', peerKey.toString('hex'), '--settlement-key', SETTLEMENT]
    const ok = await run([...args, ...at, ...keys])
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/passed {2}binding/)
    expect(ok.stdout).toMatch(/^verdict {6}CPU TEE attested \(TDX UpToDate\), GPU not attested$/m)
    // Intel's root (no --home) does not sign the test CA's chain
    const intel = await run([
      'attest',
      'verify',
      '--quote',
      quoteFile,
      '--collateral',
      collateralFile,
      ...at,
      ...keys,
    ])
    expect(intel.code).not.toBe(0)
    expect(intel.stderr).toMatch(/\(bad-signature\)/)
  })
})

describe('cocoon attest (this node)', () => {
  it('says the node has no evidence and why, exiting non-zero', async () => {
    const home = join(dir as string, 'home-plain')
    await cocoon(['init', '--home', home])
    await writeFile(
      join(home, 'config.jsonc'),
      JSON.stringify({ attestation: { tsmRoot: join(home, 'no-tsm') } }),
    )
    const r = await run(['attest', '--home', home])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/^cocoon: this node has no evidence: clients see it as open tier/)
    expect(r.stderr).toContain(`no TEE found at ${join(home, 'no-tsm')}`)
  })
})
