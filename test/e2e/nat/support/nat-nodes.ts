/**
 * `cocoon` processes inside the namespaces of a {@link NatNetwork}: nodes
 * started from their own home folders, tiny-model providers, and `cocoon
 * run` clients whose usage line says which connection carried the job.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { CLI, cocoon, type Proc, type ProcessGroup } from '../../../../test-support/cli-processes.ts'
import type { NatNetwork } from './nat-network.ts'

export interface NatNode {
  proc: Proc
  peerId: string
}

/** The `--usage` line of `cocoon run`. */
export interface RunUsage {
  completionTokens: number
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

  async function startNode(ns: string, name: string, args: string[], config?: object): Promise<NatNode> {
    const home = join(root(), name)
    await cocoon(['init', '--home', home])
    if (config !== undefined) await writeFile(join(home, 'config.jsonc'), JSON.stringify(config))
    return spawnNode(ns, name, args)
  }

  /** A provider of the tiny model `model` in `ns`, its config's `network` section as given. */
  async function startProvider(
    ns: string,
    model: string,
    bootstrap: string,
    network: object,
  ): Promise<NatNode> {
    const home = join(root(), model)
    await mkdir(join(home, 'models'), { recursive: true })
    await writeTinyGguf(join(home, 'models', `${model}.gguf`))
    const config = {
      provide: { models: [model], prices: { perKPromptTokens: '1000', perKCompletionTokens: '1000' } },
      network,
    }
    return startNode(ns, model, providerArgs(bootstrap), config)
  }

  /** `cocoon run` of 8 tokens inside `ns`; its exit code, stdout, stderr and usage line. */
  async function runJob(ns: string, model: string, bootstrap: string) {
    const args = ['run', '--model', model, '--prompt', 'hello', '--max-tokens', '8', '--timeout', '30000']
    const proc = procs.spawn(
      `client-${model}`,
      [CLI, ...args, '--usage', '--bootstrap', bootstrap],
      { ...env, COCOON_HOME: join(root(), 'client') },
      net().exec(ns),
    )
    const { code } = await proc.exited
    const stderr = proc.stderr()
    const usage = (): RunUsage => JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as RunUsage
    return { code, stdout: proc.lines.join('\n'), stderr, usage }
  }

  return { spawnNode, startNode, startProvider, runJob }
}

export function providerArgs(bootstrap: string): string[] {
  return ['--provide', '--listen', '/ip4/0.0.0.0/tcp/0', '--bootstrap', bootstrap]
}
