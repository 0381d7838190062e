/**
 * Attack: 1000 correctly signed offers from fresh keys (Sybils), sent over
 * gossip and 200 more over the push protocol to one honest provider, which
 * is connected to a second honest provider. Every peer is its own process
 * over TCP on 127.0.0.1: the honest ones run `support/mesh-node.ts` (the
 * `createPeer` of `cocoon node start`, default limits), the attacker
 * `support/sybil-flooder.ts`.
 *
 * Bounds asserted: the relay accepts and forwards at most the origin limits'
 * worth of Sybils per source group (the new-identity burst plus the
 * per-minute rate over the test's duration); the neighbour never rate-limits
 * or penalises the relay, scores it >= 0 and still gets its fresh offers;
 * both honest offers stay in both books.
 *
 * The attacker dials only the relay, but the neighbour learns of it (identify,
 * the DHT) and may connect to it, so part of the flood can reach the relay
 * through the neighbour first; gossipsub then drops the attacker's own copy
 * as seen. So the flood is counted by Sybil, whoever handed it over, and the
 * bounds are per source group: with peer grouping the neighbour is a source
 * of its own, with subnet grouping every loopback relay shares one.
 *
 * What loopback can and cannot show: every peer here has the IP 127.0.0.1,
 * so all share the subnet 127.0.0.0/24. The rules still separate them as
 * in production because an identity is attributed to `direct:<subnet>` when
 * its own peer hands its offer over and to `via:<subnet>` when a relay does:
 * the honest providers' own offers are direct, the Sybils are always handed
 * over by someone else. What loopback cannot show is two relays in distinct
 * subnets being told apart, or an honest provider sharing nothing with the
 * attacker's subnet; those rules are covered by the unit tests
 * (packages/peer/test/unit/origin-limits.test.ts), which inject the source
 * address into the pure book and validator.
 */
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, type Proc, ProcessGroup } from '../../../test-support/cli-processes.ts'
import type { MeshNodeArgs, MeshNodeEvent, MeshNodeState } from './support/mesh-node.ts'
import type { SybilFlooderArgs } from './support/sybil-flooder.ts'

const MODEL = 'sybil-relay-model'
const GOSSIPED = 1000
const PUSHED = 200
/** The book's defaults (OfferBook): new identities one source may introduce. */
const NEW_PER_SOURCE = { perMinute: 32, burst: 64 }
const NODE = join(import.meta.dirname, 'support/mesh-node.ts')
const FLOODER = join(import.meta.dirname, 'support/sybil-flooder.ts')

/** Generous: two busy cores, three processes each loading libp2p (under the test's own timeout). */
// generous: on a loaded 2-core machine the relay works through the flood slowly
const procs = new ProcessGroup(150_000)

beforeAll(() => buildPeerDist(), 120_000)
afterEach(() => procs.stopAll())

/**
 * The node's newest state. Only that line is parsed: a relay under the flood
 * prints a state line of ~100 KB per heartbeat, and this runs on every new
 * line, so parsing them all would make the wait quadratic and starve the
 * nodes of the CPU they need to work through the flood.
 */
function state(proc: Proc): MeshNodeState | undefined {
  for (let i = proc.lines.length - 1; i >= 0; i--) {
    const line = proc.lines[i] as string
    if (!line.startsWith('{"event":"state"')) continue
    const event = JSON.parse(line) as MeshNodeEvent
    if (event.event === 'state') return event
  }
  return undefined
}

async function startNode(
  name: string,
  args: MeshNodeArgs,
): Promise<{ proc: Proc; peerId: string; addr: string }> {
  const proc = procs.spawn(name, [NODE, JSON.stringify(args)])
  const line = await proc.line(/"event":"ready"/)
  const ready = JSON.parse(line) as { peerId: string; addr: string }
  return { proc, peerId: ready.peerId, addr: ready.addr }
}

/** Resolves once the node's latest state satisfies `condition`. */
function until(proc: Proc, condition: (s: MeshNodeState) => boolean, what: string): Promise<void> {
  return proc.until(() => {
    const s = state(proc)
    return s !== undefined && condition(s)
  }, what)
}

function count(s: MeshNodeState, from: string, prefix = ''): number {
  return Object.entries(s.validated[from] ?? {})
    .filter(([key]) => key.startsWith(prefix))
    .reduce((sum, [, n]) => sum + n, 0)
}

/** `count` summed over every sender. */
function countAll(s: MeshNodeState, prefix: string): number {
  return Object.keys(s.validated).reduce((sum, from) => sum + count(s, from, prefix), 0)
}

/** The Sybils (any provider but the honest ones) in `bySender`, from every sender or grouped by `group`. */
function sybils(
  bySender: Record<string, string[]>,
  honest: readonly string[],
  group: (sender: string) => string = () => '',
): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>()
  for (const [sender, providers] of Object.entries(bySender)) {
    const set = groups.get(group(sender)) ?? new Set<string>()
    for (const id of providers) if (!honest.includes(id)) set.add(id)
    groups.set(group(sender), set)
  }
  return groups
}

/** Every Sybil in `bySender`, whoever handed it over. */
function allSybils(bySender: Record<string, string[]>, honest: readonly string[]): Set<string> {
  return sybils(bySender, honest).get('') ?? new Set()
}

// sources grouped by subnet (the default: on loopback one subnet, told apart by direct/via), or by peer
describe.each<[string, MeshNodeArgs['origin']]>([
  ['sources grouped by subnet', undefined],
  ['sources grouped by peer', { grouping: 'peer' }],
])('a Sybil flood through an honest relay, %s', (_, origin) => {
  it('is bounded at the relay by origin limits, and the relay keeps its standing with its neighbour', async () => {
    const limits = origin === undefined ? {} : { origin }
    // the relay republishes every 6 s (under its own 12 a minute), so its fresh offers keep reaching the neighbour
    const relay = await startNode('relay', {
      model: MODEL,
      bootstrap: [],
      provide: true,
      offerTtlMs: 12_000,
      ...limits,
    })
    const neighbour = await startNode('neighbour', {
      model: MODEL,
      bootstrap: [relay.addr],
      provide: true,
      ...limits,
    })
    const honest = [relay.peerId, neighbour.peerId]
    for (const node of [relay, neighbour])
      await until(
        node.proc,
        (s) => honest.every((id) => id in s.book),
        "both honest offers in the node's book",
      )
    const relaySequenceBefore = BigInt(state(neighbour.proc)?.book[relay.peerId] ?? '0')

    const started = Date.now()
    const args: SybilFlooderArgs = { model: MODEL, target: relay.addr, gossip: GOSSIPED, push: PUSHED }
    const flooder = procs.spawn('flooder', [FLOODER, JSON.stringify(args)])
    const attacker = (JSON.parse(await flooder.line(/"event":"ready"/)) as { peerId: string }).peerId
    const sent = JSON.parse(await flooder.line(/"event":"sent"/)) as { pushed: number }
    expect(sent.pushed).toBe(PUSHED)
    await until(
      relay.proc,
      (s) => allSybils(s.seenFrom, honest).size >= GOSSIPED + PUSHED,
      'the relay validating the whole flood',
    )

    // what the relay accepted is what it relays: the neighbour has all of it, from the relay or the attacker
    const acceptedAtRelay = [...allSybils((state(relay.proc) as MeshNodeState).acceptedFrom, honest)]
    await until(
      neighbour.proc,
      (s) => {
        const seen = allSybils(s.seenFrom, honest)
        return acceptedAtRelay.every((id) => seen.has(id))
      },
      'every Sybil the relay accepted validated at the neighbour',
    )
    // and the relay's own offer keeps arriving, republished after the flood
    await until(
      neighbour.proc,
      (s) => BigInt(s.book[relay.peerId] ?? '0') > relaySequenceBefore,
      "a fresh offer of the relay in the neighbour's book",
    )
    const relayState = state(relay.proc) as MeshNodeState
    const n = state(neighbour.proc) as MeshNodeState
    const minutes = (Date.now() - started) / 60_000
    const bound = NEW_PER_SOURCE.burst + Math.ceil(NEW_PER_SOURCE.perMinute * minutes)
    const sourceOf = (sender: string): string => (origin === undefined ? 'via:127.0.0.0/24' : sender)

    // the relay took at most the origin limits' worth from each source, and ignored the rest without rejecting it
    const acceptedBySource = sybils(relayState.acceptedFrom, honest, sourceOf)
    for (const [source, accepted] of acceptedBySource)
      expect(accepted.size, `Sybils the relay accepted from ${source}`).toBeLessThanOrEqual(bound)
    const accepted = allSybils(relayState.acceptedFrom, honest)
    expect(accepted.size).toBeGreaterThan(0)
    expect(count(relayState, attacker)).toBeGreaterThan(0)
    expect(countAll(relayState, 'reject:')).toBe(0)
    expect(countAll(relayState, 'ignore:source-rate-limited')).toBeGreaterThanOrEqual(
      GOSSIPED + PUSHED - accepted.size,
    )
    const sybilsInRelayBook = Object.keys(relayState.book).filter((id) => !honest.includes(id))
    expect(sybilsInRelayBook.every((id) => accepted.has(id))).toBe(true)

    // the neighbour got at most one source's worth from the relay, and never blamed it
    const relayedSybils = (n.seenFrom[relay.peerId] ?? []).filter((id) => !honest.includes(id))
    expect(relayedSybils.length).toBeLessThanOrEqual(bound)
    expect(relayedSybils.every((id) => accepted.has(id))).toBe(true)
    expect(count(n, relay.peerId, 'ignore:rate-limited')).toBe(0)
    expect(count(n, relay.peerId, 'reject:')).toBe(0)
    expect(n.penalties[relay.peerId] ?? 0).toBe(0)
    expect(n.scores[relay.peerId]).toBeGreaterThanOrEqual(0)

    // the honest providers' offers are in every honest book
    for (const node of [relay, neighbour]) {
      const book = (state(node.proc) as MeshNodeState).book
      for (const id of honest) expect(book).toHaveProperty(id)
    }
  }, 400_000)
})
