import type { Rng } from '../engine/prng.js'

/**
 * The latency model: a one-way base latency per pair of regions (a matrix in
 * ms), plus jitter drawn from an exponential with mean `jitter × base`, so a
 * link is never faster than its base and has a long right tail like real
 * queues. Loss is a per-message probability.
 */
export interface LatencyModel {
  /** One-way base latency in ms, `matrix[from][to]`. */
  readonly matrix: readonly (readonly number[])[]
  /** Mean jitter as a fraction of the base latency. */
  readonly jitter: number
  /** Probability that one message is lost. */
  readonly loss: number
}

/** One-way base latency between two regions, ms: the least a message can take (jitter only adds). */
export function baseLatency(model: LatencyModel, from: number, to: number): number {
  return model.matrix[from]?.[to] ?? 0
}

/** One-way delay of one message between two regions, ms. */
export function oneWay(model: LatencyModel, rng: Rng, from: number, to: number): number {
  const base = baseLatency(model, from, to)
  return model.jitter > 0 && base > 0 ? base + rng.exp(base * model.jitter) : base
}

/** Round-trip time of one request/response, ms. */
export function roundTrip(model: LatencyModel, rng: Rng, from: number, to: number): number {
  return oneWay(model, rng, from, to) + oneWay(model, rng, to, from)
}

/**
 * A request/response that retransmits when lost: each lost attempt costs a
 * retransmission timeout (`rtoMs`, at least twice the RTT) before the next.
 */
export function reliableRoundTrip(
  model: LatencyModel,
  rng: Rng,
  from: number,
  to: number,
  rtoMs: number,
): { ms: number; retransmits: number } {
  let ms = 0
  let retransmits = 0
  while (model.loss > 0 && rng.chance(model.loss) && retransmits < 8) {
    ms += Math.max(rtoMs, 2 * roundTrip(model, rng, from, to))
    retransmits++
  }
  return { ms: ms + roundTrip(model, rng, from, to), retransmits }
}

/** Time to stream `bytes` over a link of `mbps` megabits per second, ms. */
export function transferMs(bytes: number, mbps: number): number {
  if (bytes <= 0) return 0
  if (!(mbps > 0)) return Number.POSITIVE_INFINITY
  return (bytes * 8) / (mbps * 1000)
}
