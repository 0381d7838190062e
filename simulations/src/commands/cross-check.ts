import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crossCheck } from '../crosscheck/index.js'
import { type FidelityCheck, fidelityVerdict } from '../crosscheck/verdict.js'
import { toolMetadata } from '../output/metadata.js'

export interface CrossCheckCommandOptions {
  peers: number
  seed: number
  messages: number
  lookups: number
  processes: number
  /** One-way latency of every link, ms. */
  latency: number
  /** Where fidelity.json goes, if anywhere. */
  out?: string
}

const cell = (v: number | string, width = 12): string => String(v).padStart(width)

function checkRow(c: FidelityCheck): string {
  const verdict = c.pass === undefined ? '' : c.pass ? 'pass' : 'FAIL'
  return `${c.figure.padEnd(32)}${cell(c.simulated)}${cell(c.real)}  ${c.tolerance.padEnd(26)}${verdict}`
}

/**
 * Prints the simulator's and the real peers' offer propagation side by side
 * with a verdict per figure; exits 1 when a gated figure is outside its tolerance.
 */
export async function crossCheckCommand(opts: CrossCheckCommandOptions): Promise<void> {
  const result = await crossCheck({ ...opts, latencyMs: opts.latency })
  const verdict = fidelityVerdict(result)
  process.stdout.write(
    [
      `${opts.peers} peers ${opts.processes > 1 ? `over TCP in ${opts.processes} processes${opts.latency > 0 ? ' (tc netem)' : ' (loopback)'}` : 'in one process (memory transport)'}, ${opts.latency} ms one way: offer propagation of ${opts.messages} offers, ${opts.lookups} DHT lookups (seed ${opts.seed})`,
      `${''.padEnd(32)}${cell('simulator')}${cell('real libp2p')}  ${'tolerance'.padEnd(26)}verdict`,
      ...verdict.checks.map(checkRow),
      `calibration: ${result.hopOverheadMs} ms of real work per hop beyond the link latency`,
      verdict.pass ? 'fidelity: pass' : 'fidelity: FAIL (a gated figure is outside its tolerance)',
      '',
    ].join('\n'),
  )
  if (opts.out !== undefined) {
    await mkdir(opts.out, { recursive: true })
    const file = join(opts.out, 'fidelity.json')
    const record = { meta: toolMetadata(), options: opts, result, verdict }
    await writeFile(file, `${JSON.stringify(record, null, 2)}\n`)
    process.stdout.write(`wrote ${file}\n`)
  }
  if (!verdict.pass) process.exitCode = 1
}
