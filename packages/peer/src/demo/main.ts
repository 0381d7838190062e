/**
 * `npm run demo`: a local mesh on 127.0.0.1 — a bootstrap peer, two providers
 * serving a generated tiny GGUF model at different prices, and a light client —
 * runs a few jobs, SIGKILLs the serving provider mid-job to show failover, and
 * prints who served what, at what price and throughput.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JobUsage } from '../jobs/run-job.js'
import { createLightPeer, type LightPeer } from '../sdk/light-peer.js'
import { type LocalMesh, startLocalMesh } from './mesh.js'

const MODEL = 'tiny'
const PRICES = ['1000', '3000'] as const

async function main(): Promise<void> {
  const started = performance.now()
  const home = await mkdtemp(join(tmpdir(), 'cocoon-demo-'))
  let mesh: LocalMesh | undefined
  let client: LightPeer | undefined
  try {
    log(`starting a local mesh in ${home}: 1 bootstrap peer, ${PRICES.length} providers, 1 light client`)
    mesh = await startLocalMesh({ providers: PRICES.map((price) => ({ price, model: MODEL })), home })
    const names = new Map<string, string>()
    mesh.providers.forEach((p, i) => {
      names.set(p.peerId, `provider-${String.fromCharCode(65 + i)} (${PRICES[i]} nanoTON/1k tokens)`)
    })
    log(`bootstrap ${mesh.bootstrap.addrs[0]}`)
    for (const p of mesh.providers) log(`${names.get(p.peerId)} ${p.peerId}`)

    client = await createLightPeer({ bootstrap: mesh.bootstrapAddrs })
    const offers = await waitForOffers(client, PRICES.length)
    log(`order book of the client: ${offers.length} offers for "${MODEL}", best first:`)
    for (const o of offers) {
      log(`  ${names.get(o.providerId) ?? o.providerId}  est. cost ${o.cost} nanoTON for a 256+256-token job`)
    }

    for (const prompt of ['Summarise this channel post', 'Write a haiku about GPUs']) {
      const usage = await runJob(client, prompt, 48, names)
      printUsage(usage, names)
    }

    log('failover: starting a long job and SIGKILLing its provider after 10 tokens')
    const job = client.generate({ model: MODEL, prompt: 'Tell a long story', maxTokens: 400 })
    let tokens = 0
    let killed = false
    const t0 = performance.now()
    for await (const chunk of job) {
      tokens += chunk.tokens
      if (!killed && tokens >= 10) {
        const victim = mesh.providers.find((p) => p.peerId === chunk.providerId)
        log(`  SIGKILL ${names.get(chunk.providerId)} (pid ${victim?.proc.pid}) after ${tokens} tokens`)
        victim?.kill()
        killed = true
      }
    }
    const usage = await job.usage
    log(`  the caller saw one uninterrupted stream of ${tokens} tokens in ${ms(performance.now() - t0)}`)
    printUsage(usage, names)
    log(`demo finished in ${ms(performance.now() - started)}`)
  } finally {
    await client?.stop()
    await mesh?.stop()
    await rm(home, { recursive: true, force: true })
  }
}

async function runJob(
  client: LightPeer,
  prompt: string,
  maxTokens: number,
  names: Map<string, string>,
): Promise<JobUsage> {
  log(`job: "${prompt}" (max ${maxTokens} tokens)`)
  const job = client.generate({ model: MODEL, prompt, maxTokens })
  const t0 = performance.now()
  let first = 0
  let tokens = 0
  for await (const chunk of job) {
    if (tokens === 0) first = performance.now() - t0
    tokens += chunk.tokens
  }
  const usage = await job.usage
  const seconds = (performance.now() - t0) / 1000
  log(
    `  served by ${names.get(usage.parts.at(-1)?.providerId ?? '')}: ${tokens} tokens, first token ${ms(first)}, ${(tokens / seconds).toFixed(0)} tokens/s end to end`,
  )
  return usage
}

function printUsage(usage: JobUsage, names: Map<string, string>): void {
  log(
    `  usage: ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens, cost ${usage.cost} nanoTON, backend ${usage.backend}`,
  )
  for (const part of usage.parts) {
    const seconds = (part.endedAt - part.startedAt) / 1000
    log(
      `    ${part.outcome.padEnd(9)} ${names.get(part.providerId) ?? part.providerId}: ${part.completionTokens} tokens, ${part.cost} nanoTON, ${seconds > 0 ? (part.completionTokens / seconds).toFixed(0) : '-'} tokens/s${part.error !== undefined ? ` [${part.error}]` : ''}`,
    )
  }
}

async function waitForOffers(client: LightPeer, count: number) {
  const deadline = Date.now() + 30_000
  for (;;) {
    const offers = await client.offers(MODEL)
    if (offers.length >= count || Date.now() > deadline) return offers
    await new Promise((r) => setTimeout(r, 200))
  }
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`
}

function log(line: string): void {
  process.stdout.write(`${line}\n`)
}

try {
  await main()
  process.exit(0)
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
}
