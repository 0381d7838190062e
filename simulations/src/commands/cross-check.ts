import { crossCheck } from '../crosscheck/index.js'

/** Prints the simulator's and the real peers' offer propagation side by side. */
export async function crossCheckCommand(opts: {
  peers: number
  seed: number
  messages: number
}): Promise<void> {
  const result = await crossCheck(opts)
  const row = (name: string, key: 'p50Ms' | 'p99Ms' | 'maxMs' | 'coverage'): string =>
    `${name.padEnd(22)}${String(result.simulated[key]).padStart(12)}${String(result.calibrated[key]).padStart(12)}${String(result.real[key]).padStart(12)}`
  process.stdout.write(
    [
      `offer propagation, ${opts.peers} peers, ${opts.messages} offers`,
      `${''.padEnd(22)}${'simulator'.padStart(12)}${'calibrated'.padStart(12)}${'real libp2p'.padStart(12)}`,
      row('p50 ms', 'p50Ms'),
      row('p99 ms', 'p99Ms'),
      row('max ms', 'maxMs'),
      row('coverage', 'coverage'),
      `relative error: p50 ${result.relativeError.p50}, p99 ${result.relativeError.p99}`,
      `calibrated (measured ${result.hopOverheadMs} ms per hop beyond the link latency): p50 ${result.calibratedError.p50}, p99 ${result.calibratedError.p99}`,
      '',
    ].join('\n'),
  )
}
