/**
 * Attack: a job from an unrelated identity naming another client's payment
 * channel, to be served on that channel's credit window for free.
 *
 * Every peer is its own process over TCP on 127.0.0.1, on one devnet:
 * - the honest provider is `cocoon node start --provide --chain-endpoint`
 *   (the built CLI), credit window 10 tokens;
 * - the honest client's home is made with `cocoon init`, funded, and its
 *   channel opened with `cocoon channel open`; it pays through
 *   `support/paying-client.ts`;
 * - the attacker (`adversarial/support/foreign-channel-attacker.ts`) has its
 *   own fresh identity and key, names the honest channel and never pays: three
 *   jobs at once with no proof, three with a proof signed by its own key, three
 *   claiming the victim's key with its own signature.
 *
 * Bounds: the attacker gets 0 tokens and a JobReject naming the missing
 * proof; no attack job is accepted; the honest client's job succeeds and is
 * paid in full; the provider never served more than one shared window ahead
 * of its vouchers on the channel (after the final voucher: nothing unpaid).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { TonChainClient, walletFromMnemonic } from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic } from '@cocoon-mesh/settlement/node'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI as cli, ProcessGroup, stop } from '../../../test-support/cli-processes.ts'
import { useDevnetFixture } from '../support/devnet-fixture.js'
import { CREDIT_WINDOW, events, MODEL, paidNodes } from '../support/paid-nodes.js'
import type { AttackerArgs, AttackerEvent, AttackMode } from './support/foreign-channel-attacker.js'

/** Generous: two busy cores, several processes each loading libp2p and a model. */
const TEST_TIMEOUT = 300_000
const WAIT_LIMIT = 240_000
const ATTACKER_SCRIPT = join(import.meta.dirname, 'support', 'foreign-channel-attacker.ts')
const MODES: AttackMode[] = ['unsigned', 'own-key', 'forged']
const CONCURRENCY = 3

const fx = useDevnetFixture('cocoon-foreign-channel-')
const procs = new ProcessGroup(WAIT_LIMIT)
const { makeProvider, startProvider, makeClient, startClient, earnings } = paidNodes(fx, procs)

beforeAll(() => {
  buildPeerDist()
  expect(existsSync(cli)).toBe(true)
}, 240_000)

afterEach(async () => {
  await procs.stopAll()
})

function attackerEvents(lines: string[]): AttackerEvent[] {
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as AttackerEvent)
}

/** The proof each mode lacks, as the provider's JobReject names it. */
const EXPECTED_CAUSE: Record<AttackMode, RegExp> = {
  unsigned: /carries no channel proof/,
  'own-key': /JobRequest\.clientKey is not channel \S+'s client key/,
  forged: /JobRequest\.clientSignature does not verify against channel \S+'s client key/,
}

describe('a job naming another client channel (real processes, devnet)', () => {
  it(
    'gets nothing, while the channel owner is served and pays',
    async () => {
      const chain = new TonChainClient({ endpoint: fx.devnet.endpoint, pollInterval: 20, timeout: 60_000 })
      const provider = await makeProvider(chain, 'provider')
      const { home: clientHome, channel } = await makeClient(provider, 'client')
      const victim = await walletFromMnemonic((await loadOrCreateWalletMnemonic(clientHome)).mnemonic)
      const { node, address } = await startProvider(provider)

      const attackerArgs: AttackerArgs = {
        bootstrap: [address],
        model: MODEL,
        channel,
        victimKey: Buffer.from(victim.signingKey.publicKey).toString('hex'),
        modes: MODES,
        concurrency: CONCURRENCY,
      }
      const attacker = procs.spawn('attacker', [ATTACKER_SCRIPT, JSON.stringify(attackerArgs)])
      // the owner runs a paid job at the same time as the attack
      const honest = startClient({
        home: clientHome,
        endpoint: fx.devnet.endpoint,
        bootstrap: [address],
        model: MODEL,
        prompt: 'Tell me a story about payment channels.',
        maxTokens: 40,
      })
      await attacker.until(
        (ls) => ls.some((l) => l.includes('"event":"done"') || l.includes('"event":"error"')),
        'the attack to finish',
      )
      await honest.until(
        () => events(honest).some((e) => e.event === 'done' || e.event === 'error'),
        'the honest job to finish',
      )

      // the attacker: every job refused before any work, with the missing proof named
      const attack = attackerEvents(attacker.lines)
      expect(attack.filter((e) => e.event === 'error')).toEqual([])
      expect(attack.filter((e) => e.event === 'session-opened')).toEqual([])
      const jobs = attack.flatMap((e) => (e.event === 'job' ? [e] : []))
      expect(jobs).toHaveLength(MODES.length * CONCURRENCY)
      for (const job of jobs) {
        expect(job.tokens).toBe(0)
        expect(job.error).toBe('AllRejectedError')
        expect(job.rejections).toHaveLength(1)
        expect(job.rejections[0]?.reason).toBe('REJECT_REASON_PAYMENT_REQUIRED')
        expect(job.rejections[0]?.message).toMatch(EXPECTED_CAUSE[job.mode])
      }
      const attackIds = jobs.map((j) => j.jobId)
      // the provider logs each refusal before it answers, but its output reaches this process
      // through another pipe than the attacker's, so wait for it rather than read it at once
      const rejected = (id: string) => node.lines.some((l) => l.startsWith(`job-rejected ${id} `))
      await node.until(
        () => attackIds.every(rejected),
        "the provider's job-rejected line of every attack job",
      )
      expect(node.lines.filter((l) => attackIds.some((id) => l.startsWith(`job-accepted ${id} `)))).toEqual(
        [],
      )
      for (const id of attackIds) expect(rejected(id)).toBe(true)

      // the owner: served and paid in full
      const done = events(honest).find((e) => e.event === 'done')
      expect(done).toBeDefined()
      if (done?.event !== 'done') return
      expect(done.completionTokens).toBeGreaterThan(0)
      const billed = BigInt(done.cost)
      expect(BigInt(done.signed)).toBe(billed)
      const finished = node.lines.filter((l) => l.startsWith('job-finished '))
      expect(finished).toHaveLength(1)
      const served = BigInt(/cost=(\d+)/.exec(finished[0] ?? '')?.[1] ?? '-1')
      expect(served).toBe(billed)

      // the provider's own record, once it stopped (its store is single-process): its vouchers
      // cover everything it served on the channel, so nothing was served beyond one window unpaid
      await node.until(
        (ls) => ls.some((l) => l.startsWith(`claimed ${channel} `)),
        `a claim of ${channel} (2 s after the last voucher)`,
      )
      await stop(node.child, 'SIGTERM')
      expect(await node.exited).toEqual({ code: 0, signal: null })
      const earned = await earnings(provider.home)
      expect(earned.channels.map((c) => c.channel)).toEqual([channel])
      const vouchers = BigInt(earned.channels[0]?.vouchers ?? '0')
      expect(vouchers).toBe(served)
      expect(served - vouchers).toBeLessThanOrEqual(CREDIT_WINDOW)
    },
    TEST_TIMEOUT,
  )
})
