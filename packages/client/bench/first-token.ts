/**
 * Node: import + start + first token on loopback with the installed SDK (a
 * clean folder, as an app gets it), each sample a fresh process running
 * test-support/sdk-app/first-job.mjs against a local mesh started here (a
 * bootstrap peer and one provider serving the tiny model). Baseline in the
 * same run, same folder: a fresh process importing the unbundled libp2p stack
 * alone (libp2p, TCP, noise, yamux). Medians of 5; the time is split into
 * import, start (createLightPeer) and first token (the job until its first
 * chunk), and the RSS is read at the first token.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalMesh } from '@cocoon-mesh/peer'
import { reportBench } from '@cocoon-mesh/protocol'
import { runInApp, type SdkAppOutput, type SdkInstall } from '../../../test-support/sdk-install.ts'

export const GOAL_MS = 300
export const GOAL_RSS_MB = 100
const SAMPLES = 5

export async function firstTokenBench(install: SdkInstall): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'cocoon-bench-sdk-'))
  const mesh = await startLocalMesh({ providers: [{ price: '1000' }], home })
  try {
    const job = (entry: string) =>
      runInApp(install.appDir, 'first-job.mjs', [JSON.stringify(mesh.bootstrapAddrs), 'tiny', entry])
    const root: SdkAppOutput[] = []
    const bundle: SdkAppOutput[] = []
    const baseline: SdkAppOutput[] = []
    for (let i = 0; i < SAMPLES; i++) {
      // interleaved, so a noisy moment of the machine hits every side
      baseline.push(await runInApp(install.appDir, 'import-libp2p.mjs', []))
      root.push(await job('@cocoon-mesh/client'))
      bundle.push(await job('@cocoon-mesh/client/bundle'))
    }
    report('@cocoon-mesh/client', root, baseline)
    report('@cocoon-mesh/client/bundle', bundle, baseline)
  } finally {
    await mesh.stop()
    await rm(home, { recursive: true, force: true })
  }
}

function report(entry: string, jobs: SdkAppOutput[], baselines: SdkAppOutput[]): void {
  const at = (outs: SdkAppOutput[], key: string) => median(outs.map((o) => o.timings[key] ?? Number.NaN))
  const firstToken = at(jobs, 'firstToken')
  const libp2pImport = at(baselines, 'import')
  const rss = median(jobs.map((o) => o.rssMb))
  const libp2pRss = median(baselines.map((o) => o.rssMb))
  const vs = 'importing libp2p + tcp + noise + yamux alone'
  const base = { unit: 'ms', better: 'lower' } as const
  reportBench({
    ...base,
    bench: `Node (${entry}): import + start + first token (loopback) vs ${vs}`,
    value: firstToken,
    baseline: libp2pImport,
  })
  reportBench({
    ...base,
    bench: `Node (${entry}): import + start + first token (loopback) vs the ${GOAL_MS} ms goal`,
    value: firstToken,
    baseline: GOAL_MS,
  })
  reportBench({
    ...base,
    bench: `Node: import of ${entry} vs ${vs}`,
    value: at(jobs, 'import'),
    baseline: libp2pImport,
  })
  reportBench({
    ...base,
    bench: `Node (${entry}): createLightPeer (start, after the import)`,
    value: at(jobs, 'start') - at(jobs, 'import'),
  })
  reportBench({
    ...base,
    bench: `Node (${entry}): first token after the start (discovery, dial, job)`,
    value: firstToken - at(jobs, 'start'),
  })
  reportBench({
    bench: `Node (${entry}): RSS at the first token vs ${vs}`,
    value: rss,
    unit: 'MB',
    baseline: libp2pRss,
    better: 'lower',
  })
  reportBench({
    bench: `Node (${entry}): RSS at the first token vs the ${GOAL_RSS_MB} MB goal`,
    value: rss,
    unit: 'MB',
    baseline: GOAL_RSS_MB,
    better: 'lower',
  })
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}
