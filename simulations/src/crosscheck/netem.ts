import { execFileSync } from 'node:child_process'
import { errorMessage } from '@cocoon-mesh/protocol'
import { CrossCheckSetupError } from './errors.js'

/**
 * A network namespace of the cross-check's own whose loopback delays every
 * packet with Linux `tc netem`: peers listening on 127.0.0.1 inside it talk
 * over real TCP with that one-way latency (a packet crosses `lo` once).
 * Nothing in it is routed anywhere else. Needs root, `ip` and `tc` (iproute2).
 */
export interface NetemNamespace {
  readonly name: string
  /** The command prefix that runs a program inside the namespace. */
  readonly exec: string[]
  remove(): void
}

export interface NetemParameters {
  /** One-way delay of every packet, ms. */
  latencyMs: number
  /** Share of packets dropped, 0–1. */
  loss: number
}

export function createNetemNamespace(params: NetemParameters): NetemNamespace {
  if (process.getuid?.() !== 0)
    throw new CrossCheckSetupError('the cross-check over TCP needs root', {
      details:
        'it puts its peers in a network namespace whose loopback delays packets with tc netem; run it as root, or run it in one process over the memory transport (--processes 1)',
    })
  const name = `cocoon-cc-${process.pid}`
  const run = (args: string[]): void => {
    execFileSync(args[0] as string, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] })
  }
  try {
    run(['ip', 'netns', 'add', name])
    run(['ip', 'netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'])
    const loss = params.loss > 0 ? ['loss', `${params.loss * 100}%`] : []
    run([
      'ip',
      'netns',
      'exec',
      name,
      'tc',
      'qdisc',
      'add',
      'dev',
      'lo',
      'root',
      'netem',
      'delay',
      `${params.latencyMs}ms`,
      ...loss,
    ])
  } catch (error) {
    try {
      run(['ip', 'netns', 'delete', name])
    } catch {
      // it was never created
    }
    throw new CrossCheckSetupError('cannot create the network namespace with tc netem', {
      details: `${errorMessage(error)}. It needs iproute2 (ip, tc) and a kernel with sch_netem ("Specified qdisc kind is unknown": it has none); without them run over TCP with --latency 0, or in one process over the memory transport (--processes 1)`,
      cause: error,
    })
  }
  return {
    name,
    exec: ['ip', 'netns', 'exec', name],
    remove() {
      run(['ip', 'netns', 'delete', name])
    },
  }
}
