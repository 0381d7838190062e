/**
 * Browser bundle size, gzipped, of an app that only runs LLM jobs with the
 * light SDK, against the goal (500 KB) and against a bundle of libp2p alone
 * (the same WebSockets, noise and yamux stack, no Cocoon code) built in the same run.
 */
import { gzipSync } from 'node:zlib'
import { reportBench } from '@cocoon-mesh/protocol'
import * as esbuild from 'esbuild'
import { browserOptions, MINIAPP_DIR } from '../scripts/bundle.ts'

export const GOAL_KB = 500

const LLM_APP = `
import { createLightPeer } from '@cocoon-mesh/client'
const client = await createLightPeer({ bootstrap: [location.hash.slice(1)] })
const job = client.generate({ model: 'tiny', prompt: 'hello', maxTokens: 8 })
for await (const chunk of job) document.body.append(chunk.text)
document.body.append(String((await job.usage).cost))
`

const LIBP2P_ONLY = `
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
const node = await createLibp2p({ transports: [webSockets()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
await node.dial(location.hash.slice(1))
`

/** KB (1000 bytes) of every output file of the bundle of `source`, each gzipped at level 9. */
async function gzippedKb(source: string): Promise<number> {
  const result = await esbuild.build({
    ...browserOptions(),
    stdin: { contents: source, resolveDir: MINIAPP_DIR, loader: 'ts', sourcefile: 'app.ts' },
    sourcemap: false,
    write: false,
    outdir: '/bundle',
  })
  const bytes = result.outputFiles.reduce((sum, f) => sum + gzipSync(f.contents, { level: 9 }).length, 0)
  return bytes / 1000
}

export async function bundleSizeBench(): Promise<void> {
  const app = await gzippedKb(LLM_APP)
  const libp2p = await gzippedKb(LIBP2P_ONLY)
  reportBench({
    bench: 'browser bundle of an LLM-only app vs libp2p alone (gzip)',
    value: app,
    unit: 'KB',
    baseline: libp2p,
    better: 'lower',
  })
  reportBench({
    bench: `browser bundle of an LLM-only app vs the ${GOAL_KB} KB goal (gzip)`,
    value: app,
    unit: 'KB',
    baseline: GOAL_KB,
    better: 'lower',
  })
}
