import { resolveHome } from '@cocoon-mesh/settlement/node'
import type { Command } from 'commander'
import { type NodeReachability, readNodeState } from '../../home/state.js'
import { offersTable } from '../node-options.js'
import type { RegisterCommand } from './index.js'

export const registerStatus: RegisterCommand = (program: Command) => {
  program
    .command('status')
    .description(
      'show the running local node: identity, addresses, connected peers, its offers (read from <home>/node-state.json)',
    )
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option('--json', 'print JSON')
    .action(async (opts: { home?: string; json?: boolean }) => {
      const home = resolveHome(opts.home)
      const state = await readNodeState(home)
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(state, null, 2)}\n`)
        return
      }
      const out: string[] = [
        `peer-id ${state.peerId}`,
        `pid ${state.pid}`,
        `up-since ${new Date(state.startedAt).toISOString()}`,
        `providing ${state.providing ? 'yes' : 'no'}`,
        ...state.addresses.map((a) => `address ${a}`),
        `connected-peers ${state.connectedPeers.length}`,
        ...state.connectedPeers.map((p) => `peer ${p}`),
        ...reachabilityLines(state.reachability),
        `offers ${state.offers.length}`,
      ]
      process.stdout.write(`${out.join('\n')}\n${offersTable(state.offers)}`)
    })
}

/** What status says about reaching the node, and what an operator can do when nobody can. */
function reachabilityLines(r: NodeReachability | undefined): string[] {
  if (r === undefined) return []
  const hint =
    r.status === 'public'
      ? ''
      : r.status === 'relayed'
        ? ' (peers reach this node only through relays: forward a port or enable UPnP on the router for direct connections)'
        : ' (no public address and no relay reservation: forward a port, enable UPnP, or bootstrap through a node that serves relays)'
  return [
    `reachable ${r.status}${hint}`,
    ...r.publicAddresses.map((a) => `public-address ${a}`),
    ...r.relays.map((a) => `relay ${a}`),
    `relayed-connections ${r.relayedConnections}`,
    `upgraded-connections ${r.upgradedConnections}`,
  ]
}
