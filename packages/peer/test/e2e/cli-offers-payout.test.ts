/**
 * `cocoon offers` shows where each provider is paid (payout
 * address and settlement key, from its signed offer): what a client passes to
 * `cocoon channel open --payout ... --provider-key ...`. Spawned built CLI, as
 * a user runs it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { walletFromMnemonic } from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic } from '@cocoon-mesh/settlement/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI as cli, cocoon, ProcessGroup } from '../../../../test-support/cli-processes.ts'

const MODEL = 'payout-test-model'
const procs = new ProcessGroup(50_000)
let home: string | undefined

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cocoon-offers-payout-'))
  buildPeerDist()
}, 180_000)

afterAll(async () => {
  await procs.stopAll()
  if (home !== undefined) await rm(home, { recursive: true, force: true })
})

describe('cocoon offers: payout address and settlement key', () => {
  it("prints each offer's payout address and settlement key in the table and in --json", async () => {
    const dir = home as string
    await cocoon(['init', '--home', dir])
    const wallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(dir)).mnemonic)
    const payout = wallet.address.toString()
    const key = Buffer.from(wallet.signingKey.publicKey).toString('hex')
    // the node sells only models that answer at start: the generated test model stands in for weights
    await mkdir(join(dir, 'models'), { recursive: true })
    await writeTinyGguf(join(dir, 'models', `${MODEL}.gguf`))

    // without a chain endpoint the node serves for free but still names its wallet in its offer
    const node = procs.spawn(
      'provider',
      [cli, 'node', 'start', '--home', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--provide'],
      { COCOON_PROVIDE_MODELS: MODEL },
    )
    // no TEE on this machine: the node says why and serves as open tier
    expect(await node.line(/^attestation off/)).toMatch(/^attestation off \(open tier\): no TEE found at /)
    const addr = (await node.line(/^listening \/ip4\/127\.0\.0\.1\/tcp\/.*\/p2p\//)).split(' ')[1] as string

    const listed = JSON.parse(
      await cocoon(['offers', '--bootstrap', addr, '--model', MODEL, '--json']),
    ) as Array<{
      models: string[]
      payoutAddress: string
      settlementKey: string
      tier: string
      trust: string
      notAttestedReason?: string
    }>
    expect(listed).toHaveLength(1)
    expect(listed[0]?.models).toEqual([MODEL])
    expect(listed[0]?.payoutAddress).toBe(payout)
    expect(listed[0]?.settlementKey).toBe(key)
    expect(listed[0]?.tier).toBe('open')
    expect(listed[0]?.trust).toBe('open')
    expect(listed[0]?.notAttestedReason).toBe('no-evidence')

    const table = await cocoon(['offers', '--bootstrap', addr, '--model', MODEL])
    expect(table).toMatch(/^PROVIDER +TIER +MODELS/)
    expect(table).toMatch(/\n\S+ +open +payout-test-model/)
    expect(table).toContain('  trust open\n')
    expect(table).toContain(`payout ${payout}  settlement-key ${key}`)
  })
})
