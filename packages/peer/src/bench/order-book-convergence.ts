/**
 * Order-book convergence with 100 in-process peers on the memory transport
 * (real libp2p stacks: noise, yamux, kad-dht, gossipsub): the time from a
 * provider publishing a new offer until 99% of peers hold it, and the same
 * for a cancel. Baseline, measured in the same run: the provider reaching
 * every other peer directly (one /cocoon/offers request/response to each, in
 * parallel, dialing where not connected) — a direct-dial broadcast.
 */

import type { CocoonPeer, OfferPublisherService } from '@cocoon-mesh/client/internal'
import { createPeer, fetchOffers } from '@cocoon-mesh/client/internal'
import { errorMessage, reportBench } from '@cocoon-mesh/protocol'

const MODEL = 'bench-model'
const prices = { perKPromptTokens: 100n, perKCompletionTokens: 200n, perTensorGflop: 0n }

export interface ConvergenceBenchOptions {
  peers?: number
  rounds?: number
  heartbeatInterval?: number
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

/** Resolves with ms until `fraction` of `peers` satisfy `holds`, checked on each book change. */
function timeUntil(
  peers: CocoonPeer[],
  fraction: number,
  holds: (p: CocoonPeer) => boolean,
  start: number,
): Promise<number> {
  const need = Math.ceil(peers.length * fraction)
  return new Promise((resolve) => {
    const done = new Set<CocoonPeer>()
    const listeners: Array<() => void> = []
    const check = (peer: CocoonPeer): void => {
      if (done.has(peer) || !holds(peer)) return
      done.add(peer)
      if (done.size >= need) {
        const elapsed = performance.now() - start
        for (const off of listeners) off()
        resolve(elapsed)
      }
    }
    for (const peer of peers) {
      const onChange = (): void => check(peer)
      peer.orderBook.addEventListener('change', onChange)
      listeners.push(() => peer.orderBook.removeEventListener('change', onChange))
      check(peer)
    }
  })
}

export async function orderBookConvergenceBench(options: ConvergenceBenchOptions = {}): Promise<void> {
  const n = options.peers ?? Number(process.env.COCOON_BENCH_PEERS ?? 100)
  const rounds = options.rounds ?? 5
  const heartbeatInterval = options.heartbeatInterval ?? 1000
  const peers: CocoonPeer[] = []
  try {
    await startPeers(peers, n, heartbeatInterval)
    const provider = peers[n - 1] as CocoonPeer
    const publisher = provider.libp2p.services.offerPublisher
    if (publisher === undefined) throw new Error('provider has no offer publisher')
    const others = peers.slice(0, n - 1)
    const providerId = provider.libp2p.peerId.toString()
    // warm-up: wait until nearly everyone holds the provider's first offer (initial sync)
    process.stderr.write(`orderbook bench: ${n} peers started\n`)
    await timeUntil(others, 0.99, (p) => p.orderBook.book.get(providerId) !== undefined, performance.now())
    process.stderr.write('orderbook bench: warm\n')

    const publishTimes: number[] = []
    const cancelTimes: number[] = []
    const directTimes: number[] = []
    for (let r = 0; r < rounds; r++) {
      const round = await convergenceRound(provider, publisher, others)
      publishTimes.push(round.publish)
      cancelTimes.push(round.cancel)
      directTimes.push(round.direct)
    }
    const baseline = median(directTimes)
    reportBench({
      bench: `peer.orderbook.publish-99pct-${n}-peers`,
      value: median(publishTimes),
      unit: 'ms',
      baseline,
      better: 'lower',
    })
    reportBench({
      bench: `peer.orderbook.cancel-99pct-${n}-peers`,
      value: median(cancelTimes),
      unit: 'ms',
      baseline,
      better: 'lower',
    })
  } finally {
    for (const p of peers) {
      await p.stop().catch((error: unknown) => {
        process.stderr.write(`orderbook bench: stopping a peer failed: ${errorMessage(error)}\n`)
      })
    }
  }
}

/**
 * Starts `n` memory-transport peers one after the other, pushing each onto
 * `peers` as it starts (so the caller stops them all, also when a later one
 * fails); the last one provides MODEL.
 */
async function startPeers(peers: CocoonPeer[], n: number, heartbeatInterval: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    // each peer joins through 3 earlier peers (deterministic, sparse)
    const bootstrap =
      i === 0
        ? []
        : [...new Set([0, (i * 7919) % i, i - 1])].map((j) => String(peers[j]?.libp2p.getMultiaddrs()[0]))
    peers.push(
      await createPeer({
        transport: 'memory',
        listen: [`/memory/cocoon-bench-${i}`],
        bootstrap,
        heartbeatInterval,
        models: [MODEL],
        maxConnections: 200,
        ...(i === n - 1 ? { provide: { models: [MODEL], prices } } : {}),
      }),
    )
  }
}

/**
 * One round, in ms: a new offer reaching 99% of `others`, its cancel reaching
 * 99% of them, and the baseline, a direct-dial broadcast to every one of them.
 */
async function convergenceRound(
  provider: CocoonPeer,
  publisher: OfferPublisherService,
  others: CocoonPeer[],
): Promise<{ publish: number; cancel: number; direct: number }> {
  const providerId = provider.libp2p.peerId.toString()
  let start = performance.now()
  const seq = (await publisher.publish()).sequence
  const publish = await timeUntil(
    others,
    0.99,
    (p) => (p.orderBook.book.get(providerId)?.offer.sequence ?? -1n) >= seq,
    start,
  )
  start = performance.now()
  await publisher.cancel()
  const cancel = await timeUntil(others, 0.99, (p) => p.orderBook.book.get(providerId) === undefined, start)
  start = performance.now()
  await directBroadcast(provider, others)
  return { publish, cancel, direct: performance.now() - start }
}

/** The provider dials every other peer and runs one /cocoon/offers request/response with each, in parallel. */
async function directBroadcast(provider: CocoonPeer, others: CocoonPeer[]): Promise<void> {
  await Promise.all(
    others.map((p) => {
      const addr = p.libp2p.getMultiaddrs()[0]
      if (addr === undefined) throw new Error('peer without address')
      const dialer = {
        dialProtocol: (_: unknown, protocols: string | string[], opts?: { signal?: AbortSignal }) =>
          provider.libp2p.dialProtocol(addr, protocols, opts),
      }
      return fetchOffers(dialer, p.libp2p.peerId, MODEL)
    }),
  )
}
