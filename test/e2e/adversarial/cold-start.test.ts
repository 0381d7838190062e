/**
 * Cold start against the first-offer race: a bootstrap node and two live
 * provider processes at 3000 and 1000 nanoTON per 1k tokens, and a cold
 * `cocoon run` (a fresh light peer, empty book) started after both offer.
 * It must rank the offers it collected in its cold-start window and take the
 * cheaper one, every time, not whichever offer arrived first.
 */
import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createLightPeer } from '@cocoon-mesh/client'
import { type LocalMesh, startLocalMesh } from '@cocoon-mesh/peer'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI } from '../../../test-support/cli-processes.ts'
import { waitForOffers } from '../support/offers.js'
import { useScratchHome } from '../support/scratch-home.js'

const MODEL = 'tiny'
const RUNS = 3
const scratch = useScratchHome('cocoon-e2e-cold-start-')
const { cleanups } = scratch

beforeAll(buildPeerDist, 120_000)

interface RunUsage {
  parts: Array<{ provider: string; outcome: string; perKCompletionTokens: string }>
}

/** One cold `cocoon run` to completion: its `--usage` line from stderr. */
async function coldRun(bootstrap: string[]): Promise<RunUsage> {
  const { stderr } = await promisify(execFile)(
    process.execPath,
    [
      CLI,
      'run',
      '--model',
      MODEL,
      '--prompt',
      'hello',
      '--max-tokens',
      '4',
      '--usage',
      ...bootstrap.flatMap((a) => ['--bootstrap', a]),
    ],
    { encoding: 'utf8', timeout: 90_000 },
  )
  const line = stderr
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"promptTokens"'))
  if (line === undefined) throw new Error(`cocoon run printed no usage line; stderr:\n${stderr}`)
  return JSON.parse(line) as RunUsage
}

describe('cold start (real processes, TCP)', () => {
  it('a cold `cocoon run` takes the cheaper of two live providers, not the first offer', async () => {
    const m: LocalMesh = await startLocalMesh({
      providers: [{ price: '3000' }, { price: '1000' }],
      home: await mkdtemp(join(scratch.home, 'mesh-')),
    })
    cleanups.push(() => m.stop())
    // both offers are live in the mesh before the cold runs start
    const watcher = await createLightPeer({ bootstrap: m.bootstrapAddrs })
    cleanups.push(() => watcher.stop())
    await waitForOffers(watcher, MODEL, 2)
    const cheap = m.providers[1]?.peerId
    for (let i = 0; i < RUNS; i++) {
      const usage = await coldRun(m.bootstrapAddrs)
      expect(usage.parts.map((p) => [p.provider, p.outcome])).toEqual([[cheap, 'completed']])
      expect(usage.parts[0]?.perKCompletionTokens).toBe('1000')
    }
  }, 300_000)
})
