/**
 * A provider in its own process reads its quote from a configfs-tsm tree
 * that this test process answers (as the other packages' end-to-end tests
 * lay it out), through the built package.
 */
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { attestationReportData } from '@cocoon-mesh/protocol'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ProcessGroup } from '../../../../test-support/cli-processes.js'
import { verifyEvidence } from '../../src/index.js'
import { createTestCa, type FakeTsm, startFakeTsm, type TestCa } from '../../src/testing/index.js'

const PKG = resolve(import.meta.dirname, '../..')
const ROOT = resolve(PKG, '../..')

const peerPublicKey = new Uint8Array(36).fill(1)
const settlementPublicKey = new Uint8Array(32).fill(2)

/** Reads one quote with the built package and prints it as a JSON line. */
const READER = `
import { readTsmQuote } from '@cocoon-mesh/attestation'
const [root, reportDataHex] = process.argv.slice(-2)
const quote = await readTsmQuote({ root, reportData: Buffer.from(reportDataHex, 'hex') })
console.log(JSON.stringify({ tee: quote.tee, generation: quote.generation, quote: Buffer.from(quote.quote).toString('hex') }))
`

let ca: TestCa
const group = new ProcessGroup(30_000)
let tsm: FakeTsm | undefined

beforeAll(async () => {
  execFileSync('flock', [
    '/tmp/cocoon-attestation-dist-build.lock',
    join(ROOT, 'node_modules/.bin/tsc'),
    '-b',
    PKG,
  ])
  ca = await createTestCa()
})

afterEach(async () => {
  await group.stopAll()
  await tsm?.close()
  tsm = undefined
})

describe('a provider process reading configfs-tsm', () => {
  it('gets the quote the tree answers for its report data, and a client verifies it as attested', async () => {
    tsm = await startFakeTsm({ makeQuote: (reportData) => ca.quote({ reportData }) })
    const reportData = attestationReportData(peerPublicKey, settlementPublicKey)
    const reader = group.spawn('reader', [
      '--input-type=module',
      '-e',
      READER,
      tsm.root,
      Buffer.from(reportData).toString('hex'),
    ])
    const out = JSON.parse(await reader.line(/^\{/)) as { tee: string; generation: number; quote: string }
    expect(await reader.exited).toEqual({ code: 0, signal: null })
    expect(out).toMatchObject({ tee: 'tdx', generation: 1 })
    const verdict = await verifyEvidence({
      evidence: { ...ca.evidence({ reportData }), quote: new Uint8Array(Buffer.from(out.quote, 'hex')) },
      peerPublicKey,
      settlementPublicKey,
      policy: ca.policy(),
      now: ca.now,
    })
    expect(verdict.tier).toBe('attested')
  })
})
