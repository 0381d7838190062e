/**
 * `npm run demo`: a local mesh on 127.0.0.1 — a bootstrap peer, two providers
 * serving a generated tiny GGUF model at different prices, a light client and
 * a local TON devnet — runs a few jobs paid per chunk through payment
 * channels, SIGKILLs the serving provider mid-job to show failover, restarts it
 * from its home to show it loses no voucher, and prints who served what, at
 * what price and throughput, and what reached the chain. `--serve` instead
 * keeps a mesh up for a web page (see serve.ts); `--page <url>` names the page.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { JobUsage, RankedOffer } from '@cocoon-mesh/client/internal'
import { channelLookup, createLightPeer, type LightPeer } from '@cocoon-mesh/client/internal'
import { clientPayments } from '@cocoon-mesh/settlement'
import { openVoucherStore } from '@cocoon-mesh/settlement/node'
import { fromNano, toNano } from '@ton/core'
import { channelTotals, type DemoChain, openChannelTo, startDemoChain } from './chain.js'
import { type LocalMesh, type MeshNode, startLocalMesh, startMeshNode } from './mesh.js'
import { serveDemoMesh } from './serve.js'

/** Where `npm run miniapp` serves the example page by default. */
const DEFAULT_PAGE = 'http://127.0.0.1:8000/'

const MODEL = 'tiny'
/** nanoTON per 1000 prompt or completion tokens: 1 TON and 3 TON. */
const PRICES = [toNano('1'), toNano('3')] as const
const DEPOSIT = toNano('5')

type ChannelTotals = Awaited<ReturnType<typeof channelTotals>>

/** What the demo started so far: `stopAll` stops each of them, whatever step failed. */
interface Running {
  chain?: DemoChain
  mesh?: LocalMesh
  restarted?: MeshNode
  client?: LightPeer
}

async function main(): Promise<void> {
  const started = performance.now()
  const home = await mkdtemp(join(tmpdir(), 'cocoon-demo-'))
  const running: Running = {}
  try {
    log(`starting in ${home}: a TON devnet, 1 bootstrap peer, ${PRICES.length} providers, 1 light client`)
    const providerHomes = PRICES.map((_, i) => join(home, `provider-${i}`))
    const chain = await startDemoChain(join(home, 'client'), providerHomes)
    running.chain = chain
    log(`devnet (@ton/sandbox behind the toncenter API) at ${chain.devnet.endpoint}`)
    const providerConfigs = PRICES.map((price) => ({
      price: price.toString(),
      model: MODEL,
      chainEndpoint: chain.devnet.endpoint,
    }))
    const mesh = await startLocalMesh({ providers: providerConfigs, home })
    running.mesh = mesh
    const names = providerNames(mesh)
    printMesh(mesh, names)
    const client = await startClient(chain, mesh)
    running.client = client
    const channels = await openChannels(chain, await showOrderBook(client, names), names)
    for (const prompt of ['Summarise this channel post', 'Write a haiku about GPUs']) {
      const usage = await runJob(client, prompt, 48, names)
      printUsage(usage, names)
    }
    const victim = await failoverJob(client, mesh, names)
    if (victim !== undefined) {
      const index = mesh.providers.indexOf(victim)
      log(
        `restarting ${names.get(victim.peerId)} from its home (its wallet and voucher store survive a SIGKILL; it claims what is still unclaimed)`,
      )
      running.restarted = await startMeshNode({
        role: 'provider',
        bootstrap: mesh.bootstrapAddrs,
        home: providerHomes[index] ?? '',
        ...providerConfigs[index],
      })
      await running.restarted.waitForLog((line) => line.startsWith('claim-pass'))
    }
    await settle({ chain, mesh, restarted: running.restarted, channels, providerHomes, names })
    log(`demo finished in ${ms(performance.now() - started)}`)
  } finally {
    await stopAll(running)
    await rm(home, { recursive: true, force: true })
  }
}

async function stopAll(running: Running): Promise<void> {
  await running.client?.stop()
  await running.restarted?.stop()
  await running.mesh?.stop()
  await running.chain?.stop()
}

/** "provider-A (1 TON/1k tokens)" and so on, by peer id, in the order of PRICES. */
function providerNames(mesh: LocalMesh): Map<string, string> {
  const names = new Map<string, string>()
  mesh.providers.forEach((p, i) => {
    names.set(
      p.peerId,
      `provider-${String.fromCharCode(65 + i)} (${fromNano(PRICES[i] ?? 0n)} TON/1k tokens)`,
    )
  })
  return names
}

function printMesh(mesh: LocalMesh, names: Map<string, string>): void {
  log(`bootstrap ${mesh.bootstrap.addrs[0]}`)
  for (const p of mesh.providers) log(`${names.get(p.peerId)} ${p.peerId}, payout ${p.payoutAddress}`)
}

/** A light client joining through the mesh's bootstrap peer, paying from the demo chain's client wallet. */
function startClient(chain: DemoChain, mesh: LocalMesh): Promise<LightPeer> {
  const { store, wallet } = chain.client
  return createLightPeer({
    bootstrap: mesh.bootstrapAddrs,
    payments: clientPayments({
      store,
      key: wallet.signingKey,
      channelFor: channelLookup({ store, chain: chain.client.chain }),
    }),
  })
}

/** Waits for every provider's offer and prints the client's order book, best first. */
async function showOrderBook(client: LightPeer, names: Map<string, string>): Promise<RankedOffer[]> {
  const offers = await waitForOffers(client, PRICES.length)
  log(`order book of the client: ${offers.length} offers for "${MODEL}", best first:`)
  for (const o of offers) {
    log(`  ${names.get(o.providerId) ?? o.providerId}  est. cost ${ton(o.cost)} for a 256+256-token job`)
  }
  return offers
}

/** Opens a DEPOSIT channel to each offer's payout address; returns channel addresses by provider peer id. */
async function openChannels(
  chain: DemoChain,
  offers: RankedOffer[],
  names: Map<string, string>,
): Promise<Map<string, string>> {
  log(
    `client ${chain.client.wallet.address}: opening a ${fromNano(DEPOSIT)} TON channel to each provider's payout address`,
  )
  const channels = new Map<string, string>()
  for (const o of offers) {
    const channel = await openChannelTo(chain, o, DEPOSIT)
    channels.set(o.providerId, channel)
    log(`  ${names.get(o.providerId)}: channel ${channel}`)
  }
  return channels
}

/** Runs a long job and SIGKILLs the provider serving it after 10 tokens; returns that provider. */
async function failoverJob(
  client: LightPeer,
  mesh: LocalMesh,
  names: Map<string, string>,
): Promise<MeshNode | undefined> {
  log('failover: starting a long job and SIGKILLing its provider after 10 tokens')
  const job = client.generate({ model: MODEL, prompt: 'Tell a long story', maxTokens: 400 })
  let tokens = 0
  let victim: MeshNode | undefined
  const t0 = performance.now()
  for await (const chunk of job) {
    tokens += chunk.tokens
    if (victim === undefined && tokens >= 10) {
      victim = mesh.providers.find((p) => p.peerId === chunk.providerId)
      log(`  SIGKILL ${names.get(chunk.providerId)} (pid ${victim?.proc.pid}) after ${tokens} tokens`)
      victim?.kill()
    }
  }
  const usage = await job.usage
  log(`  the caller saw one uninterrupted stream of ${tokens} tokens in ${ms(performance.now() - t0)}`)
  printUsage(usage, names)
  return victim
}

/**
 * Waits for the running providers' claims (their 1 s timer), stops them, and
 * prints per channel what the client signed, the provider holds and the chain
 * paid out.
 */
async function settle(options: {
  chain: DemoChain
  mesh: LocalMesh
  restarted: MeshNode | undefined
  channels: Map<string, string>
  providerHomes: string[]
  names: Map<string, string>
}): Promise<void> {
  const { chain, mesh, restarted, channels, providerHomes, names } = options
  const totals = new Map<string, ChannelTotals>()
  for (const [providerId, channel] of channels) totals.set(providerId, await waitForClaims(chain, channel))
  // a provider's voucher store is read once its process has closed it; its last claim lines
  // (a claim that lands while it stops) are read after that too
  await restarted?.stop()
  await mesh.stop()
  const claimLines = [...mesh.providers, ...(restarted === undefined ? [] : [restarted])].flatMap(
    (n) => n.logs,
  )
  log('settlement: signed off chain by the client, held by each provider, claimed on chain')
  for (const [providerId, channel] of channels) {
    const t = totals.get(providerId)
    const index = mesh.providers.findIndex((p) => p.peerId === providerId)
    const held = await heldVoucher(join(providerHomes[index] ?? '', 'settlement'), channel)
    if (t === undefined) continue
    const claims = claimLines.filter((l) => l.startsWith(`claimed ${channel} `)).length
    printChannelSettlement(names.get(providerId) ?? providerId, t, held, claims)
  }
  log(
    '  (a provider risks the tokens it serves within its credit window before a voucher covers them: the killed one served some and no voucher pays for them)',
  )
}

function printChannelSettlement(name: string, t: ChannelTotals, held: bigint, claims: number): void {
  log(
    `  ${name}: signed ${ton(t.signed)}, held ${ton(held)}, claimed ${ton(t.claimed)} in ${claims} on-chain message(s); ${ton(t.deposit - t.claimed)} of the deposit left`,
  )
  if (t.signed > held)
    log(
      `    ${ton(t.signed - held)} of vouchers were in flight when it died: signed, never received, never claimable; it stays in the client's deposit`,
    )
  if (held > t.claimed)
    log(`    ${ton(held - t.claimed)} held but not claimed yet: its next claim pass takes it`)
}

/** Waits (up to 5 s) until the provider claimed everything the client signed through `channel`. */
async function waitForClaims(chain: DemoChain, channel: string): ReturnType<typeof channelTotals> {
  const deadline = Date.now() + 5_000
  for (;;) {
    const totals = await channelTotals(chain, channel)
    if (totals.claimed >= totals.signed || Date.now() > deadline) return totals
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** The newest voucher a (stopped) provider's store holds for `channel`. */
async function heldVoucher(storePath: string, channel: string): Promise<bigint> {
  const store = await openVoucherStore(storePath)
  try {
    return (await store.providerChannel(channel))?.newest ?? 0n
  } finally {
    await store.close()
  }
}

function ton(nano: bigint): string {
  return `${fromNano(nano)} TON`
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
    `  usage: ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens, cost ${ton(usage.cost)}, backend ${usage.backend}`,
  )
  for (const part of usage.parts) {
    const seconds = (part.endedAt - part.startedAt) / 1000
    log(
      `    ${part.outcome.padEnd(9)} ${names.get(part.providerId) ?? part.providerId}: ${part.completionTokens} tokens, ${ton(part.cost)}, ${seconds > 0 ? (part.completionTokens / seconds).toFixed(0) : '-'} tokens/s${part.error !== undefined ? ` [${part.error}]` : ''}`,
    )
  }
}

async function waitForOffers(client: LightPeer, count: number): Promise<RankedOffer[]> {
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
  const { values } = parseArgs({
    options: { serve: { type: 'boolean', default: false }, page: { type: 'string', default: DEFAULT_PAGE } },
  })
  if (values.serve) await serveDemoMesh(values.page)
  else await main()
  process.exit(0)
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
}
