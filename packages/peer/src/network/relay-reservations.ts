/**
 * Reserves slots on the relays this node meets. A node behind NAT listens on
 * `/<relay>/p2p/<id>/p2p-circuit` for up to `count` connected peers that
 * identify as circuit-relay v2 servers, so peers reach it through them.
 *
 * Not libp2p's bare `/p2p-circuit` listen address: its relay search keeps a
 * random walk running until it holds every reservation it wants, and with
 * fewer relays in the mesh than that the walk finds the same connected peers
 * every few milliseconds and spins a core. Here a relay is taken when it
 * shows up, and nothing runs in between.
 */

import { errorLine } from '@cocoon-mesh/protocol'
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import type {
  ComponentLogger,
  IdentifyResult,
  Libp2pEvents,
  Logger,
  PeerId,
  Startable,
  TypedEventTarget,
} from '@libp2p/interface'
import type { ConnectionManager, TransportManager } from '@libp2p/interface-internal'
import { CODE_P2P, type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'

export interface RelayReservationsInit {
  /** Relays to hold a reservation on. */
  count: number
}

/** The first redial of a relay whose connection closed, ms; each failure doubles it up to REDIAL_MAX_MS. */
export const REDIAL_FIRST_MS = 1000
export const REDIAL_MAX_MS = 60_000
/** How long one redial may take. */
const REDIAL_TIMEOUT_MS = 10_000

export interface RelayReservationsComponents {
  events: TypedEventTarget<Libp2pEvents>
  transportManager: TransportManager
  connectionManager: Pick<ConnectionManager, 'openConnection'>
  logger: ComponentLogger
}

export interface RelayReservationsEvents {
  /** A relay gave no reservation (refused, full, unreachable): `error` says why. */
  'reservation:failed': CustomEvent<{ relay: string; error: string }>
}

/** Holds reservations on up to `count` relays; see the module comment. */
export class RelayReservationsService
  extends TypedEventEmitter<RelayReservationsEvents>
  implements Startable
{
  readonly #components: RelayReservationsComponents
  readonly #count: number
  readonly #log: Logger
  /** Relays reserved on, or being asked. */
  readonly #relays = new Set<string>()
  /** Relays lost with their connection, waiting to be dialled again. */
  readonly #redials = new Map<string, ReturnType<typeof setTimeout>>()
  #running = false

  constructor(components: RelayReservationsComponents, init: RelayReservationsInit) {
    super()
    this.#components = components
    this.#count = init.count
    this.#log = components.logger.forComponent('cocoon:relay-reservations')
  }

  readonly [Symbol.toStringTag] = 'cocoon/relay-reservations'

  /** The relays this node holds (or is asking for) a reservation on. */
  get relays(): ReadonlySet<string> {
    return this.#relays
  }

  async start(): Promise<void> {
    this.#running = true
    this.#components.events.addEventListener('peer:identify', this.#onIdentify)
    this.#components.events.addEventListener('peer:disconnect', this.#onDisconnect)
  }

  async stop(): Promise<void> {
    this.#running = false
    this.#components.events.removeEventListener('peer:identify', this.#onIdentify)
    this.#components.events.removeEventListener('peer:disconnect', this.#onDisconnect)
    for (const timer of this.#redials.values()) clearTimeout(timer)
    this.#redials.clear()
  }

  /**
   * A reservation lives on its connection to the relay: once that is gone the
   * slot is free for the next relay that identifies, and the lost relay is
   * dialled again (a relay restarting must not leave this node unreachable;
   * libp2p's own redial of kept-alive peers loses the race with the
   * reservation store dropping the relay's tag).
   */
  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    const relay = event.detail.toString()
    if (!this.#relays.delete(relay)) return
    this.#log('the connection to relay %s closed; its reservation is gone', relay)
    this.#redial(event.detail, 0)
  }

  /** Dials `relay` again after a growing pause, until it answers or the slot is taken by another relay. */
  #redial(relay: PeerId, attempt: number): void {
    const key = relay.toString()
    if (!this.#running || this.#relays.size >= this.#count || this.#redials.has(key)) return
    const pause = Math.min(REDIAL_MAX_MS, REDIAL_FIRST_MS * 2 ** attempt)
    const timer = setTimeout(() => {
      this.#redials.delete(key)
      if (!this.#running || this.#relays.has(key) || this.#relays.size >= this.#count) return
      // once connected, its identify brings the reservation (#onIdentify)
      this.#components.connectionManager
        .openConnection(relay, { signal: AbortSignal.timeout(REDIAL_TIMEOUT_MS) })
        .then(
          () => this.#log('relay %s dialled again', key),
          (error: unknown) => {
            this.#log.error('dialling relay %s again failed (attempt %d) - %e', key, attempt + 1, error)
            this.#redial(relay, attempt + 1)
          },
        )
    }, pause)
    timer.unref?.()
    this.#redials.set(key, timer)
  }

  readonly #onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, connection } = event.detail
    const relay = peerId.toString()
    if (!this.#running || this.#relays.size >= this.#count || this.#relays.has(relay)) return
    // a relay reached through another relay cannot carry this node's circuit
    if (!protocols.includes(RELAY_V2_HOP_CODEC) || connection.limits !== undefined) return
    this.#relays.add(relay)
    const address = multiaddr(`${connection.remoteAddr.decapsulateCode(CODE_P2P)}/p2p/${relay}/p2p-circuit`)
    // one reservation at a time: libp2p's reservation store left a second one asked for while the
    // first was in flight waiting (seen with two relays met at once)
    this.#chain = this.#chain.then(() => this.#reserve(relay, address))
  }

  #chain: Promise<void> = Promise.resolve()

  async #reserve(relay: string, address: Multiaddr): Promise<void> {
    if (!this.#running) return
    this.#log('reserving a slot on relay %a', address)
    try {
      await this.#components.transportManager.listen([address])
    } catch (error) {
      // refused (full, or it stopped serving) or unreachable: another relay may take its place
      this.#relays.delete(relay)
      this.#log.error('relay %s gave no reservation - %e', relay, error)
      this.safeDispatchEvent('reservation:failed', { detail: { relay, error: errorLine(error) } })
    }
  }
}

/** The relay reservations factory (js-libp2p style). */
export function relayReservations(
  init: RelayReservationsInit,
): (components: RelayReservationsComponents) => RelayReservationsService {
  return (components) => new RelayReservationsService(components, init)
}
