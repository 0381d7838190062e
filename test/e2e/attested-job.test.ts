/**
 * The confidential-compute path end to end, with real processes over TCP and
 * the test CA standing in for Intel (pinned by the clients' config): an
 * attested provider (`cocoon node start --provide`) reads its quote from a
 * configfs-tsm tree in a temp folder (answered by the test CA for whatever
 * report data the node writes) and its collateral from a PCCS over HTTP; a
 * cheaper open provider runs beside it, and three hostile providers publish
 * cheaper offers claiming the attested tier: one whose quote binds another
 * key, one whose measurement no client allows, and one with no evidence. A
 * client requiring attested (the SDK, the gateway, `cocoon run`) is served by the
 * attested provider alone and says so in its usage; `cocoon offers` names
 * why each other offer is open. Nothing here ran on TEE hardware.
 */
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  createTestCa,
  type FakeTsm,
  startFakeTsm,
  startTestPccs,
  TEST_MR_TD,
  type TestCa,
  type TestPccs,
} from '@cocoon-mesh/attestation/testing'
import { createLightPeer, servedTier } from '@cocoon-mesh/client'
import { attestationTrust } from '@cocoon-mesh/client/internal'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { startGateway } from '@cocoon-mesh/peer'
import {
  attestationReportData,
  encodeAttestationEvidence,
  peerIdBytes,
  peerIdFromBytes,
  TrustTier,
} from '@cocoon-mesh/protocol'
import { generateKeyPair, privateKeyToProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI, cocoon, type Proc, ProcessGroup } from '../../test-support/cli-processes.ts'
import { waitForOffers } from './support/offers.js'
import { useScratchHome } from './support/scratch-home.js'

const MODEL = 'tiny'
const LIAR = join(import.meta.dirname, 'adversarial/support/attestation-liar.ts')
const ALLOWED = { name: 'test-image', mrTd: Buffer.from(TEST_MR_TD).toString('hex') }
const scratch = useScratchHome('cocoon-e2e-attested-')
const procs = new ProcessGroup(90_000)
let ca: TestCa
let tsm: FakeTsm
let pccs: TestPccs

beforeAll(async () => {
  buildPeerDist()
  ca = await createTestCa()
  tsm = await startFakeTsm({ makeQuote: (reportData) => ca.quote({ reportData }) })
  pccs = await startTestPccs({ collateral: ca.collateral() })
}, 180_000)
afterEach(() => procs.stopAll())
afterAll(async () => {
  await pccs?.close()
  await tsm?.close()
})

/** A home folder (`cocoon init`) with `config` as its config and the test root CA beside it. */
async function home(name: string, config: Record<string, unknown>): Promise<string> {
  const dir = join(scratch.home, name)
  await cocoon(['init', '--home', dir])
  await writeFile(join(dir, 'test-root.der'), ca.rootCaDer)
  await writeFile(join(dir, 'config.jsonc'), JSON.stringify(config))
  return dir
}

/** The attestation section of every node here: the test root pinned, the test image allowed. */
function attestation(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { trustedRootCa: 'test-root.der', allowedMeasurements: [ALLOWED], ...extra }
}

/** A `cocoon node start --provide` process serving the tiny model; resolves once it listens. */
async function provider(
  name: string,
  config: Record<string, unknown>,
  bootstrap: string[],
): Promise<{ proc: Proc; addr: string; peerId: string }> {
  const dir = await home(name, config)
  await mkdir(join(dir, 'models'), { recursive: true })
  await writeTinyGguf(join(dir, 'models', `${MODEL}.gguf`))
  const flags = bootstrap.flatMap((a) => ['--bootstrap', a])
  const proc = procs.spawn(name, [
    CLI,
    'node',
    'start',
    '--home',
    dir,
    '--listen',
    '/ip4/127.0.0.1/tcp/0',
    '--provide',
    ...flags,
  ])
  const addr = (await proc.line(/^listening \/ip4\/127\.0\.0\.1\/tcp\/.*\/p2p\//)).split(' ')[1] as string
  return { proc, addr, peerId: addr.split('/p2p/')[1] as string }
}

const prices = (perK: string): Record<string, string> => ({
  perKPromptTokens: perK,
  perKCompletionTokens: perK,
  perTensorGflop: '0',
})

/** A hostile provider claiming the attested tier with `evidence` (built for its key by `evidenceFor`). */
async function liar(
  name: string,
  bootstrap: string,
  evidenceFor: (peerKey: Uint8Array, settlementKey: Uint8Array) => Uint8Array,
): Promise<{ proc: Proc; peerId: string }> {
  const key = await generateKeyPair('Ed25519')
  const settlementKey = new Uint8Array(32).fill(name.length)
  const proc = procs.spawn(name, [LIAR], {
    COCOON_LIAR_KEY: Buffer.from(privateKeyToProtobuf(key)).toString('hex'),
    COCOON_LIAR_SETTLEMENT_KEY: Buffer.from(settlementKey).toString('hex'),
    COCOON_LIAR_EVIDENCE: Buffer.from(
      evidenceFor(publicKeyToProtobuf(key.publicKey), settlementKey),
    ).toString('hex'),
    COCOON_LIAR_BOOTSTRAP: bootstrap,
    COCOON_LIAR_MODEL: MODEL,
  })
  await proc.line(/^ready /)
  return { proc, peerId: peerIdFromBytes(peerIdBytes(key)).toString() }
}

describe('attested jobs (real processes, test CA, configfs-tsm tree in a temp folder)', () => {
  it('a client requiring attested is served by the attested provider only, and labels it so', async () => {
    const attested = await provider(
      'attested',
      {
        provide: { models: [MODEL], prices: prices('1000') },
        attestation: attestation({ tsmRoot: tsm.root, pccsUrl: pccs.url, attestedPrices: prices('2000') }),
      },
      [],
    )
    expect(await attested.proc.line(/^attestation on: /)).toMatch(
      /^attestation on: tdx quote bound to this peer/,
    )
    expect(await attested.proc.line(/^attestation self-check: /)).toBe(
      'attestation self-check: CPU TEE attested (TDX UpToDate), GPU not attested',
    )
    expect(tsm.answered).toBe(1)
    const open = await provider(
      'open',
      {
        provide: { models: [MODEL], prices: prices('500') },
        attestation: attestation({ tsmRoot: join(scratch.home, 'no-tsm') }),
      },
      [attested.addr],
    )
    expect(await open.proc.line(/^attestation off/)).toMatch(
      /^attestation off \(open tier\): no TEE found at /,
    )

    const otherKey = new Uint8Array(36).fill(7)
    const notBound = await liar('not-bound', attested.addr, (_peer, settlement) =>
      encodeAttestationEvidence(ca.evidence({ reportData: attestationReportData(otherKey, settlement) })),
    )
    const badImage = await liar('bad-image', attested.addr, (peer, settlement) =>
      encodeAttestationEvidence(
        ca.evidence({
          reportData: attestationReportData(peer, settlement),
          mrTd: new Uint8Array(48).fill(0x11),
        }),
      ),
    )
    const noEvidence = await liar('no-evidence', attested.addr, () => new Uint8Array(0))
    const liars = [notBound, badImage, noEvidence]

    // the SDK: the client's own verifier with the test root pinned
    const policy = ca.policy({ allowedMeasurements: [ALLOWED] })
    const client = await createLightPeer({ bootstrap: [attested.addr], trust: attestationTrust({ policy }) })
    scratch.cleanups.push(() => client.stop())
    await waitForOffers(client, MODEL, 5, 60_000)
    const ranked = await client.offers(MODEL)
    const reasons = Object.fromEntries(ranked.map((r) => [r.providerId, r.trust.reason ?? 'attested']))
    expect(reasons).toEqual({
      [attested.peerId]: 'attested',
      [open.peerId]: 'no-evidence',
      [notBound.peerId]: 'not-bound',
      [badImage.peerId]: 'measurement-not-allowed',
      [noEvidence.peerId]: 'no-evidence',
    })
    for (const l of liars)
      expect(ranked.find((r) => r.providerId === l.peerId)?.trust.claimed).toBe(TrustTier.TRUST_TIER_ATTESTED)

    const job = client.generate({
      model: MODEL,
      prompt: 'hello',
      maxTokens: 8,
      minTrustTier: TrustTier.TRUST_TIER_ATTESTED,
    })
    const tiers = new Set<TrustTier>()
    for await (const chunk of job) tiers.add(chunk.tier)
    const usage = await job.usage
    expect(usage.completionTokens).toBe(8)
    expect(usage.parts.map((p) => [p.providerId, p.outcome, p.tier])).toEqual([
      [attested.peerId, 'completed', TrustTier.TRUST_TIER_ATTESTED],
    ])
    expect(usage.parts[0]?.price.perKCompletionTokens).toBe(2000n)
    expect(servedTier(usage)).toBe('attested')
    expect([...tiers]).toEqual([TrustTier.TRUST_TIER_ATTESTED])

    // the gateway: the tier header and the usage field, the client requiring attested
    const gateway = await startGateway({
      generate: (params) => client.generate({ ...params, minTrustTier: TrustTier.TRUST_TIER_ATTESTED }),
      offers: () => client.peer.orderBook.offers(),
    })
    scratch.cleanups.push(() => gateway.close())
    const response = await fetch(`${gateway.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-cocoon-trust-tier')).toBe('attested')
    const completion = (await response.json()) as {
      cocoon: { trust_tier: string; parts: Array<{ provider: string; trust_tier: string; trust: string }> }
    }
    expect(completion.cocoon.trust_tier).toBe('attested')
    expect(completion.cocoon.parts.map((p) => [p.provider, p.trust_tier, p.trust])).toEqual([
      [attested.peerId, 'attested', 'CPU TEE attested (TDX UpToDate), GPU not attested'],
    ])

    // the CLI: `cocoon run --trust-tier attested --usage` with the same policy from its home
    const cliHome = await home('client', { attestation: attestation() })
    const run = await runCli([
      'run',
      '--home',
      cliHome,
      '--bootstrap',
      attested.addr,
      '--model',
      MODEL,
      '--prompt',
      'hi',
      '--max-tokens',
      '4',
      '--trust-tier',
      'attested',
      '--usage',
    ])
    const report = JSON.parse(run.stderr.trim().split('\n').pop() ?? '{}') as {
      trustTier: string
      parts: Array<{ provider: string; outcome: string; trustTier: string; trust: string }>
    }
    expect(report.trustTier).toBe('attested')
    expect(report.parts).toEqual([
      {
        provider: attested.peerId,
        outcome: 'completed',
        trustTier: 'attested',
        trust: 'CPU TEE attested (TDX UpToDate), GPU not attested',
        completionTokens: 4,
        cost: expect.any(String),
        perKCompletionTokens: '2000',
        // the connection the job ran over: direct to the attested provider, no relay
        via: expect.stringMatching(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${attested.peerId}$`)),
      },
    ])

    // `cocoon offers`: the tier column and why each other offer is open
    const listed = JSON.parse(
      await cocoon(['offers', '--home', cliHome, '--bootstrap', attested.addr, '--model', MODEL, '--json']),
    ) as Array<{
      provider: string
      tier: string
      trust: string
    }>
    const trust = Object.fromEntries(listed.map((o) => [o.provider, `${o.tier} | ${o.trust}`]))
    expect(trust[attested.peerId]).toBe('attested | CPU TEE attested (TDX UpToDate), GPU not attested')
    expect(trust[open.peerId]).toBe('open | open')
    expect(trust[notBound.peerId]).toBe('open | open: claims attested, not bound to this peer')
    expect(trust[badImage.peerId]).toBe('open | open: claims attested, measurement not allowed')
    expect(trust[noEvidence.peerId]).toBe('open | open: claims attested, no evidence')

    // nothing of any job reached a provider the client did not verify as attested
    for (const l of liars) expect(l.proc.lines.filter((line) => line.startsWith('job'))).toEqual([])
    expect(open.proc.lines.filter((line) => line.startsWith('job-'))).toEqual([])
    await attested.proc.until(
      (lines) => lines.filter((line) => line.startsWith('job-finished ')).length === 3,
      'the three jobs finished on the attested provider',
    )
  }, 300_000)
})

/** Runs the CLI to its end; rejects naming its output when it fails. */
async function runCli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error === null) resolve({ stdout, stderr })
        else reject(new Error(`cocoon ${args.join(' ')} failed: ${stderr}${stdout}`))
      },
    )
  })
}
