import { readFileSync } from 'node:fs'
import type { JobUsage } from '@cocoon-mesh/client/internal'
import {
  type ChannelPayments,
  channelPayments,
  createLightPeer,
  servedTier,
  tierName,
  trustLabel,
} from '@cocoon-mesh/client/internal'
import type { JsonSchema } from '@cocoon-mesh/gpu-runtime'
import { TrustTier } from '@cocoon-mesh/protocol'
import { resolveHome } from '@cocoon-mesh/settlement/node'
import { type Command, InvalidArgumentError } from 'commander'
import { loadConfigFile } from '../../home/config.js'
import { clientTrust } from '../node-attestation.js'
import { parseTrustTier } from '../node-options.js'
import type { RegisterCommand } from './index.js'

interface RunOptions {
  model: string
  prompt: string
  maxPrice?: string
  maxTokens: string
  bootstrap?: string[]
  timeout: string
  usage?: boolean
  pay?: boolean
  channel?: string
  home?: string
  chainEndpoint?: string
  stop?: string[]
  jsonSchema?: JsonSchema
  trustTier: TrustTier
}

/** commander parser of `--json-schema FILE`: the file's JSON schema object, or commander's usage error. */
function readJsonSchema(file: string): JsonSchema {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new InvalidArgumentError(`could not read a JSON schema from ${file}: ${String(error)}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArgumentError(`${file} holds no JSON schema object`)
  return parsed as JsonSchema
}

/** The usage `--usage` prints: totals, the tier that served the job, and each part with its provider and tier. */
export function usageReport(usage: JobUsage): Record<string, unknown> {
  return {
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    cost: usage.cost.toString(),
    backend: usage.backend,
    finishReason: usage.finishReason,
    trustTier: servedTier(usage),
    parts: usage.parts.map((p) => ({
      provider: p.providerId,
      ...(p.via === undefined ? {} : { via: p.via }),
      outcome: p.outcome,
      trustTier: tierName(p.tier),
      trust: trustLabel(p.trust),
      completionTokens: p.completionTokens,
      cost: p.cost.toString(),
      perKCompletionTokens: p.price.perKCompletionTokens.toString(),
    })),
  }
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** `cocoon run --model M --prompt "..."`: one job as a light peer, output streamed to stdout. */
export const registerRun: RegisterCommand = (program: Command) => {
  program
    .command('run')
    .description('run one LLM job on the mesh as a light peer and stream the output to stdout')
    .requiredOption('--model <model>', 'model to run')
    .requiredOption('--prompt <text>', 'prompt text')
    .option('--max-price <nanoton>', 'most to pay per 1000 tokens, nanoTON')
    .option('--max-tokens <n>', 'most completion tokens', '128')
    .option('--bootstrap <multiaddr>', 'peer to join through (repeatable)', collect)
    .option('--timeout <ms>', 'give up after this long', '60000')
    .option('--usage', 'print usage, the finish reason, who served the job and at which trust tier to stderr')
    .option('--stop <text>', 'end the output before this text (repeatable, at most 4)', collect)
    .option(
      '--json-schema <file>',
      'constrain the output to JSON valid against the schema in this file',
      readJsonSchema,
    )
    .option(
      '--trust-tier <tier>',
      'least trust tier: open, or attested (a TEE quote this client verified against its attestation config)',
      parseTrustTier,
      TrustTier.TRUST_TIER_UNSPECIFIED,
    )
    .option('--pay', 'pay through an open payment channel to the provider (from `cocoon channel open`)')
    .option('--channel <address>', 'pay through this payment channel only (implies --pay)')
    .option('--home <dir>', 'home folder with the wallet and channels (default $COCOON_HOME or ~/.cocoon)')
    .option(
      '--chain-endpoint <url>',
      'toncenter v2 endpoint (default $COCOON_TON_ENDPOINT or the local devnet)',
    )
    .action(async (opts: RunOptions) => {
      // vouchers from the client's settlement store (single-process: one command at a time)
      const paid: ChannelPayments | undefined =
        opts.pay === true || opts.channel !== undefined
          ? await channelPayments({
              ...(opts.home !== undefined ? { home: opts.home } : {}),
              ...(opts.chainEndpoint !== undefined ? { endpoint: opts.chainEndpoint } : {}),
              ...(opts.channel !== undefined ? { channel: opts.channel } : {}),
            })
          : undefined
      const home = resolveHome(opts.home)
      const client = await createLightPeer({
        trust: await clientTrust(home, (await loadConfigFile(home)).attestation),
        ...(opts.bootstrap !== undefined ? { bootstrap: opts.bootstrap } : {}),
        ...(paid !== undefined ? { payments: paid.payments } : {}),
      }).catch(async (error: unknown) => {
        await paid?.close()
        throw error
      })
      const controller = new AbortController()
      const onSignal = (): void => controller.abort()
      process.once('SIGINT', onSignal)
      const timer = setTimeout(() => controller.abort(), Number(opts.timeout))
      try {
        await waitForPeers(client.peer.libp2p, opts.bootstrap?.length ?? 0)
        const job = client.generate({
          model: opts.model,
          prompt: opts.prompt,
          maxTokens: Number(opts.maxTokens),
          ...(opts.stop !== undefined ? { stop: opts.stop } : {}),
          ...(opts.jsonSchema !== undefined
            ? { responseFormat: { type: 'json_schema' as const, schema: opts.jsonSchema } }
            : {}),
          ...(opts.maxPrice !== undefined ? { maxPrice: BigInt(opts.maxPrice) } : {}),
          deadline: Date.now() + Number(opts.timeout),
          minTrustTier: opts.trustTier,
          signal: controller.signal,
        })
        for await (const chunk of job) process.stdout.write(chunk.text)
        process.stdout.write('\n')
        const usage = await job.usage
        if (opts.usage === true) process.stderr.write(`${JSON.stringify(usageReport(usage))}\n`)
      } finally {
        clearTimeout(timer)
        process.off('SIGINT', onSignal)
        await stopWithin(client, STOP_LIMIT_MS)
        await paid?.close()
      }
    })
}

/** How long `cocoon run` waits for its light peer to stop once the job is over. */
const STOP_LIMIT_MS = 5000

/**
 * Stops the light peer, waiting at most `limitMs`. The limit is a timer that
 * keeps the process alive: libp2p's own close timers do not, so a connection
 * whose close never completes (seen after a relay restart) let Node end the
 * process in the middle of the stop with exit code 13 after a served job.
 */
async function stopWithin(client: { stop(o: { signal: AbortSignal }): Promise<unknown> }, limitMs: number) {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), limitMs)
  try {
    await client.stop({ signal: controller.signal })
  } catch (error) {
    if (!controller.signal.aborted) throw error
    process.stderr.write(`cocoon: the light peer did not stop within ${limitMs} ms; exiting without it\n`)
  } finally {
    clearTimeout(timer)
  }
}

/** Waits until the node is connected to at least one bootstrap peer (or none are configured). */
async function waitForPeers(
  libp2p: { getConnections(): unknown[]; addEventListener(t: 'peer:connect', f: () => void): void },
  expected: number,
): Promise<void> {
  if (expected === 0 || libp2p.getConnections().length > 0) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000)
    libp2p.addEventListener('peer:connect', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
