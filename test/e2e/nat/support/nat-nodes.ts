/**
 * `cocoon` processes inside the namespaces of a {@link NatNetwork}: nodes
 * started from their own home folders, tiny-model providers, and `cocoon
 * run` clients whose usage line says which connection carried the job.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { readNodeState } from '@cocoon-mesh/peer'
import { CLI, cocoon, type Proc, type ProcessGroup } from '../../../../test-support/cli-processes.ts'
import type { NatNetwork } from './nat-network.ts'

export interface NatNode {
  proc: Proc
  peerId: string
}

/** The `--usage` line of `cocoon run`. */
export interface RunUsage {
  completionTokens: number
  /** nanoTON, as a decimal string. */
  cost: string
  parts: Array<{ provider: string; via?: string; outcome: string }>
}

export interface NatNodesParameters {
  procs: ProcessGroup
  /** The scratch folder holding every node's home (made in beforeAll). */
  root: () => string
  /** Environment of every process (`COCOON_PUBLIC_RANGES`). */
  env: NodeJS.ProcessEnv
  net: () => NatNetwork
}

export function natNodes({ procs, root, env, net }: NatNodesParameters) {
  /** `cocoon node start` of the home `name` (made before) inside `ns`. */
  async function spawnNode(ns: string, name: string, args: string[]): Promise<NatNode> {
    const home = join(root(), name)
    const proc = procs.spawn(name, [CLI, 'node', 'start', '--home', home, ...args], env, net().exec(ns))
    const peerId = (await proc.line(/^peer-id /)).slice('peer-id '.length)
    return { proc, peerId }
  }

  /** The home `name`, as `cocoon init` makes it, with `config` as its config file. */
  async function makeHome(name: string, config?: object): Promise<string> {
    const home = join(root(), name)
    await cocoon(['init', '--home', home])
    if (config !== undefined) await writeFile(join(home, 'config.jsonc'), JSON.stringify(config))
    return home
  }

  async function startNode(ns: string, name: string, args: string[], config?: object): Promise<NatNode> {
    await makeHome(name, config)
    return spawnNode(ns, name, args)
  }

  /**
   * The home of a provider of the tiny model `model`, its config's `network`
   * section as given; a `settlement` section makes it charge through payment
   * channels (started with `--chain-endpoint`).
   */
  async function makeProvider(model: string, network: object, settlement?: object): Promise<string> {
    const config = {
      provide: { models: [model], prices: { perKPromptTokens: '1000', perKCompletionTokens: '1000' } },
      network,
      ...(settlement === undefined ? {} : { settlement }),
    }
    const home = await makeHome(model, config)
    await mkdir(join(home, 'models'), { recursive: true })
    await writeTinyGguf(join(home, 'models', `${model}.gguf`))
    return home
  }

  /** A free provider of `model` in `ns` (see {@link makeProvider}). */
  async function startProvider(
    ns: string,
    model: string,
    bootstrap: string,
    network: object,
  ): Promise<NatNode> {
    await makeProvider(model, network)
    return spawnNode(ns, model, providerArgs(bootstrap))
  }

  /** `cocoon <args>` to completion inside `ns`: its stdout (rejects with its stderr). */
  function cli(ns: string, args: string[]): Promise<string> {
    return cocoon(args, { prefix: net().exec(ns), env })
  }

  /** A plain `cocoon node start` in the public namespace (relay, bootstrap), and the address it listens on there. */
  async function startPublicNode(name: string): Promise<NatNode & { addr: string }> {
    const { pub, pubIp } = net()
    const node = await startNode(pub, name, ['--listen', `/ip4/${pubIp}/tcp/0`])
    const line = await node.proc.line(new RegExp(`^listening /ip4/${pubIp.replaceAll('.', '\\.')}/`))
    return { ...node, addr: line.slice('listening '.length) }
  }

  /** The addresses in the offer of `provider` that the node `name` holds in its book (its state file). */
  async function offeredAddrs(
    name: string,
    provider: NatNode,
  ): Promise<{ sequence: bigint; addrs: string[] }> {
    const state = await readNodeState(join(root(), name))
    const offer = state.offers.find((o) => o.provider === provider.peerId)
    return { sequence: BigInt(offer?.sequence ?? '-1'), addrs: offer?.addrs ?? [] }
  }

  /** The home of the client {@link runJob} runs (`COCOON_HOME`). */
  const clientHome = (): string => join(root(), 'client')

  /** `cocoon run` of 8 tokens inside `ns`, with `extra` arguments; its exit code, output and usage line. */
  async function runJob(ns: string, model: string, bootstrap: string, extra: string[] = []) {
    const args = ['run', '--model', model, '--prompt', 'hello', '--max-tokens', '8', '--timeout', '30000']
    const proc = procs.spawn(
      `client-${model}`,
      [CLI, ...args, ...extra, '--usage', '--bootstrap', bootstrap],
      { ...env, COCOON_HOME: clientHome() },
      net().exec(ns),
    )
    const { code } = await proc.exited
    const stderr = proc.stderr()
    // the last JSON line: a note about stopping may follow it
    const usage = (): RunUsage =>
      JSON.parse(stderr.split('\n').findLast((l) => l.startsWith('{')) ?? '{}') as RunUsage
    return { code, stdout: proc.lines.join('\n'), stderr, usage }
  }

  return {
    spawnNode,
    startNode,
    startPublicNode,
    makeProvider,
    startProvider,
    runJob,
    cli,
    clientHome,
    offeredAddrs,
  }
}

export function providerArgs(bootstrap: string): string[] {
  return ['--provide', '--listen', '/ip4/0.0.0.0/tcp/0', '--bootstrap', bootstrap]
}
