import { KIND_HONEST, KIND_OVERCLAIM, KIND_SPAM, KIND_STALL, KIND_SYBIL } from './events.js'
import { ranking } from './market.js'
import type { World } from './world.js'

/**
 * Provider pricing strategies (agent behaviour, not market rules):
 * - fixed: a constant price;
 * - undercut: at each republish, price just below the cheapest other offer
 *   the provider's nearest order book holds, never under `floor`;
 * - utilisation: `base × (1 + sensitivity × (utilisation − target))` from the
 *   provider's busy share since its last republish, clamped to [min, max].
 *
 * Attackers keep the price of their population (`adversaries.*.price`).
 */
export function initialPrice(world: World, p: number): number {
  const kind = world.providerKind[p]
  if (kind !== KIND_HONEST) return attackerPrice(world, kind as number)
  const strategy = world.scenario.providers[world.providerGroup[p] as number]?.strategy
  if (strategy === undefined) return 1
  switch (strategy.type) {
    case 'fixed':
      return strategy.price
    case 'undercut':
      return strategy.start * (0.9 + 0.2 * world.rng.market.next())
    case 'utilisation':
      return strategy.base
  }
}

export function repriced(world: World, p: number): number {
  const s = world.scenario
  const group = s.providers[world.providerGroup[p] as number]
  const current = world.providerPrice[p] as number
  if (world.providerKind[p] !== KIND_HONEST) return current
  const strategy = group?.strategy
  if (strategy === undefined || strategy.type === 'fixed') return current
  if (strategy.type === 'utilisation') {
    world.touchProvider(p)
    const elapsed = world.engine.now - (world.providerUtilMark[p] as number)
    const util = elapsed > 0 ? Math.min(1, utilSince(world, p) / elapsed) : 0
    world.providerUtilMark[p] = world.engine.now
    const price = strategy.base * (1 + strategy.sensitivity * (util - strategy.target))
    return Math.min(strategy.max, Math.max(strategy.min, price))
  }
  // undercut: the cheapest other offer in the nearest observer's ranking (the real rankOffers), per served model
  const region = world.peers.region[world.providerPeer[p] as number] as number
  const obs = world.observers.find((o) => o.region === region) ?? world.observers[0]
  if (obs === undefined) return current
  let cheapest = Number.POSITIVE_INFINITY
  for (const m of group?.models ?? []) {
    const cache = ranking(world, obs, m)
    for (let i = 0; i < cache.provider.length; i++) {
      if (
        cache.provider[i] === p ||
        world.peers.online[world.providerPeer[cache.provider[i] as number] as number] !== 1
      )
        continue
      const price = Number(cache.ranked[i]?.prices.perKCompletionTokens ?? 0n)
      if (price > 0 && price < cheapest) cheapest = price
      break
    }
  }
  if (cheapest === Number.POSITIVE_INFINITY || current < cheapest) return current
  return Math.max(strategy.floor, cheapest * (1 - strategy.step))
}

/** An attacker's price is its population's (fixed for the run); a Sybil draws a whole price in [0, maxPrice]. */
function attackerPrice(world: World, kind: number): number {
  const adv = world.scenario.adversaries
  switch (kind) {
    case KIND_STALL:
      return adv.stall.price
    case KIND_OVERCLAIM:
      return adv.overclaim.price
    case KIND_SPAM:
      return adv.spam.price
    case KIND_SYBIL:
      return Math.round(world.rng.market.next() * adv.sybil.maxPrice)
    default:
      return 1
  }
}

/** Busy ms of provider p since its last utilisation mark (uses a per-provider snapshot). */
function utilSince(world: World, p: number): number {
  const total = world.providerBusyMs[p] as number
  const snap = world.utilSnapshot[p] as number
  world.utilSnapshot[p] = total
  return (total - snap) / Math.max(1, world.providerMaxConc[p] as number)
}
