import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isErrno } from './errno.js'
import { NodeNotRunningError } from './errors.js'

/** File a running node rewrites (atomically) every few seconds and removes on clean shutdown. */
export const STATE_FILE = 'node-state.json'

/** What `cocoon status` shows: a snapshot written by the running node. */
export interface NodeState {
  pid: number
  peerId: string
  startedAt: number
  updatedAt: number
  addresses: string[]
  connectedPeers: string[]
  providing: boolean
  models: string[]
  /** This node's own live offer (JSON-friendly), if providing. */
  ownOffer?: OfferSummary
  /** Live offers in this node's book. */
  offers: OfferSummary[]
  /** Whether and how peers reach this node (absent in files of older nodes). */
  reachability?: NodeReachability
}

/** How peers reach a node: directly, through relays, or not at all (yet). */
export interface NodeReachability {
  /** `public`: it has a dialable public address; `relayed`: only through relays; `unreachable`: neither. */
  status: 'public' | 'relayed' | 'unreachable'
  /** Its announced addresses that are public (or inside `network.publicRanges`). */
  publicAddresses: string[]
  /** Its relay addresses (`…/p2p/<relay>/p2p-circuit`). */
  relays: string[]
  /** Relayed connections opened so far. */
  relayedConnections: number
  /** Relayed connections followed by a direct one to the same peer (hole punching or a direct redial). */
  upgradedConnections: number
}

export interface OfferSummary {
  provider: string
  models: string[]
  perKPromptTokens: string
  perKCompletionTokens: string
  perTensorGflop: string
  /** Models the offer quotes at their own token prices (the columns above are the others'). */
  modelPrices?: Array<{ model: string; perKPromptTokens: string; perKCompletionTokens: string }>
  maxConcurrency: number
  gpu: string
  backend: string
  region: string
  sequence: string
  expiresAt: number
  /** The signed multiaddrs to dial the provider at (relay addresses end in `/p2p-circuit`). */
  addrs: string[]
  /** The tier this node computed from the offer's evidence (`attested` or `open`), never the offer's claim. */
  tier?: string
}

export async function writeNodeState(home: string, state: NodeState): Promise<void> {
  const path = join(home, STATE_FILE)
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  await rename(tmp, path)
}

export async function removeNodeState(home: string): Promise<void> {
  await rm(join(home, STATE_FILE), { force: true })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return isErrno(error, 'EPERM')
  }
}

/** What {@link readNodeState} throws. */
export type ReadNodeStateErrorType = NodeNotRunningError

/**
 * Reads the running node's state; a typed error when no node runs from this home.
 * @throws {ReadNodeStateErrorType}
 */
export async function readNodeState(home: string): Promise<NodeState> {
  const path = join(home, STATE_FILE)
  let state: NodeState
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as NodeState
  } catch (error) {
    throw new NodeNotRunningError(`No node is running from ${home}`, {
      details: `${path} is missing or unreadable. Start one with \`cocoon node start --home ${home}\`.`,
      cause: error,
    })
  }
  if (!alive(state.pid)) {
    throw new NodeNotRunningError(`The node of ${home} (pid ${state.pid}) is not running`, {
      details: `It stopped without cleaning up ${path}. Start it again with \`cocoon node start --home ${home}\`.`,
    })
  }
  return state
}
