/**
 * A hostile light client in its own process, with its own fresh identity and
 * settlement key, that names another client's payment channel in its jobs
 * and never pays. Per mode it runs `concurrency` jobs at once and reports
 * each one on stdout, one JSON object a line (`AttackerEvent`): the tokens it
 * got and the provider's refusals.
 *
 * Modes, each a way to claim a channel that is not its own:
 * - `unsigned`: the channel address alone, no proof;
 * - `own-key`: a proof honestly signed with the attacker's own key;
 * - `forged`: the victim's client key claimed, signed with the attacker's key.
 *
 * Run: `node test/e2e/adversarial/support/foreign-channel-attacker.ts '<AttackerArgs as JSON>'`
 * (Node 24 strips the types; the packages resolve to their built dist/).
 */
import { randomBytes } from 'node:crypto'
import { AllRejectedError, createLightPeer, type LightPeer } from '@cocoon-mesh/client'
import { type JobRequest, RejectReason } from '@cocoon-mesh/protocol'
import { type ClientPayments, signChannelProof, signingKeyFromSeed } from '@cocoon-mesh/settlement'
import { waitForOffers } from '../../support/offers.ts'

export type AttackMode = 'unsigned' | 'own-key' | 'forged'

export interface AttackerArgs {
  bootstrap: string[]
  model: string
  /** The victim's channel address. */
  channel: string
  /** The victim's channel client key (public, on chain), hex. */
  victimKey: string
  modes: AttackMode[]
  /** Jobs run at once per mode. */
  concurrency: number
}

export type AttackerEvent =
  | { event: 'ready'; peerId: string }
  | { event: 'session-opened'; jobId: string }
  | {
      event: 'job'
      mode: AttackMode
      jobId: string
      tokens: number
      error: string
      rejections: Array<{ reason: string; message: string }>
    }
  | { event: 'done' }
  | { event: 'error'; message: string }

function emit(event: AttackerEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}

const args = JSON.parse(process.argv[2] ?? '{}') as AttackerArgs
const attackerKey = signingKeyFromSeed(randomBytes(32))
const victimKey = Uint8Array.from(Buffer.from(args.victimKey, 'hex'))

/** Client payments that name the victim's channel, prove it as `mode` says, and never sign a voucher. */
function foreignChannel(mode: AttackMode): ClientPayments {
  const authorize: Record<AttackMode, ((r: JobRequest) => JobRequest) | undefined> = {
    unsigned: undefined,
    'own-key': (r) => signChannelProof(r, attackerKey),
    forged: (r) => ({ ...signChannelProof(r, attackerKey), clientKey: victimKey }),
  }
  const sign = authorize[mode]
  return {
    channelFor: async () => args.channel,
    ...(sign === undefined ? {} : { authorize: sign }),
    async openSession(_provider, _payout, _window, jobId) {
      emit({ event: 'session-opened', jobId: jobId ?? '' })
      return {
        channel: args.channel,
        delivered: async () => undefined,
        finish: async () => undefined,
      }
    },
  }
}

/** One job naming the victim's channel: what it got (tokens) and how it was refused. */
async function attackJob(client: LightPeer, mode: AttackMode, jobId: string): Promise<void> {
  let tokens = 0
  try {
    const job = client.generate({ model: args.model, prompt: 'free work please', maxTokens: 64, jobId })
    for await (const chunk of job) tokens += chunk.tokens
    await job.usage
    emit({ event: 'job', mode, jobId, tokens, error: '', rejections: [] })
  } catch (error) {
    const rejections =
      error instanceof AllRejectedError
        ? error.rejections.map((r) => ({
            reason: RejectReason[r.reason] ?? String(r.reason),
            message: r.message,
          }))
        : []
    emit({ event: 'job', mode, jobId, tokens, error: (error as Error).name, rejections })
  }
}

/** `concurrency` jobs at once from one light peer, with this mode's payments. */
async function attack(mode: AttackMode): Promise<void> {
  const client = await createLightPeer({ bootstrap: args.bootstrap, payments: foreignChannel(mode) })
  try {
    // a generous wait: the attack starts with the provider, before its offer has spread
    await waitForOffers(client, args.model, 1, 90_000)
    emit({ event: 'ready', peerId: client.peer.libp2p.peerId.toString() })
    await Promise.all(
      Array.from({ length: args.concurrency }, (_, i) => attackJob(client, mode, `attack-${mode}-${i}`)),
    )
  } finally {
    await client.stop()
  }
}

let exitCode = 0
try {
  for (const mode of args.modes) {
    await attack(mode)
  }
  emit({ event: 'done' })
} catch (error) {
  emit({ event: 'error', message: (error as Error).message })
  exitCode = 1
}
process.exit(exitCode)
