/** What a job ends as: done and paid, timed out, provider gone, dial failed; retries and channel settlement. */
import { llmUsageCost, type ProviderOutcome } from '@cocoon-mesh/client/matching'
import { decideClaim, TYPICAL_CLAIM_FEE } from '@cocoon-mesh/settlement'
import { KIND_OVERCLAIM } from './events.js'
import { assign } from './jobs.js'
import { pricesFor } from './market.js'
import type { World } from './world.js'

/** The dial of provider `p` for job `j` timed out: recorded as unreachable (as the real client does), then the next attempt. */
export function dialFailed(world: World, j: number, p: number): void {
  recordOutcome(world, j, p, { type: 'unreachable' })
  retryOrFail(world, j, p, 'unreachable')
}
/**
 * What job `j`'s client learnt of provider `p`, into its observer's real
 * ProviderRecords. A failure or timeout invalidates the cached ranking; a
 * success does not (nearly every event is one, and re-ranking per success
 * would cost O(book) each), the next refresh picks it up.
 */
function recordOutcome(world: World, j: number, p: number, outcome: ProviderOutcome): void {
  const obs = world.observerOf(world.jobClient[j] as number)
  obs.records.record(world.providerIdString[p] as string, outcome)
  if (outcome.type !== 'success') obs.recordsVersion++
}
function release(world: World, j: number): number {
  const p = world.jobProvider[j] as number
  world.releases.get(j)?.()
  world.releases.delete(j)
  world.touchProvider(p)
  world.providerBusy[p] = Math.max(0, (world.providerBusy[p] as number) - 1)
  world.jobProvider[j] = -1
  world.updateAvailability(p)
  return p
}

function retryOrFail(world: World, j: number, p: number, reason: string): void {
  world.jobLastFailed[j] = p
  if (world.jobAttempts[j]! < world.scenario.jobs.maxAttempts) assign(world, j)
  else world.metrics.fail(reason, world.engine.now)
}

export function jobDone(world: World, j: number, epoch: number): void {
  const p = release(world, j)
  const m = world.metrics
  const c = world.jobClient[j] as number
  if (world.providerEpoch[p] !== epoch) {
    // the provider left mid-job: the stream broke
    recordOutcome(world, j, p, { type: 'failure' })
    retryOrFail(world, j, p, 'provider-left')
    return
  }
  const perK = world.jobPriceK[j] as number
  const prices = pricesFor(perK)
  const prompt = world.jobPrompt[j] as number
  const counted = world.jobCompletion[j] as number
  const paid = llmUsageCost(prices, prompt, counted)
  if (world.providerKind[p] === KIND_OVERCLAIM) {
    // the provider reports more completion tokens than it streamed; the client pays for what it counted
    const claimed = Math.ceil(counted * world.scenario.adversaries.overclaim.factor)
    m.overclaimJobs++
    m.overclaimAttemptedNano += Number(llmUsageCost(prices, prompt, claimed) - paid)
  }
  recordOutcome(world, j, p, { type: 'success' })
  world.clientSpent[c] = (world.clientSpent[c] as number) + Number(paid)
  m.paidNano += Number(paid)
  m.jobsOk++
  m.add('jobs_ok', world.engine.now)
  m.add('price_sum', world.engine.now, perK)
  m.add('price_n', world.engine.now)
  settle(world, c, p, paid)
}

export function jobTimeout(world: World, j: number): void {
  const p = release(world, j)
  recordOutcome(world, j, p, { type: 'timeout' })
  world.metrics.stallTimeouts++
  world.jobPriceK[j] = Number.NaN
  retryOrFail(world, j, p, 'timeout')
}

/** One channel per (client, provider): opening it is one on-chain message; claims follow the real claim policy. */
function settle(world: World, c: number, p: number, paid: bigint): void {
  const channels = world.channels
  let slot = channels.find(c, p)
  if (slot < 0) {
    slot = channels.open(c, p, world.now())
    world.metrics.onchainOpens++
  }
  const reason = decideClaim({
    unclaimed: BigInt(channels.pay(slot, Number(paid))),
    lastClaimAt: channels.lastClaimAt(slot),
    now: world.now(),
    exitStarted: false,
    claimFee: TYPICAL_CLAIM_FEE,
  })
  if (reason !== undefined) {
    world.metrics.onchainClaims++
    channels.claimed(slot, world.now())
  }
}

/** End of run: every channel is closed cooperatively (one message carrying the final claim). */
export function closeChannels(world: World): void {
  world.metrics.onchainCloses += world.channels.size
}
