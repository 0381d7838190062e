import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage } from '@cocoon-mesh/protocol'
import { ShardMergeError } from './errors.js'
import type { SweepManifest } from './outputs.js'
import type { SweepRunResult } from './run-sweep.js'

export interface ShardOutput {
  dir: string
  manifest: SweepManifest
  results: SweepRunResult[]
}

async function readShardFile(dir: string, file: string): Promise<string> {
  try {
    return await readFile(join(dir, file), 'utf8')
  } catch (cause) {
    throw new ShardMergeError(`${dir} is not a sweep output`, {
      details: `${join(dir, file)}: ${errorMessage(cause)}; pass directories written by \`cocoon-sim sweep --out\``,
      cause,
    })
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new ShardMergeError(`${where} is not JSON`, { details: errorMessage(cause), cause })
  }
}

/** Reads one `cocoon-sim sweep --out` directory. */
export async function readShardOutput(dir: string): Promise<ShardOutput> {
  const manifest = parseJson(await readShardFile(dir, 'sweep.json'), join(dir, 'sweep.json')) as SweepManifest
  const text = await readShardFile(dir, 'runs.jsonl')
  const results = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => parseJson(l, `${join(dir, 'runs.jsonl')} line ${i + 1}`) as SweepRunResult)
  return { dir, manifest, results }
}

const identity = (m: SweepManifest): string =>
  JSON.stringify([m.meta.sweepSha256, m.meta.scenarioSha256, m.meta.commit, m.totalRuns])

/**
 * Recombines shard outputs of one sweep: they must come from the same sweep
 * file, scenario and commit, hold no run twice, and (unless `partial`) cover
 * every run.
 * @throws {ShardMergeError}
 */
export function mergeShards(
  shards: ShardOutput[],
  options: { partial?: boolean } = {},
): { manifest: SweepManifest; results: SweepRunResult[] } {
  const first = shards[0]
  if (first === undefined)
    throw new ShardMergeError('Nothing to merge', { details: 'pass at least one sweep output directory' })
  for (const s of shards)
    if (identity(s.manifest) !== identity(first.manifest))
      throw new ShardMergeError(`${s.dir} is from another sweep than ${first.dir}`, {
        details: `sweep sha256, scenario sha256, commit and run count must match: ${identity(s.manifest)} vs ${identity(first.manifest)}`,
      })
  const byIndex = new Map<number, SweepRunResult>()
  for (const s of shards)
    for (const r of s.results) {
      if (byIndex.has(r.index))
        throw new ShardMergeError(`Run ${r.index} is in two outputs`, {
          details: `${s.dir} repeats a run another directory holds; merge each shard once`,
        })
      byIndex.set(r.index, r)
    }
  const missing: number[] = []
  for (let i = 0; i < first.manifest.totalRuns && missing.length < 10; i++)
    if (!byIndex.has(i)) missing.push(i)
  if (missing.length > 0 && options.partial !== true)
    throw new ShardMergeError(`The outputs cover ${byIndex.size} of ${first.manifest.totalRuns} runs`, {
      details: `missing runs ${missing.join(', ')}${missing.length === 10 ? ', …' : ''}; run the missing shards, or pass --partial`,
    })
  const results = [...byIndex.values()].sort((a, b) => a.index - b.index)
  const { shard: _shard, ...rest } = first.manifest
  return { manifest: { ...rest, runs: results.length }, results }
}
