import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { JobEvent, LightPeer } from '@cocoon-mesh/client'
import { FrameWriter, readFrames } from '@cocoon-mesh/client/internal'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import type { MeshNode } from '@cocoon-mesh/peer'
import { JOB_PROTOCOL, type JobFrame, JobKind, TrustTier, UNSIGNED_JOB_REQUEST } from '@cocoon-mesh/protocol'
import { multiaddr } from '@multiformats/multiaddr'
import type { ScratchHome } from './scratch-home.js'

/** The model every tensor-job provider serves next to its tensor lane. */
export const MODEL = 'tiny'
/** The built `cocoon` binary (the demo mesh nodes run from dist too). */
const CLI = fileURLToPath(new URL('../../../packages/peer/dist/cli/index.js', import.meta.url))

/** The signal a child process died of, once it has exited. */
export async function exitOf(proc: ChildProcess): Promise<NodeJS.Signals | null> {
  if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => proc.once('exit', r))
  return proc.signalCode
}

/** Kills the provider that accepts the next job, the moment its JobAccept arrives (before any input). */
export function killOnNextAccept(kill: (providerId: string) => void): {
  armed: boolean
  onEvent: (e: JobEvent) => void
} {
  const state = {
    armed: false,
    onEvent: (e: JobEvent) => {
      if (state.armed && e.type === 'accepted') {
        state.armed = false
        kill(e.providerId)
      }
    },
  }
  return state
}

export interface CliProvider {
  peerId: string
  addr: string
  proc: ChildProcess
}

/**
 * `cocoon init` + `cocoon node start`; with a price, `--provide` with
 * `provide.jobKinds` including `tensor` (the node's gpu-runtime then runs the
 * onnxruntime tensor lane next to the GGUF model it serves).
 */
export async function cliNode(
  scratch: ScratchHome,
  price: string | undefined,
  bootstrap: string[] = [],
): Promise<CliProvider> {
  const { NODE_OPTIONS: _vitestLoaders, ...env } = process.env
  const dir = await mkdtemp(join(scratch.home, 'cli-'))
  execFileSync(process.execPath, [CLI, 'init', '--home', dir], { env, stdio: 'ignore' })
  const args = ['node', 'start', '--home', dir, '--listen', '/ip4/127.0.0.1/tcp/0']
  if (price !== undefined) {
    await mkdir(join(dir, 'models'))
    await writeTinyGguf(join(dir, 'models', `${MODEL}.gguf`))
    const prices = { perKPromptTokens: price, perKCompletionTokens: price, perTensorGflop: price }
    await writeFile(
      join(dir, 'config.jsonc'),
      JSON.stringify({
        provide: { models: [MODEL], jobKinds: ['llm', 'tensor'], prices, maxConcurrency: 1 },
      }),
    )
    args.push('--provide')
  }
  for (const b of bootstrap) args.push('--bootstrap', b)
  const proc = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  scratch.cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    await exited
  })
  let stderr = ''
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  // "peer-id <id>" then "listening <multiaddr>" on stdout once the node runs
  return new Promise((resolve, reject) => {
    let peerId: string | undefined
    let buffer = ''
    proc.stdout?.setEncoding('utf8')
    proc.stdout?.on('data', (chunk: string) => {
      buffer += chunk
      for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i)
        buffer = buffer.slice(i + 1)
        if (line.startsWith('peer-id ')) peerId = line.slice('peer-id '.length)
        const addr = /^listening (\/ip4\/127\.0\.0\.1\/tcp\/\S+)$/.exec(line)?.[1]
        if (addr !== undefined && peerId !== undefined) resolve({ peerId, addr, proc })
      }
    })
    void exited.then((code) => reject(new Error(`cocoon node start exited (${String(code)}): ${stderr}`)))
  })
}

/** Opens a raw job stream to `provider` and sends a tensor JobRequest with one input. */
export async function rawTensorJob(c: LightPeer, provider: MeshNode, jobId: string) {
  const addr = provider.addrs[0]
  if (addr === undefined) throw new Error('provider has no address')
  const stream = await c.peer.libp2p.dialProtocol(multiaddr(addr), JOB_PROTOCOL)
  const writer = new FrameWriter(stream)
  await writer.write({
    request: {
      version: 1,
      jobId,
      kind: JobKind.JOB_KIND_TENSOR,
      model: MODEL,
      budget: 0n,
      channel: '',
      deadline: 0n,
      minTrustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
      ...UNSIGNED_JOB_REQUEST,
      tensor: { op: 'matmul', inputCount: 1, outputNames: [] },
    },
  })
  return { stream, writer }
}

/** Every frame the stream carries until it ends. */
export async function allFrames(stream: Parameters<typeof readFrames>[0]): Promise<JobFrame[]> {
  const seen: JobFrame[] = []
  for await (const f of readFrames(stream)) seen.push(f)
  return seen
}
