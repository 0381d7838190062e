/**
 * The provider side against real stand-ins: a configfs-tsm tree in a temp
 * folder answered by a watcher (FIFO outblob, as the kernel blocks the read
 * until the quote is made), a PCCS over HTTP on 127.0.0.1, and the client
 * verifying what collectEvidence produced.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { attestationReportData, decodeAttestationEvidence, TeeKind } from '@cocoon-mesh/protocol'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  collateralToJson,
  collectEvidence,
  DeadlineExceededError,
  detectTee,
  fetchPccsCollateral,
  InvalidReportDataError,
  PccsRequestError,
  readTsmQuote,
  TsmGenerationRaceError,
  TsmReportFailedError,
  TsmUnavailableError,
  TsmUnknownProviderError,
  verifyEvidence,
} from '../../src/index.js'
import {
  createTestCa,
  type FakeTsm,
  startFakeTsm,
  startTestPccs,
  type TestCa,
  type TestPccs,
} from '../../src/testing/index.js'

const peerPublicKey = new Uint8Array(36).fill(1)
const settlementPublicKey = new Uint8Array(32).fill(2)
const reportData = attestationReportData(peerPublicKey, settlementPublicKey)

let ca: TestCa
const cleanups: Array<() => Promise<void>> = []
beforeAll(async () => {
  ca = await createTestCa()
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function fakeTsm(options: Partial<Parameters<typeof startFakeTsm>[0]> = {}): Promise<FakeTsm> {
  const tsm = await startFakeTsm({ makeQuote: (data) => ca.quote({ reportData: data }), ...options })
  cleanups.push(() => tsm.close())
  return tsm
}

async function pccs(collateral = ca.collateral()): Promise<TestPccs> {
  const server = await startTestPccs({ collateral })
  cleanups.push(() => server.close())
  return server
}

describe('configfs-tsm reader', () => {
  it('reads the quote the TEE makes for our report data, with provider and generation', async () => {
    const tsm = await fakeTsm()
    const quote = await readTsmQuote({ root: tsm.root, reportData })
    expect(quote).toMatchObject({ tee: 'tdx', provider: 'tdx_guest', generation: 1, auxBlob: undefined })
    const verdict = await verifyEvidence({
      evidence: { ...ca.evidence({ reportData }), quote: new Uint8Array(quote.quote) },
      peerPublicKey,
      settlementPublicKey,
      policy: ca.policy(),
      now: ca.now,
    })
    expect(verdict.tier).toBe('attested')
    expect(tsm.answered).toBe(1)
  })

  it('detects a generation race (another writer between our write and read)', async () => {
    const tsm = await fakeTsm({ interfere: 'race' })
    const error = await readTsmQuote({ root: tsm.root, reportData }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TsmGenerationRaceError)
    expect((error as TsmGenerationRaceError).message).toContain('from 0 to 2')
  })

  it('reads auxblob for sev_guest', async () => {
    const auxBlob = new Uint8Array([1, 2, 3, 4])
    const tsm = await fakeTsm({
      provider: 'sev_guest',
      auxBlob,
      makeQuote: () => new Uint8Array(1184).fill(9),
    })
    const quote = await readTsmQuote({ root: tsm.root, reportData })
    expect(quote.tee).toBe('sev-snp')
    expect(quote.auxBlob).toEqual(auxBlob)
    expect(quote.quote.byteLength).toBe(1184)
  })

  it('refuses a provider it cannot attest with', async () => {
    const tsm = await fakeTsm({ provider: 'arm_cca_guest' })
    await expect(readTsmQuote({ root: tsm.root, reportData })).rejects.toBeInstanceOf(TsmUnknownProviderError)
    const detection = await detectTee({ root: tsm.root })
    expect(detection).toMatchObject({ available: false })
  })

  it('says there is no TEE when the report directory is absent', async () => {
    const root = join(tmpdir(), 'cocoon-no-such-tsm', 'report')
    await expect(readTsmQuote({ root, reportData })).rejects.toBeInstanceOf(TsmUnavailableError)
    const detection = await detectTee({ root })
    expect(detection.available).toBe(false)
    if (!detection.available) {
      expect(detection.error).toBeInstanceOf(TsmUnavailableError)
      expect(detection.reason).toContain(root)
    }
  })

  it('a plain directory as report root is TsmReportFailedError (its entries stay empty)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cocoon-not-configfs-'))
    cleanups.push(() => rm(root, { recursive: true, force: true }))
    const error = await readTsmQuote({ root, reportData }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TsmReportFailedError)
    expect((error as TsmReportFailedError).message).toContain('has no outblob')
  })

  it('detects the TEE a tree offers', async () => {
    const tsm = await fakeTsm()
    expect(await detectTee({ root: tsm.root })).toEqual({
      available: true,
      tee: 'tdx',
      provider: 'tdx_guest',
      root: tsm.root,
    })
  })

  it('refuses report data that is not 64 bytes', async () => {
    const tsm = await fakeTsm()
    await expect(readTsmQuote({ root: tsm.root, reportData: new Uint8Array(32) })).rejects.toBeInstanceOf(
      InvalidReportDataError,
    )
  })

  it('bounds the wait for a quote that never comes', async () => {
    const tsm = await fakeTsm({ makeQuote: () => new Promise<Uint8Array>(() => {}) })
    const error = await readTsmQuote({ root: tsm.root, reportData, timeoutMs: 300 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlineExceededError)
  })
})

describe('collateral from a PCCS', () => {
  it('fetches the four PCCS v4 endpoints for the quote platform and returns collateral that verifies', async () => {
    const served = ca.collateral()
    const server = await pccs(served)
    const collateral = await fetchPccsCollateral({
      url: `${server.url}/sgx/certification/v4/`,
      quote: ca.quote({ reportData }),
    })
    expect(collateralToJson(collateral)).toEqual(collateralToJson(served))
    expect(server.requests).toEqual([
      '/sgx/certification/v4/pckcrl?ca=processor&encoding=der',
      '/tdx/certification/v4/tcb?fmspc=90C06F000000',
      '/tdx/certification/v4/qe/identity?update=standard',
      '/sgx/certification/v4/rootcacrl',
    ])
  })

  it('a PCCS that is not there is a PccsRequestError', async () => {
    const server = await startTestPccs({ collateral: ca.collateral() })
    await server.close()
    const error = await fetchPccsCollateral({ url: server.url, quote: ca.quote({ reportData }) }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(PccsRequestError)
  })

  it('an HTTP error from the PCCS names the status', async () => {
    const server = await pccs()
    const error = await fetchPccsCollateral({
      url: `${server.url}/nowhere`,
      quote: ca.quote({ reportData }),
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PccsRequestError)
    expect((error as PccsRequestError).status).toBe(404)
  })
})

describe('collectEvidence', () => {
  it('quote from configfs-tsm + collateral from the PCCS: evidence a client verifies as attested', async () => {
    const tsm = await fakeTsm()
    const server = await pccs()
    const collected = await collectEvidence({
      peerPublicKey,
      settlementPublicKey,
      tsmRoot: tsm.root,
      collateral: { kind: 'pccs', url: server.url },
    })
    const decoded = decodeAttestationEvidence(collected.bytes)
    expect(decoded.tee).toBe(TeeKind.TEE_KIND_TDX)
    const verdict = await verifyEvidence({
      evidence: collected.bytes,
      peerPublicKey,
      settlementPublicKey,
      policy: ca.policy(),
      now: ca.now,
    })
    expect(verdict.tier).toBe('attested')
  })

  it('takes collateral from a JSON file', async () => {
    const tsm = await fakeTsm()
    const dir = await mkdtemp(join(tmpdir(), 'cocoon-collateral-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'collateral.json')
    await writeFile(path, JSON.stringify(collateralToJson(ca.collateral())))
    const collected = await collectEvidence({
      peerPublicKey,
      settlementPublicKey,
      tsmRoot: tsm.root,
      collateral: { kind: 'file', path },
    })
    const verdict = await verifyEvidence({
      evidence: collected.bytes,
      peerPublicKey,
      settlementPublicKey,
      policy: ca.policy(),
      now: ca.now,
    })
    expect(verdict.tier).toBe('attested')
  })
})
